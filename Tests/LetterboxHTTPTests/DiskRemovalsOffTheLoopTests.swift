import Foundation
import LetterboxHTTP
import LetterboxNet
import LetterboxStore
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Maildir store removes a message by unlinking its file, one system call per message that may
/// wait for a slow or busy disk: `DELETE /messages/{id}` and the retention trim after a delivery
/// do it off the event loop. Shown by a file that cannot be unlinked (a directory put in its
/// place): the store's warning about it comes from the thread that tried, which is not the loop's.
@Suite(.timeLimit(.minutes(2)))
struct DiskRemovalsOffTheLoopTests {
    /// A loop no other test uses (its thread lives as long as the process, like every loop).
    static let loop = Result { try EventLoop() }

    /// The threads a store's warnings came from.
    final class WarningThreads: Sendable {
        private let threads = Mutex<[UInt]>([])
        var all: [UInt] { threads.withLock { $0 } }
        var handler: @Sendable (StoreNotice) -> Void {
            { notice in
                if notice.severity == .warning { self.threads.withLock { $0.append(currentThreadNumber()) } }
            }
        }
    }

    /// A Maildir store in a fresh folder (removed by the caller).
    static func disk(retention: RetentionPolicy = .unlimited, warnings: WarningThreads) throws -> (String, MaildirStore)
    {
        let folder =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-removals-\(getpid())-\(UUID().uuidString.prefix(8))").path
        return (folder, try MaildirStore(path: folder, retention: retention, notices: warnings.handler))
    }

    /// Puts a directory where the only message file in `new/` was, so unlinking it fails.
    static func makeUnremovable(_ folder: String) throws {
        let new = folder + "/new"
        let names = try FileManager.default.contentsOfDirectory(atPath: new)
        try #require(names.count == 1, "\(names)")
        try FileManager.default.removeItem(atPath: new + "/" + names[0])
        try FileManager.default.createDirectory(
            atPath: new + "/" + names[0] + "/held", withIntermediateDirectories: true)
    }

    static func message(_ subject: String) -> [UInt8] { Array("Subject: \(subject)\r\n\r\nbody\r\n".utf8) }
    static let envelope = Envelope(sender: "s@example.com", recipients: ["bo@example.com"])

    /// Runs `work` in a task on the test's loop; returns its result and the loop thread's number.
    static func onLoop<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> (T, UInt) {
        let loop = try Self.loop.get()
        return try await Task(executorPreference: loop) { (try await work(), currentThreadNumber()) }.value
    }

    @Test func retentionAfterADeliveryUnlinksOffTheLoop() async throws {
        let warnings = WarningThreads()
        let (folder, store) = try Self.disk(retention: RetentionPolicy(maxMessages: 1), warnings: warnings)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try await store.append(Self.message("first"), envelope: Self.envelope)
        try Self.makeUnremovable(folder)

        let (second, loopThread) = try await Self.onLoop {
            try await store.append(Self.message("second"), envelope: Self.envelope)
        }
        #expect(store.messages().map(\.id) == [first.id, second.id], "the first stays: its file could not go")
        #expect(!warnings.all.isEmpty, "the failed unlink is reported")
        #expect(!warnings.all.contains(loopThread), "unlinked on the event loop's thread")
    }

    @Test func deletingAMessageOverHTTPUnlinksOffTheLoop() async throws {
        let warnings = WarningThreads()
        let (folder, store) = try Self.disk(warnings: warnings)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let message = try await store.append(Self.message("held"), envelope: Self.envelope)
        try Self.makeUnremovable(folder)
        let router = HTTPRouter(store: store)

        let (response, loopThread) = try await Self.onLoop {
            try await router.respond("DELETE", "/messages/\(message.id)")
        }
        #expect(response.status == .internalServerError, "\(response.status)")
        #expect(store.message(id: message.id) != nil)
        #expect(!warnings.all.isEmpty, "the failed unlink is reported")
        #expect(!warnings.all.contains(loopThread), "unlinked on the event loop's thread")
    }

    /// A Maildir MOVE renames each file into the target folder: on the store's threads, not the
    /// loop's. Shown by a target name taken by a directory: the rename fails, the warning comes
    /// from the thread that tried, and nothing moves (all or nothing).
    @Test func movingRenamesOffTheLoop() async throws {
        let warnings = WarningThreads()
        let (folder, store) = try Self.disk(warnings: warnings)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try await store.append(Self.message("first"), envelope: Self.envelope)
        let second = try await store.append(Self.message("second"), envelope: Self.envelope)
        // Archive is one of the folders a new store has.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder + "/new").sorted()
        try #require(names.count == 2)
        try FileManager.default.createDirectory(
            atPath: folder + "/.Archive/new/" + names[1] + "/held", withIntermediateDirectories: true)

        let (failed, loopThread) = try await Self.onLoop {
            do {
                _ = try await store.move(ids: [first.id, second.id], to: "Archive")
                return false
            } catch {
                return true
            }
        }
        #expect(failed)
        #expect(store.location(of: first.id)?.mailbox == "INBOX" && store.location(of: second.id)?.mailbox == "INBOX")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/new").sorted() == names)
        #expect(!warnings.all.isEmpty, "the failed rename is reported")
        #expect(!warnings.all.contains(loopThread), "renamed on the event loop's thread")

        try FileManager.default.removeItem(atPath: folder + "/.Archive/new/" + names[1])
        let (moved, _) = try await Self.onLoop { try await store.move(ids: [first.id, second.id], to: "Archive") }
        #expect(moved.map(\.id) == [first.id, second.id])
        #expect(store.location(of: second.id)?.mailbox == "Archive")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/.Archive/new").count == 2)
    }
}
