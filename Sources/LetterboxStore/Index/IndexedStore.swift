/// A store whose messages and mailboxes live in a ``MessageIndex``: the parts of ``MessageStore``
/// that only read the index, wait on it or relabel it are the same for every such store.
protocol IndexedStore: MessageStore {
    var index: MessageIndex { get }
}

extension IndexedStore {
    public func messages() -> [Message] { index.all }

    public func messages(matching filter: MessageFilter) -> [Message] { index.messages(matching: filter) }

    public func message(id: UInt64) -> Message? { index.message(id: id) }

    public func waitForMessages(_ wait: MessageWait) async -> [Message] { await index.waitForMessages(wait) }

    public func changes() -> AsyncStream<StoreChange> { index.changes() }

    public var statistics: StoreStatistics { index.statistics }

    public func snapshot(matching filter: MessageFilter) -> StoreSnapshot { index.snapshot(matching: filter) }

    public var modificationSequence: UInt64 { index.modificationSequence }

    public func flags(of id: UInt64) -> MessageFlags { index.flags(of: id) }

    public func claimRecent(_ ids: [UInt64]) -> Set<UInt64> { index.claimRecent(ids) }

    public func mailboxes() -> [Mailbox] { index.mailboxes() }

    public func mailbox(named name: String) -> Mailbox? { index.mailbox(named: name) }

    public var subscriptions: Set<String> { index.subscriptions }

    public func setSubscribed(_ name: String, _ subscribed: Bool) throws(MailboxError) {
        try index.setSubscribed(name, subscribed)
    }

    public func snapshot(of mailbox: String, matching filter: MessageFilter) -> StoreSnapshot? {
        index.snapshot(of: mailbox, matching: filter)
    }

    public func location(of id: UInt64) -> MessageLocation? { index.location(of: id) }

    public func modSeq(of id: UInt64) -> UInt64? { index.modSeq(of: id) }

    public func expunged(from mailbox: String, since modSeq: UInt64) -> [UInt64]? {
        index.expunged(from: mailbox, since: modSeq)
    }
}
