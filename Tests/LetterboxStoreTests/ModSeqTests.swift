import Foundation
import LetterboxStore
import Testing

/// RFC 7162 mod-sequences in both stores: every arrival, flag change, move and expunge takes a
/// new value, a flag change that changes nothing takes none, expunged UIDs are remembered (up to
/// a bound, past which the store says it does not know), and a Maildir store never goes back.
@Suite struct ModSeqTests {
    @Test func changesMoveModSequencesAndHighestModSeq() async throws {
        let store = MemoryStore()
        let first = try await store.append(mail(), envelope: envelope())
        let second = try await store.append(mail(), envelope: envelope())
        let arrived = try #require(store.modSeq(of: second.id))
        #expect(try #require(store.modSeq(of: first.id)) < arrived)
        #expect(store.mailbox(named: "INBOX")?.highestModSeq == arrived)

        store.updateFlags(.add(MessageFlags(["\\Seen"])), ids: [first.id])
        let flagged = try #require(store.modSeq(of: first.id))
        #expect(flagged > arrived && store.mailbox(named: "INBOX")?.highestModSeq == flagged)
        // No change, no new mod-sequence (RFC 7162 §3.1.3).
        store.updateFlags(.add(MessageFlags(["\\Seen"])), ids: [first.id])
        #expect(store.modSeq(of: first.id) == flagged)

        // A move: a new value in the destination, the old UID expunged from the source.
        let moved = try await store.move(ids: [second.id], to: "Archive")
        let movedSeq = try #require(store.modSeq(of: second.id))
        #expect(movedSeq > flagged && store.mailbox(named: "Archive")?.highestModSeq == movedSeq)
        #expect(store.expunged(from: "INBOX", since: flagged) == [moved[0].from])
        #expect(store.mailbox(named: "INBOX")?.highestModSeq == movedSeq)

        store.remove(ids: [first.id])
        let inbox = try #require(store.mailbox(named: "INBOX")?.highestModSeq)
        #expect(inbox > movedSeq)
        #expect(store.expunged(from: "INBOX", since: flagged) == [first.id, moved[0].from].sorted())
        #expect(store.expunged(from: "INBOX", since: movedSeq) == [first.id])
        #expect(store.expunged(from: "INBOX", since: inbox) == [])
        #expect(store.modSeq(of: first.id) == nil)
    }

    @Test func expungeHistoryIsBoundedAndSaysWhenItForgot() {
        let index = MessageIndex()
        index.expungeHistoryLimit = 10
        var ids: [UInt64] = []
        for _ in 0..<12 {
            let id = index.reserveID()
            index.insert(Message(id: id, raw: mail(), envelope: envelope()))
            ids.append(id)
        }
        let before = index.highestModSeq
        for id in ids { index.remove(ids: [id]) }
        // The oldest expunges were forgotten: asking from before them gets nil (report a superset).
        #expect(index.expunged(from: "INBOX", since: before) == nil)
        #expect(index.expunged(from: "INBOX", since: index.highestModSeq - 2) == Array(ids.suffix(2)))
    }

    @Test func maildirResumesAboveEveryValueHandedOut() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var highest: UInt64 = 0
        do {
            let store = try await MaildirStore.open(at: folder.path)
            let message = try await store.append(mail(), envelope: envelope())
            store.updateFlags(.add(MessageFlags(["\\Flagged"])), ids: [message.id])
            highest = try #require(store.mailbox(named: "INBOX")?.highestModSeq)
        }
        #expect(FileManager.default.fileExists(atPath: folder.path + "/letterbox-modseq"))
        let reopened = try await MaildirStore.open(at: folder.path)
        let resumed = try #require(reopened.mailbox(named: "INBOX")?.highestModSeq)
        #expect(resumed > highest)
        // Every reloaded message carries the resumed value; nothing expunged before is listed.
        #expect(reopened.messages().allSatisfy { reopened.modSeq(of: $0.id) == resumed })
        #expect(reopened.expunged(from: "INBOX", since: highest) == nil)
        #expect(reopened.expunged(from: "INBOX", since: resumed) == [])
    }
}
