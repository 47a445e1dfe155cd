import Foundation
import LetterboxStore
import TestSupport
import Testing

/// Ids a Maildir store gives folder messages (APPEND, COPY) share one sequence with SMTP deliveries,
/// which are published in id order: no id may be left unpublished, and INBOX UIDs stay the ids.
@Suite("Maildir ids of folder messages")
struct MaildirFolderIDTests {
    private let envelope = Envelope(sender: "s@example.com", recipients: ["ana@example.com"])

    private func deliver(_ store: MaildirStore, _ subject: String) async throws -> Message {
        try await finishing("a delivery after folder APPEND and COPY") { [envelope] in
            try await store.append(Array("Subject: \(subject)\r\n\r\nBody\r\n".utf8), envelope: envelope)
        }
    }

    @Test("SMTP delivery completes after a folder APPEND and a COPY, before and after a restart")
    func deliveryAfterFolderPlacements() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        do {
            let store = try MaildirStore(path: folder.path)
            let first = try await deliver(store, "first")
            _ = try await store.append(
                Array("Subject: draft\r\n\r\nD\r\n".utf8), to: "Drafts", flags: MessageFlags(), receivedAt: Date())
            let second = try await deliver(store, "second")
            _ = try await store.copy(ids: [first.id], to: "Archive")
            let third = try await deliver(store, "third")
            #expect(store.messages(matching: MessageFilter()).map(\.subject) == ["first", "second", "third"])
            #expect(third.id > second.id)
        }
        let reopened = try MaildirStore(path: folder.path)
        _ = try await reopened.append(
            Array("Subject: later\r\n\r\nL\r\n".utf8), to: "Sent", flags: MessageFlags(), receivedAt: Date())
        let fourth = try await deliver(reopened, "fourth")
        #expect(reopened.message(id: fourth.id)?.subject == "fourth")
    }

    @Test("INBOX UIDs are the message ids, so they survive a restart under the same UIDVALIDITY")
    func inboxUIDsAcrossRestart() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var uids: [UInt64] = []
        var validity: UInt32 = 0
        do {
            let store = try MaildirStore(path: folder.path)
            let first = try await deliver(store, "first")
            _ = try await store.append(
                Array("Subject: draft\r\n\r\nD\r\n".utf8), to: "Drafts", flags: MessageFlags(), receivedAt: Date())
            _ = try await store.copy(ids: [first.id], to: "Archive")
            let second = try await deliver(store, "second")
            uids = store.snapshot(of: "INBOX", matching: MessageFilter())?.entries.map(\.uid) ?? []
            #expect(uids == [first.id, second.id])
            validity = store.uidValidity
        }
        let reopened = try MaildirStore(path: folder.path)
        #expect(reopened.uidValidity == validity)
        #expect(reopened.snapshot(of: "INBOX", matching: MessageFilter())?.entries.map(\.uid) == uids)
    }

    @Test("a .INBOX folder another program made is ignored with a warning; INBOX keeps its messages")
    func dotInboxFolderIsIgnored() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let first: Message
        do {
            let store = try MaildirStore(path: folder.path)
            first = try await deliver(store, "first")
        }
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(
                atPath: "\(folder.path)/.INBOX/\(sub)", withIntermediateDirectories: true)
        }
        try Data("Subject: stray\r\n\r\nS\r\n".utf8).write(
            to: URL(fileURLWithPath: "\(folder.path)/.INBOX/cur/1.M1P1.host:2,"))
        let notices = NoticeCollector()
        let reopened = try MaildirStore(path: folder.path, notices: notices.handler)
        #expect(reopened.snapshot(of: "INBOX", matching: MessageFilter())?.entries.map(\.message.id) == [first.id])
        #expect(reopened.location(of: first.id)?.mailbox == "INBOX")
        #expect(notices.warnings.contains { $0.contains("ignoring .INBOX/") }, "\(notices.all)")
    }

    @Test("a copy of a captured message keeps its SMTP envelope across a restart, and is not captured itself")
    func copyKeepsEnvelope() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let original = Envelope(
            sender: "s@example.com", recipients: ["ana@example.com", "bo@example.com"], helo: "client.example",
            peer: "127.0.0.1:50000", receivedAt: Date(timeIntervalSince1970: 1_700_000_000))
        var copyID: UInt64 = 0
        do {
            let store = try MaildirStore(path: folder.path)
            let captured = try await store.append(Array("Subject: a\r\n\r\nA\r\n".utf8), envelope: original)
            _ = try await store.copy(ids: [captured.id], to: "Archive")
            copyID = try #require(store.snapshot(of: "Archive", matching: MessageFilter())?.entries.first?.message.id)
        }
        let reopened = try MaildirStore(path: folder.path)
        #expect(reopened.message(id: copyID)?.envelope == original)
        #expect(reopened.location(of: copyID)?.captured == false)
        #expect(reopened.messages(matching: MessageFilter()).count == 1, "only the original counts as captured")
    }

    @Test("folder messages read their files when asked, like INBOX's, after a restart")
    func folderMessagesAreLazy() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let raw = Array("Subject: sent\r\n\r\nS\r\n".utf8)
        do {
            let store = try MaildirStore(path: folder.path)
            let captured = try await deliver(store, "captured")
            _ = try await store.append(raw, to: "Sent", flags: MessageFlags(), receivedAt: Date())
            _ = try await store.copy(ids: [captured.id], to: "Archive")
            _ = try await store.move(ids: [captured.id], to: "Trash")
        }
        do { _ = try MaildirStore(path: folder.path) }  // the first restart learns the APPENDed file's envelope
        let store = try MaildirStore(path: folder.path)
        let sent = try #require(store.snapshot(of: "Sent", matching: MessageFilter())?.entries.first?.message)
        #expect(sent.size == raw.count)
        #expect(sent.raw == raw)
        // Every folder file removed behind the store's back: the messages are listed (sizes come
        // from the names), and their bytes, read on demand, are gone.
        var removed = 0
        for mailbox in [".Sent", ".Archive", ".Trash"] {
            for directory in ["new", "cur"] {
                for name in TemporaryFolder.names(folder.path + "/" + mailbox, directory) {
                    try FileManager.default.removeItem(atPath: "\(folder.path)/\(mailbox)/\(directory)/\(name)")
                    removed += 1
                }
            }
        }
        #expect(removed == 3)
        for mailbox in ["Archive", "Trash"] {
            let message = try #require(store.snapshot(of: mailbox, matching: MessageFilter())?.entries.first?.message)
            #expect(message.size > 0)
            #expect(message.raw.isEmpty, "\(mailbox): the bytes were not held in memory")
        }
    }

    @Test("folder files without ids of their own do not stall deliveries after a restart")
    func strangersAtStartUp() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        do { _ = try MaildirStore(path: folder.path) }
        // Another program's files in a folder: no `,U=` id and no envelope record.
        for number in 0..<3 {
            try Data("Subject: foreign \(number)\r\n\r\nF\r\n".utf8)
                .write(to: URL(fileURLWithPath: folder.path + "/.Archive/cur/foreign\(number).host:2,S"))
        }
        let store = try MaildirStore(path: folder.path)
        #expect(store.snapshot(of: "Archive", matching: MessageFilter())?.entries.count == 3)
        let delivered = try await deliver(store, "after strangers")
        #expect(store.message(id: delivered.id)?.subject == "after strangers")
    }
}
