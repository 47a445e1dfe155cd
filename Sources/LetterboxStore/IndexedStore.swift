/// A store whose mailboxes live in a ``MessageIndex``: the parts of ``MessageStore`` that only
/// read or relabel the index are the same for every such store.
protocol IndexedStore: MessageStore {
    var index: MessageIndex { get }
}

extension IndexedStore {
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
}
