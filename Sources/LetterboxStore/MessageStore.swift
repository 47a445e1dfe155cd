/// Where captured messages live. Every interface (SMTP in; HTTP, POP3, IMAP out) shares one store.
///
/// Implementations are safe to call from any task. A message is visible to readers only once
/// ``append(_:envelope:)`` has returned it, and never half-written.
public protocol MessageStore: Sendable {
    /// Stores a message durably (as durable as the store promises) and returns it with its new id.
    func append(_ raw: [UInt8], envelope: Envelope) async throws -> Message

    /// Every stored message, oldest first.
    func messages() -> [Message]

    /// The messages that match `filter`, oldest first.
    func messages(matching filter: MessageFilter) -> [Message]

    /// The message with `id`, if it is still stored.
    func message(id: UInt64) -> Message?

    /// Removes the messages with these ids for every interface; returns how many were removed.
    @discardableResult
    func remove(ids: [UInt64]) -> Int

    /// Returns the first message matching `filter`, waiting up to `timeout` for one to arrive.
    /// Messages stored before the call count. Woken by arrival, never by polling; nil on timeout
    /// or cancellation.
    func waitForMessage(matching filter: MessageFilter, timeout: Duration) async -> Message?

    /// Every change, from now on, until the stream is dropped.
    func changes() -> AsyncStream<StoreChange>

    /// The messages `filter` selects, with their flags, as of one moment.
    func snapshot(matching filter: MessageFilter) -> StoreSnapshot

    /// Increases with every change (arrival, removal, flags); cheap to read.
    var modificationSequence: UInt64 { get }

    /// A message's flags (IMAP system flags such as `\Seen`, and keywords).
    func flags(of id: UInt64) -> MessageFlags

    /// Changes the flags of the messages that still exist and returns their new flags.
    @discardableResult
    func updateFlags(_ update: FlagUpdate, ids: [UInt64]) -> [UInt64: MessageFlags]

    /// Claims \Recent for a session: returns the messages no session had seen yet (RFC 3501 §2.3.2).
    func claimRecent(_ ids: [UInt64]) -> Set<UInt64>

    /// Counts for metrics: messages and bytes stored now, messages received since start.
    var statistics: StoreStatistics { get }

    /// Changes only when ids may have been reused (a new memory store, a reset disk store), so
    /// clients that remember ids (IMAP UIDVALIDITY, POP3 UIDL) can tell (RFC 3501 §2.3.1.1).
    var uidValidity: UInt32 { get }
}

extension MessageStore {
    /// Removes every message; returns how many were removed.
    @discardableResult
    public func removeAll() -> Int { remove(ids: messages().map(\.id)) }
}

/// One change to a store, published once to every observer.
public enum StoreChange: Sendable, Equatable {
    case added(UInt64)
    case removed([UInt64])
    case flagsChanged([UInt64])
}

/// Messages with their flags as of one modification sequence.
public struct StoreSnapshot: Sendable {
    public struct Entry: Sendable {
        public let message: Message
        public let flags: MessageFlags
    }

    public let entries: [Entry]
    public let modificationSequence: UInt64
    /// The id the next stored message will get (IMAP UIDNEXT).
    public let nextID: UInt64
}

/// Counts a store keeps for `/metrics`.
public struct StoreStatistics: Sendable, Equatable {
    public var messages: Int
    public var bytes: Int
    public var received: Int

    public init(messages: Int, bytes: Int, received: Int) {
        self.messages = messages
        self.bytes = bytes
        self.received = received
    }
}
