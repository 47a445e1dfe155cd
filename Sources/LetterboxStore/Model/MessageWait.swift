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

    /// ` matching to=ana@example.com`, ` matching to=ana@example.com and a predicate`, ` matching
    /// a predicate`, or empty when every message counts: what follows "a message" in a sentence.
    public var condition: String {
        switch (filter.isEmpty, predicate == nil) {
        case (true, true): ""
        case (true, false): " matching a predicate"
        case (false, true): " matching \(filter)"
        case (false, false): " matching \(filter) and a predicate"
        }
    }

    /// `a message matching to=ana@example.com`, `3 messages matching a predicate`.
    public var description: String { (count == 1 ? "a message" : "\(count) messages") + condition }
}
