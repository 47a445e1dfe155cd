import Foundation
import LetterboxStore
import Testing

@Suite("Mailboxes in the store")
struct MailboxStoreTests {
    private let envelope = Envelope(sender: "s@example.com", recipients: ["ana@example.com"])

    @Test("a memory store starts with INBOX and the special-use folders, subscribed")
    func defaults() {
        let store = MemoryStore()
        #expect(store.mailboxes().map(\.name) == ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"])
        #expect(store.mailbox(named: "sent")?.specialUse == nil, "names other than INBOX are case-sensitive")
        #expect(store.mailbox(named: "Sent")?.specialUse == .sent)
        #expect(store.mailbox(named: "inbox")?.uidValidity == store.uidValidity)
        #expect(store.subscriptions == ["INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"])
    }

    @Test("UIDs are per mailbox and ascending; a moved message keeps its id and gets a new UID")
    func uids() async throws {
        let store = MemoryStore()
        let first = try await store.append(Array("Subject: a\r\n\r\n".utf8), envelope: envelope)
        let second = try await store.append(Array("Subject: b\r\n\r\n".utf8), envelope: envelope)
        let moved = try await store.move(ids: [second.id], to: "Archive")
        #expect(moved.map(\.to) == [1])
        #expect(store.location(of: second.id) == MessageLocation(mailbox: "Archive", uid: 1, captured: true))
        let back = try await store.move(ids: [second.id], to: "INBOX")
        #expect(back.map(\.to) == [3], "INBOX's UIDNEXT was 3")
        #expect(store.snapshot(of: "INBOX", matching: MessageFilter())?.entries.map(\.uid) == [1, 3])
        #expect(
            store.snapshot(of: "INBOX", matching: MessageFilter())?.entries.map(\.message.id) == [first.id, second.id])
    }

    @Test("a waiter for captured mail is not woken by an APPEND, one for the mailbox is")
    func waiters() async throws {
        let store = MemoryStore()
        // The appends below end the waits; the timeout only bounds a failure (generous: on CI's
        // loaded machine a test task has waited more than 10 s to run).
        async let captured = store.waitForMessage(matching: MessageFilter(), timeout: .seconds(120))
        async let drafts = store.waitForMessage(matching: MessageFilter(mailbox: "Drafts"), timeout: .seconds(120))
        let draft = try await store.append(
            Array("Subject: d\r\n\r\n".utf8), to: "Drafts", flags: MessageFlags(), receivedAt: Date())
        #expect(await drafts?.id == draft.message.id)
        let mail = try await store.append(Array("Subject: m\r\n\r\n".utf8), envelope: envelope)
        #expect(await captured?.id == mail.id)
    }

    @Test("deleting a mailbox removes its messages for everyone and tells observers")
    func deleteRemovesMessages() async throws {
        let store = MemoryStore()
        let changes = store.changes()
        let message = try await store.append(Array("Subject: a\r\n\r\n".utf8), envelope: envelope)
        _ = try await store.move(ids: [message.id], to: "Junk")
        #expect(try store.deleteMailbox("Junk") == 1)
        #expect(store.message(id: message.id) == nil)
        #expect(
            try await firstChanges(4, of: changes) == [
                .added(message.id), .moved([message.id]), .removed([message.id]), .mailboxesChanged,
            ])
        #expect(throws: MailboxError.nonexistent("Junk")) { try store.deleteMailbox("Junk") }
    }

    @Test("Maildir: folders are Maildir++ subfolders whose UIDs, flags and envelopes survive a restart")
    func maildirFolders() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var store: MaildirStore? = try MaildirStore(path: folder.path)
        guard let first = store else { return }
        #expect(first.mailboxes().map(\.name) == ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"])
        #expect(FileManager.default.fileExists(atPath: folder.path + "/.Sent/cur"))
        let captured = try await first.append(Array("Subject: a\r\n\r\nA\r\n".utf8), envelope: envelope)
        let kept = try await first.append(Array("Subject: b\r\n\r\nB\r\n".utf8), envelope: envelope)
        first.updateFlags(.add(MessageFlags(["\\Flagged", "$Work"])), ids: [captured.id])
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let (appended, appendedUID) = try await first.append(
            Array("Subject: c\r\n\r\nC\r\n".utf8), to: "Sent", flags: MessageFlags(["\\Seen"]), receivedAt: date)
        #expect(appendedUID == 1)
        let copied = try await first.copy(ids: [captured.id], to: "Archive")
        #expect(copied.map(\.uid) == [1])
        let moved = try await first.move(ids: [captured.id], to: "Trash")
        #expect(moved.map(\.to) == [1])
        try first.createMailbox("Projects/2024")
        let projects = try await first.copy(ids: [kept.id], to: "Projects/2024")
        await #expect(throws: MailboxError.self) { try await first.move(ids: [kept.id], to: "INBOX") }
        #expect(throws: MailboxError.self) { try first.createMailbox("With.Dot") }
        let validity = try #require(first.mailbox(named: "Projects/2024")?.uidValidity)
        store = nil

        let second = try MaildirStore(path: folder.path)
        #expect(
            second.mailboxes().map(\.name) == [
                "INBOX", "Archive", "Drafts", "Junk", "Projects", "Projects/2024", "Sent", "Trash",
            ])
        #expect(second.mailbox(named: "Projects/2024")?.uidValidity == validity)
        #expect(second.location(of: captured.id) == MessageLocation(mailbox: "Trash", uid: 1, captured: true))
        #expect(second.message(id: captured.id)?.envelope == envelope, "a moved message keeps its SMTP envelope")
        #expect(second.flags(of: captured.id) == MessageFlags(["\\Flagged", "$Work"]))
        #expect(second.location(of: appended.id) == MessageLocation(mailbox: "Sent", uid: 1, captured: false))
        #expect(second.message(id: appended.id)?.envelope.receivedAt == date, "the internal date is the file's mtime")
        #expect(second.flags(of: appended.id) == MessageFlags(["\\Seen"]))
        #expect(second.snapshot(of: "Archive", matching: MessageFilter())?.entries.map(\.uid) == [1])
        #expect(
            second.snapshot(of: "Projects/2024", matching: MessageFilter())?.entries.map(\.message.subject) == ["b"])
        #expect(projects.map(\.source) == [kept.id])
        #expect(
            second.messages(matching: MessageFilter()).map(\.id) == [captured.id, kept.id],
            "the captured ones, wherever they are")
        let next = try await second.append(
            Array("Subject: d\r\n\r\n".utf8), to: "Sent", flags: MessageFlags(), receivedAt: date)
        #expect(next.uid == 2)
        #expect(next.message.id > appended.id + 2, "ids given to copies before the restart are not given again")

        try second.renameMailbox("Projects", to: "Work")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/.Work.2024/cur"))
        #expect(second.snapshot(of: "Work/2024", matching: MessageFilter())?.entries.count == 1)
        #expect(try second.deleteMailbox("Work/2024") == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/.Work.2024"))
        #expect(second.remove(ids: [captured.id]) == 1)
        #expect(TemporaryFolder.names(folder.path + "/.Trash", "cur").isEmpty)
    }
}
