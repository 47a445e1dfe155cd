import Foundation
import LetterboxIMAP
import LetterboxNet
import TestSupport
import Testing

@testable import LetterboxStore

/// A store that renames and unlinks files, as a Maildir does, but whose flag changes and removals
/// wait for the test to open a gate once it is armed: where such a call is held shows where it runs.
// @unchecked: as its superclass; the gate is Sendable.
private final class GatedDiskStore: ForwardingStore, FileBackedStore, @unchecked Sendable {
    let gate = StoreGate()

    override func changeFlags(_ update: FlagUpdate, ids: [UInt64]) -> FlagChangeResult {
        gate.hold()
        return super.changeFlags(update, ids: ids)
    }

    override func removeEach(ids: [UInt64]) -> RemovalResult {
        gate.hold()
        return super.removeEach(ids: ids)
    }
}

/// STORE, EXPUNGE, CLOSE and a FETCH that sets \Seen change a disk store's files (a rename or an
/// unlink per message) off the event loop: while one is held in the file system, another session
/// on the same loop is still answered, and the held command ends with the response it would have
/// had (a gap found after issue 16).
@Suite(.timeLimit(.minutes(2)))
struct FlagChangesOffTheLoopTests {
    /// A loop no other test uses (its thread lives as long as the process, like every loop).
    static let serverLoop = Result { try EventLoop() }

    @Test(arguments: [
        ("STORE 1 +FLAGS (\\Flagged)", "* 1 FETCH (FLAGS (\\Flagged \\Deleted \\Recent))"),
        ("UID STORE 1 -FLAGS (\\Deleted)", "* 1 FETCH (FLAGS (\\Recent) UID 1)"),
        ("FETCH 1 (FLAGS BODY[HEADER.FIELDS (SUBJECT)])", "Subject: held"),
        ("EXPUNGE", "* 1 EXPUNGE"),
        ("CLOSE", nil),
    ])
    func anotherSessionOnTheSameLoopIsAnsweredWhileFilesChange(_ command: String, _ expected: String?) async throws {
        let store = GatedDiskStore()
        let message = try await store.append(
            Array("Subject: held\r\n\r\nbody\r\n".utf8),
            envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]))
        _ = store.changeFlags(.add(MessageFlags([MessageFlags.deleted])), ids: [message.id])
        defer { store.gate.open() }

        let server = IMAPServer(
            configuration: IMAPConfiguration(), store: store, events: ProtocolEvents(logger: .silent, transcript: false)
        )
        let changing = try served(by: server, on: Self.serverLoop.get())
        let other = try served(by: server, on: Self.serverLoop.get())
        _ = try await changing.line()
        _ = try await other.line()
        try await changing.send("a LOGIN ana pw")
        _ = try await changing.response(tag: "a")
        try await changing.send("b SELECT INBOX")
        _ = try await changing.response(tag: "b")

        store.gate.arm()
        try await changing.send("c \(command)")
        var entered = store.gate.entered.makeAsyncIterator()
        await entered.next()  // the change is now in the "file system", and waits for the gate
        try await other.send("d NOOP")
        #expect(try await other.line() == "d OK NOOP completed", "answered while the files are still changing")
        store.gate.open()
        let lines = try await changing.response(tag: "c")
        #expect(lines.last?.hasPrefix("c OK") == true, "\(lines)")
        if let expected { #expect(lines.contains { $0.contains(expected) }, "\(lines)") }
        await changing.close()
        await other.close()
    }
}

/// Flag changes and expunges from two sessions at once on a Maildir store, each done on the
/// store's threads: every change lands, on disk as in the index, and each session is told of it.
@Suite(.timeLimit(.minutes(2)))
struct DiskFlagChangeConcurrencyTests {
    @Test func storesAndExpungesOfTwoSessionsAllLand() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-offloop-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try MaildirStore(path: folder)
        for number in 1...40 {
            _ = try await store.append(
                Array("Subject: \(number)\r\n\r\nbody\r\n".utf8),
                envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]))
        }
        func session() async -> IMAPExpungedMessageTests.Session {
            var session = IMAPExpungedMessageTests.Session(store)
            _ = await session.send("a LOGIN ana pw")
            _ = await session.send("b SELECT INBOX")
            return session
        }
        async let expunging: [String] = {
            var session = await session()
            var lines = await session.send("c STORE 1:* +FLAGS.SILENT (one)")
            lines += await session.send("d STORE 1:20 +FLAGS.SILENT (\\Deleted)")
            lines += await session.send("e EXPUNGE")
            return lines
        }()
        async let storing: [String] = {
            var session = await session()
            return await session.send("c UID STORE 1:* +FLAGS.SILENT (two)")
        }()
        let (expunged, stored) = await (expunging, storing)
        #expect(stored.last == "c OK UID STORE completed", "\(stored)")
        #expect(expunged.last == "e OK EXPUNGE completed", "\(expunged)")
        // Sequence numbers of the expunged messages, each as it was when its EXPUNGE went out.
        #expect(expunged.filter { $0.hasSuffix(" EXPUNGE") } == (1...20).reversed().map { "* \($0) EXPUNGE" })
        // What a restart finds on disk is what the sessions were told.
        let reopened = try MaildirStore(path: folder)
        let flags = reopened.messages().map { reopened.flags(of: $0.id).sorted }
        #expect(flags.count == 20)
        #expect(flags.allSatisfy { Set($0) == ["one", "two"] }, "\(flags)")
    }
}
