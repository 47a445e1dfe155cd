import Foundation
import LetterboxStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A fresh, empty folder under the system's temporary directory, removed by ``remove()``.
struct TemporaryFolder {
    let path: String

    init(_ name: String = #function) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-maildir-\(safe)-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// The names of the files in `new/`, `cur/` or `tmp/` of the Maildir at `maildir`, sorted.
    static func names(_ maildir: String, _ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(maildir)/\(directory)")) ?? []).sorted()
    }
}

/// Collects a store's notices so a test can look at its warnings.
final class NoticeCollector: Sendable {
    private let notices = Mutex<[StoreNotice]>([])

    var handler: @Sendable (StoreNotice) -> Void { { notice in self.notices.withLock { $0.append(notice) } } }
    var warnings: [String] { notices.withLock { $0.filter { $0.severity == .warning }.map(\.message) } }
    var all: [String] { notices.withLock { $0.map(\.message) } }
}

/// What a test compares across a restart: id, bytes, envelope and flags of every message.
struct StoredState: Equatable {
    let id: UInt64
    let raw: [UInt8]
    let envelope: Envelope
    let flags: MessageFlags

    static func of(_ store: any MessageStore) -> [StoredState] {
        store.snapshot(matching: MessageFilter()).entries.map {
            StoredState(id: $0.message.id, raw: $0.message.raw, envelope: $0.message.envelope, flags: $0.flags)
        }
    }
}
