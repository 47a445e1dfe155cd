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
        #expect(store.snapshot(of: "INBOX", matching: MessageFilter())?.entries.map(\.message.id) == [first.id, second.id])
    }

    @Test("a waiter for captured mail is not woken by an APPEND, one for the mailbox is")
    func waiters() async throws {
        let store = MemoryStore()
        async let captured = store.waitForMessage(matching: MessageFilter(), timeout: .seconds(30))
        async let drafts = store.waitForMessage(matching: MessageFilter(mailbox: "Drafts"), timeout: .seconds(30))
        let draft = try await store.append(Array("Subject: d\r\n\r\n".utf8), to: "Drafts", flags: MessageFlags(), receivedAt: Date())
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
        #expect(try await firstChanges(4, of: changes) == [.added(message.id), .moved([message.id]), .removed([message.id]), .mailboxesChanged])
        #expect(throws: MailboxError.nonexistent("Junk")) { try store.deleteMailbox("Junk") }
    }

    @Test("the Maildir store keeps INBOX only for now and says so")
    func maildirRefuses() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try MaildirStore(path: folder.path)
        #expect(store.mailboxes().map(\.name) == ["INBOX"])
        #expect(throws: MailboxError.self) { try store.createMailbox("Sent") }
        let message = try await store.append(Array("Subject: a\r\n\r\n".utf8), envelope: envelope)
        await #expect(throws: MailboxError.self) { try await store.move(ids: [message.id], to: "INBOX") }
        #expect(store.location(of: message.id) == MessageLocation(mailbox: "INBOX", uid: message.id, captured: true))
    }
}
