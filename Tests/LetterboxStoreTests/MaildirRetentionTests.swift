import Foundation
import LetterboxStore
import Testing

/// Retention for both stores: oldest first, through the ordinary removal, so observers (and with
/// them IMAP sessions) see every removal.
@Suite("Retention (memory and Maildir)", .timeLimit(.minutes(1)))
struct MaildirRetentionTests {
    /// A memory store and a Maildir store with the same policy; the folder is removed by the caller.
    private static func stores(_ policy: RetentionPolicy, _ folder: TemporaryFolder) async throws -> [any MessageStore]
    {
        [MemoryStore(retention: policy), try await MaildirStore.open(at: folder.path, retention: policy)]
    }

    @Test("the memory store has a default cap a user can lift; the Maildir has none")
    func defaults() throws {
        #expect(MemoryStore().retentionPolicy == .memoryDefault)
        #expect(RetentionPolicy.memoryDefault.maxMessages == 50_000)
        #expect(RetentionPolicy.memoryDefault.maxBytes == 1 << 30)
        #expect(MemoryStore(retention: .unlimited).retentionPolicy.isUnlimited)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(try MaildirStore(path: folder.path).retentionPolicy.isUnlimited)
    }

    @Test("max messages: the oldest go first, each removal is published")
    func maxMessages() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for store in try await Self.stores(RetentionPolicy(maxMessages: 3), folder) {
            let changes = store.changes()
            var ids: [UInt64] = []
            for index in 0..<5 {
                ids.append(try await store.append(mail(subject: "\(index)"), envelope: envelope()).id)
            }
            #expect(store.messages().map(\.id) == Array(ids.suffix(3)))
            let seen = try await firstChanges(7, of: changes)
            #expect(seen.contains(.removed([ids[0]])) && seen.contains(.removed([ids[1]])), "\(seen)")
        }
        #expect(TemporaryFolder.names(folder.path, "new").count == 3, "removed files are unlinked")
    }

    @Test("max bytes: the oldest go until the rest fit")
    func maxBytes() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for store in try await Self.stores(RetentionPolicy(maxBytes: 2500), folder) {
            var ids: [UInt64] = []
            for _ in 0..<4 {
                ids.append(try await store.append(Array(repeating: 0x61, count: 1000), envelope: envelope()).id)
            }
            #expect(store.messages().map(\.id) == Array(ids.suffix(2)))
            #expect(store.statistics.bytes == 2000)
        }
    }

    @Test("max age: a timer removes messages once they are too old, without another arrival")
    func maxAge() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for store in try await Self.stores(RetentionPolicy(maxAge: .milliseconds(300)), folder) {
            let changes = store.changes()
            let message = try await store.append(mail(), envelope: envelope())
            let seen = try await firstChanges(2, of: changes)
            #expect(seen == [.added(message.id), .removed([message.id])])
            #expect(store.messages().isEmpty)
        }
        #expect(TemporaryFolder.names(folder.path, "new").isEmpty)
    }

    @Test("a Maildir opened with a tighter limit applies it at once")
    func appliedAtOpen() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var ids: [UInt64] = []
        do {
            let store = try await MaildirStore.open(at: folder.path)
            for index in 0..<4 {
                ids.append(try await store.append(mail(subject: "\(index)"), envelope: envelope()).id)
            }
        }
        let old = Envelope(
            sender: "old@example.com", recipients: ["ana@example.com"], receivedAt: Date(timeIntervalSinceNow: -7200))
        do {
            let store = try await MaildirStore.open(at: folder.path)
            ids.append(try await store.append(mail(subject: "old"), envelope: old).id)
        }
        let store = try await MaildirStore.open(
            at: folder.path, retention: RetentionPolicy(maxMessages: 3, maxAge: .seconds(3600)))
        #expect(store.messages().map(\.id) == [ids[2], ids[3]], "two over the count, then the expired one")
        #expect(TemporaryFolder.names(folder.path, "new").count == 2)
    }

    @Test("durations and the policy's description")
    func description() {
        #expect(RetentionPolicy.unlimited.description == "unlimited")
        #expect(
            RetentionPolicy(maxMessages: 10, maxAge: .seconds(60), maxBytes: 5).description
                == "max 10 messages, 5 bytes, 60 s old")
    }
}
