/// What a wait is for: the first ``count`` messages that ``filter`` selects and ``predicate``
/// accepts, arriving within ``timeout``. Messages stored before the wait began count, so there
/// is no race between sending and waiting.
///
/// The one description of a wait that every interface shares: the facade's `waitForMessage`,
/// HTTP `GET /messages/wait`, the testing helpers and a remote catcher. A value type, safe to share.
public struct MessageWait: Sendable, CustomStringConvertible {
    /// Which messages count (its ``MessageFilter/mailbox`` criterion included).
    public var filter: MessageFilter
    /// How many matching messages end the wait (at least 1).
    public var count: Int
    /// How long to wait for them.
    public var timeout: Duration
    /// A further condition a message must meet, tested after ``filter`` (which is cheaper and, for
    /// a remote catcher, tested by the server).
    public var predicate: (@Sendable (Message) -> Bool)?

    public init(
        _ filter: MessageFilter = MessageFilter(), count: Int = 1, timeout: Duration,
        where predicate: (@Sendable (Message) -> Bool)? = nil
    ) {
        self.filter = filter
        self.count = max(1, count)
        self.timeout = timeout
        self.predicate = predicate
    }

    /// Whether `message`, carrying `flags`, is one of those awaited (``filter`` but its mailbox
    /// criterion, which only a store can judge, then ``predicate``).
    public func matches(_ message: Message, flags: MessageFlags = MessageFlags()) -> Bool {
        filter.matches(message, flags: flags) && (predicate?(message) ?? true)
    }

    /// `a message matching to=ana@example.com`, `3 messages matching any message and a predicate`.
    public var description: String {
        let what = count == 1 ? "a message" : "\(count) messages"
        let condition = filter.isEmpty && predicate == nil ? "" : " matching \(filter)"
        return what + condition
            + (predicate == nil ? "" : (filter.isEmpty ? " matching a predicate" : " and a predicate"))
    }
}
