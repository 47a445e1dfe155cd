import Foundation
import LetterboxStore
import Testing

/// The keywords a mailbox has ever seen on its messages, which IMAP announces in FLAGS and
/// PERMANENTFLAGS (RFC 3501 §7.2.6), kept by the store for every session.
@Suite("Keywords of a mailbox")
struct MailboxKeywordsTests {
    private let envelope = Envelope(sender: "s@example.com", recipients: ["ana@example.com"])

    private func exercise(_ store: some MessageStore) async throws {
        let first = try await store.append(Array("Subject: a\r\n\r\n".utf8), envelope: envelope)
        #expect(store.mailbox(named: "INBOX")?.keywords == [])
        store.updateFlags(.add(MessageFlags(["$label1", "\\Seen"])), ids: [first.id])
        #expect(store.mailbox(named: "INBOX")?.keywords == ["$label1"], "system flags are not keywords")
        store.updateFlags(.remove(MessageFlags(["$label1"])), ids: [first.id])
        #expect(store.mailbox(named: "INBOX")?.keywords == ["$label1"], "a keyword once announced stays")
        _ = try await store.append(
            Array("Subject: d\r\n\r\n".utf8), to: "Drafts", flags: MessageFlags(["Work", "$Junk"]), receivedAt: Date())
        #expect(store.mailbox(named: "Drafts")?.keywords == ["$Junk", "Work"])
        #expect(store.snapshot(of: "Drafts", matching: MessageFilter())?.mailbox?.keywords == ["$Junk", "Work"])
        store.updateFlags(.add(MessageFlags(["Copied"])), ids: [first.id])
        _ = try await store.copy(ids: [first.id], to: "Archive")
        #expect(store.mailbox(named: "Archive")?.keywords == ["Copied"])
        _ = try await store.move(ids: [first.id], to: "Junk")
        #expect(store.mailbox(named: "Junk")?.keywords == ["Copied"])
    }

    @Test("a memory store collects keywords from STORE, APPEND, COPY and MOVE")
    func memory() async throws {
        try await exercise(MemoryStore())
    }

    @Test("a Maildir store collects them too, and has them again after a restart (from the envelope log)")
    func maildir() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try await exercise(try MaildirStore(path: folder.path))
        let reopened = try MaildirStore(path: folder.path)
        #expect(reopened.mailbox(named: "Drafts")?.keywords == ["$Junk", "Work"])
        #expect(reopened.mailbox(named: "Junk")?.keywords == ["Copied"])
        #expect(reopened.mailbox(named: "Archive")?.keywords == ["Copied"])
    }
}
