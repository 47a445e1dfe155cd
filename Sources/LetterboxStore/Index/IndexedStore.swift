/// A store whose messages and mailboxes live in a ``MessageIndex``: the parts of ``MessageStore``
/// that only read the index, wait on it or relabel it are the same for every such store.
protocol IndexedStore: MessageStore {
    var index: MessageIndex { get }
}

extension IndexedStore {
    package func messages() -> [Message] { index.all }

    package func messages(matching filter: MessageFilter) -> [Message] { index.messages(matching: filter) }

    package func message(id: UInt64) -> Message? { index.message(id: id) }

    package func waitForMessages(_ wait: MessageWait) async -> [Message] { await index.waitForMessages(wait) }

    package func changes() -> AsyncStream<StoreChange> { index.changes() }

    package var statistics: StoreStatistics { index.statistics }

    package func snapshot(matching filter: MessageFilter) -> StoreSnapshot { index.snapshot(matching: filter) }

    package var modificationSequence: UInt64 { index.modificationSequence }

    package var nextMessageID: UInt64 { index.nextID }

    package func flags(of id: UInt64) -> MessageFlags { index.flags(of: id) }

    package func claimRecent(_ ids: [UInt64]) -> Set<UInt64> { index.claimRecent(ids) }

    package func mailboxes() -> [Mailbox] { index.mailboxes() }

    package func mailbox(named name: String) -> Mailbox? { index.mailbox(named: name) }

    package var subscriptions: Set<String> { index.subscriptions }

    package func setSubscribed(_ name: String, _ subscribed: Bool) throws(MailboxError) {
        try index.setSubscribed(name, subscribed)
    }

    package func snapshot(of mailbox: String, matching filter: MessageFilter) -> StoreSnapshot? {
        index.snapshot(of: mailbox, matching: filter)
    }

    package func location(of id: UInt64) -> MessageLocation? { index.location(of: id) }

    package func modSeq(of id: UInt64) -> UInt64? { index.modSeq(of: id) }

    package func expunged(from mailbox: String, since modSeq: UInt64) -> [UInt64]? {
        index.expunged(from: mailbox, since: modSeq)
    }

    package func updates(of mailbox: String, since: UInt64, matching filter: MessageFilter) -> MailboxUpdates? {
        index.updates(of: mailbox, since: since, matching: filter)
    }
}
