import Foundation
import Testing

@testable import LetterboxStore

/// What changed in a mailbox since a reader last looked (``MessageStore/updates(of:since:matching:)``):
/// the UIDs to look at again, as they are now, at a cost that grows with the changes; nil when
/// the store cannot say, so the reader walks the mailbox.
@Suite struct MailboxUpdatesTests {
    private func deliver(_ store: MemoryStore, to recipient: String = "bo@example.com") async throws -> Message {
        try await store.append(
            Array("Subject: s\r\n\r\nbody\r\n".utf8),
            envelope: Envelope(sender: "s@example.com", recipients: [recipient]))
    }

    @Test func arrivalsFlagChangesAndExpungesSinceAModificationSequence() async throws {
        let store = MemoryStore()
        let first = try await deliver(store)
        let second = try await deliver(store)
        let third = try await deliver(store)
        let since = store.modificationSequence
        let updatesNow = try #require(
            store.updates(of: "INBOX", since: since, matching: MessageFilter(mailbox: "INBOX")))
        // The last change may be listed again (a UID may be listed more often than it changed).
        #expect(updatesNow.present.allSatisfy { $0.uid == third.id } && updatesNow.absent.isEmpty)

        store.updateFlags(.add(MessageFlags(["$A"])), ids: [first.id])
        store.remove(ids: [second.id])
        let fourth = try await deliver(store)
        let updates = try #require(store.updates(of: "inbox", since: since, matching: MessageFilter(mailbox: "INBOX")))
        #expect(updates.present.map(\.uid).filter { $0 != third.id } == [first.id, fourth.id])
        #expect(updates.present.first?.flags == MessageFlags(["$A"]))
        #expect(updates.present.last?.isRecent == true)
        #expect(updates.absent == [second.id])
        #expect(updates.modificationSequence == store.modificationSequence)
        #expect(updates.mailbox.keywords == ["$A"])
        store.updateFlags(.add(MessageFlags(["$B"])), ids: [fourth.id])
        let since2 = store.modificationSequence
        let fifth = try await deliver(store)
        #expect(
            store.updates(of: "INBOX", since: since2, matching: MessageFilter(mailbox: "INBOX"))?.present.map(\.uid)
                .filter { $0 != fourth.id } == [fifth.id], "changes before `since` are not listed, but the last")
    }

    @Test func aRecipientsViewListsOnlyItsMail() async throws {
        let store = MemoryStore()
        let since = store.modificationSequence
        let mine = try await deliver(store, to: "ana@example.com")
        let other = try await deliver(store, to: "bo@example.com")
        let updates = try #require(
            store.updates(of: "INBOX", since: since, matching: .view(login: "ana@example.com", mailbox: "INBOX")))
        #expect(updates.present.map(\.uid) == [mine.id])
        #expect(updates.absent == [other.id])
    }

    @Test func aMovedMessageLeavesOneMailboxAndArrivesInTheOther() async throws {
        let store = MemoryStore()
        let message = try await deliver(store)
        let since = store.modificationSequence
        let moved = try await store.move(ids: [message.id], to: "Archive")
        #expect(
            store.updates(of: "INBOX", since: since, matching: MessageFilter(mailbox: "INBOX"))?.absent == [message.id])
        #expect(
            store.updates(of: "Archive", since: since, matching: MessageFilter(mailbox: "Archive"))?.present.map(\.uid)
                == moved.map(\.to))
    }

    @Test func noAnswerWhenMoreChangedThanIsWorthListing() async throws {
        let store = MemoryStore()
        let since = store.modificationSequence
        var ids: [UInt64] = []
        for _ in 0...MailboxChangeLog.mostListed { ids.append(try await deliver(store).id) }
        #expect(store.updates(of: "INBOX", since: since, matching: MessageFilter(mailbox: "INBOX")) == nil)
        let later = store.modificationSequence
        store.updateFlags(.add(MessageFlags([MessageFlags.seen])), ids: [ids[0]])
        let updates = store.updates(of: "INBOX", since: later, matching: MessageFilter(mailbox: "INBOX"))
        #expect(updates?.present.contains { $0.uid == ids[0] } == true)
    }

    @Test func noAnswerOnceTheLogNoLongerReachesBack() {
        var log = MailboxChangeLog(forgottenThrough: 0)
        for uid in 1...UInt64(MailboxChangeLog.capacity + 1) { log.note(uid: uid, current: uid) }
        #expect(log.uids(since: 1) == nil, "the oldest half was forgotten")
        #expect(log.uids(since: UInt64(MailboxChangeLog.capacity + 1)) == [UInt64(MailboxChangeLog.capacity + 1)])
    }

    @Test func noAnswerForAMailboxMadeOrRenamedSince() throws {
        let store = MemoryStore()
        let since = store.modificationSequence
        _ = try store.createMailbox("A")
        #expect(store.updates(of: "A", since: since, matching: MessageFilter(mailbox: "A")) == nil)
        let created = store.modificationSequence
        #expect(store.updates(of: "A", since: created, matching: MessageFilter(mailbox: "A")) != nil)
        try store.renameMailbox("A", to: "B")
        #expect(store.updates(of: "B", since: created, matching: MessageFilter(mailbox: "B")) == nil)
        #expect(store.updates(of: "A", since: created, matching: MessageFilter(mailbox: "A")) == nil)
    }

    @Test func removingScatteredMessagesKeepsEveryOtherInOrder() async throws {
        let store = MemoryStore()
        var ids: [UInt64] = []
        for _ in 0..<40 { ids.append(try await deliver(store).id) }
        _ = try await store.move(ids: Array(ids[30..<40]), to: "Archive")
        let doomed = [ids[0], ids[7], ids[8], ids[29], ids[31], ids[39]]
        #expect(store.remove(ids: doomed + [ids[7], 9999]) == doomed.count)
        let kept = ids.filter { !doomed.contains($0) }
        #expect(store.messages(matching: MessageFilter(mailbox: MessageFilter.everyMailbox)).map(\.id) == kept)
        #expect(
            store.snapshot(of: "INBOX", matching: MessageFilter(mailbox: "INBOX"))?.entries.map(\.uid)
                == Array(kept.prefix(26)))
        #expect(
            store.snapshot(of: "Archive", matching: MessageFilter(mailbox: "Archive"))?.entries.map(\.uid) == [
                1, 3, 4, 5, 6, 7, 8, 9,
            ])
        #expect(store.statistics.messages == kept.count)
    }
}
