#if canImport(FoundationEssentials)
    package import FoundationEssentials
#else
    package import Foundation
#endif

/// Where captured messages live. Every interface (SMTP in; HTTP, POP3, IMAP out) shares one store.
///
/// Implementations are safe to call from any task. A message is visible to readers only once
/// ``append(_:envelope:)`` has returned it, and never half-written.
package protocol MessageStore: Sendable {
    /// Stores a message durably (as durable as the store promises) and returns it with its new id.
    func append(_ raw: [UInt8], envelope: Envelope) async throws -> Message

    /// Every stored message in every mailbox, oldest first (captured or put there by a client).
    func messages() -> [Message]

    /// The messages that match `filter` (its ``MessageFilter/mailbox`` criterion included), oldest first.
    func messages(matching filter: MessageFilter) -> [Message]

    /// The message with `id`, if it is still stored.
    func message(id: UInt64) -> Message?

    /// Removes the messages with these ids for every interface; returns how many were removed.
    @discardableResult
    func remove(ids: [UInt64]) -> Int

    /// Removes the messages with these ids, saying which went and which stay (and why): a disk
    /// store keeps a message whose file it cannot delete.
    func removeEach(ids: [UInt64]) -> RemovalResult

    /// The first `wait.count` messages `wait` selects (its filter's mailbox criterion included),
    /// oldest first, waiting up to `wait.timeout` for them to arrive. Messages stored before the
    /// call count. Woken by arrivals, never by polling; fewer (possibly none) when the timeout
    /// passes or the task is cancelled.
    func waitForMessages(_ wait: MessageWait) async -> [Message]

    /// Every change, from now on, until the stream is dropped.
    func changes() -> AsyncStream<StoreChange>

    /// The messages `filter` selects, with their flags, as of one moment.
    func snapshot(matching filter: MessageFilter) -> StoreSnapshot

    /// Increases with every change (arrival, removal, flags); cheap to read.
    var modificationSequence: UInt64 { get }

    /// The id the next stored message will get (``StoreSnapshot/nextID``); cheap to read.
    var nextMessageID: UInt64 { get }

    /// A message's flags (IMAP system flags such as `\Seen`, and keywords).
    func flags(of id: UInt64) -> MessageFlags

    /// Changes the flags of the messages that still exist, all or nothing per message: returns the
    /// new flags of those changed and, for those the store could not change (a file that cannot be
    /// renamed), why; those keep their flags, in the index as on disk.
    func changeFlags(_ update: FlagUpdate, ids: [UInt64]) -> FlagChangeResult

    /// ``changeFlags(_:ids:)`` for the messages whose mod-sequence is still at most
    /// `unchangedSince`, checked and changed as one step, so no change by another session can
    /// come between the check and the change (RFC 7162 §3.1.3 UNCHANGEDSINCE); the others, and
    /// those no longer stored, are in ``FlagChangeResult/modified`` and keep their flags.
    func changeFlags(_ update: FlagUpdate, ids: [UInt64], unchangedSince: UInt64) -> FlagChangeResult

    /// Claims \Recent for a session: returns the messages no session had seen yet (RFC 3501 §2.3.2).
    func claimRecent(_ ids: [UInt64]) -> Set<UInt64>

    /// Counts for metrics: messages and bytes stored now, messages received since start.
    var statistics: StoreStatistics { get }

    /// Changes only when ids may have been reused (a new memory store, a reset disk store), so
    /// clients that remember ids (IMAP UIDVALIDITY, POP3 UIDL) can tell (RFC 3501 §2.3.1.1).
    /// Also INBOX's UIDVALIDITY.
    var uidValidity: UInt32 { get }

    // MARK: Mailboxes (see ``Mailbox``)

    /// Every mailbox, INBOX first, then by name. A new store has INBOX and the RFC 6154 folders
    /// Sent, Drafts, Trash, Junk and Archive.
    func mailboxes() -> [Mailbox]

    /// The mailbox called `name` (INBOX in any case), if it exists.
    func mailbox(named name: String) -> Mailbox?

    /// Names subscribed to (IMAP SUBSCRIBE); they need not exist.
    var subscriptions: Set<String> { get }

    /// Creates a mailbox and any missing one above it; throws if it exists or the name is invalid.
    @discardableResult
    func createMailbox(_ name: String) throws(MailboxError) -> Mailbox

    /// Deletes a mailbox with every message in it (for every interface); returns how many messages
    /// went. Throws for INBOX, a missing mailbox, or one with mailboxes below it.
    @discardableResult
    func deleteMailbox(_ name: String) throws(MailboxError) -> Int

    /// Renames a mailbox and those below it, keeping messages, UIDs and UIDVALIDITY. Not INBOX.
    func renameMailbox(_ name: String, to newName: String) throws(MailboxError)

    /// Subscribes to or unsubscribes from `name`.
    func setSubscribed(_ name: String, _ subscribed: Bool) throws(MailboxError)

    /// The messages in `mailbox` that `filter` selects, in UID order, with their flags, UIDs and
    /// the mailbox's UIDVALIDITY/UIDNEXT as of one moment; nil when the mailbox does not exist.
    func snapshot(of mailbox: String, matching filter: MessageFilter) -> StoreSnapshot?

    /// Which mailbox message `id` is in and its UID there; nil when it is not stored.
    func location(of id: UInt64) -> MessageLocation?

    /// Stores a message a client put into `mailbox` (IMAP APPEND): not captured over SMTP, so the
    /// default message list (an empty ``MessageFilter``) leaves it out. Returns it and its UID.
    /// Throws ``MailboxError`` (TRYCREATE) when the mailbox does not exist.
    func append(_ raw: [UInt8], to mailbox: String, flags: MessageFlags, receivedAt: Date) async throws
        -> (message: Message, uid: UInt64)

    /// Copies messages into `mailbox` (IMAP COPY): each copy is a new message with a new id, the
    /// same bytes, envelope and flags, not counted as captured. Returns `(source id, new UID)` pairs.
    func copy(ids: [UInt64], to mailbox: String) async throws -> [(source: UInt64, uid: UInt64)]

    /// Moves messages into `mailbox` (IMAP MOVE): same ids (HTTP keeps finding them), new UIDs.
    /// Returns `(id, old UID, new UID)` for each message still stored.
    func move(ids: [UInt64], to mailbox: String) async throws -> [(id: UInt64, from: UInt64, to: UInt64)]

    // MARK: Mod-sequences (RFC 7162, see ``Mailbox/highestModSeq``)

    /// The mod-sequence of message `id` (its last flag change or its arrival in its mailbox);
    /// nil when it is not stored or the store keeps none.
    func modSeq(of id: UInt64) -> UInt64?

    /// The UIDs expunged (or moved away) from `mailbox` with a mod-sequence above `modSeq`,
    /// ascending; nil when the store does not remember that far back (then any UID not in the
    /// mailbox may have gone).
    func expunged(from mailbox: String, since modSeq: UInt64) -> [UInt64]?

    /// The messages of `mailbox` that `filter` selects and that changed after modification
    /// sequence `since` (``modificationSequence``), as they are now, at a cost that grows with the
    /// changes; nil when the store cannot say: the reader then takes a ``snapshot(of:matching:)``.
    func updates(of mailbox: String, since: UInt64, matching filter: MessageFilter) -> MailboxUpdates?
}

/// Where a message is: its mailbox and UID there, and whether it was captured over SMTP (as
/// opposed to put there by an IMAP client with APPEND or COPY).
package struct MessageLocation: Sendable, Hashable {
    package let mailbox: String
    package let uid: UInt64
    package let captured: Bool

    package init(mailbox: String, uid: UInt64, captured: Bool) {
        self.mailbox = mailbox
        self.uid = uid
        self.captured = captured
    }
}

extension MessageStore {
    /// Removes every message; returns how many were removed.
    @discardableResult
    package func removeAll() -> Int { remove(ids: messages().map(\.id)) }

    /// The first message `filter` selects, waiting up to `timeout` for one to arrive; nil when the
    /// timeout passes or the task is cancelled (see ``waitForMessages(_:)``).
    package func waitForMessage(matching filter: MessageFilter, timeout: Duration) async -> Message? {
        await waitForMessages(MessageWait(filter, timeout: timeout)).first
    }

    /// Changes the flags of the messages that still exist and could be changed; returns their new
    /// flags (see ``changeFlags(_:ids:)``, which also says which could not be changed).
    @discardableResult
    package func updateFlags(_ update: FlagUpdate, ids: [UInt64]) -> [UInt64: MessageFlags] {
        changeFlags(update, ids: ids).changed
    }

    /// For a store that keeps no mod-sequences (``modSeq(of:)`` is nil): every message counts as
    /// modified, as RFC 7162 §3.1.3 has a server without them answer.
    package func changeFlags(_ update: FlagUpdate, ids: [UInt64], unchangedSince: UInt64) -> FlagChangeResult {
        FlagChangeResult(modified: Set(ids))
    }

    /// For a store that keeps no cheaper count: from a snapshot of INBOX.
    package var nextMessageID: UInt64 { snapshot(matching: MessageFilter()).nextID }

    /// For a store whose removals cannot fail: every message still stored is removed.
    package func removeEach(ids: [UInt64]) -> RemovalResult {
        let stored = ids.filter { message(id: $0) != nil }
        remove(ids: stored)
        return RemovalResult(removed: stored.filter { message(id: $0) == nil })
    }
}

/// One change to a store, published once to every observer.
package enum StoreChange: Sendable, Equatable {
    /// A message was captured over SMTP (into INBOX).
    case added(UInt64)
    case removed([UInt64])
    case flagsChanged([UInt64])
    /// Messages a client put into a mailbox (IMAP APPEND, COPY).
    case appended([UInt64])
    /// Messages moved to another mailbox (IMAP MOVE).
    case moved([UInt64])
    /// A mailbox was created, deleted or renamed.
    case mailboxesChanged
}

/// Messages with their flags as of one modification sequence.
package struct StoreSnapshot: Sendable {
    package struct Entry: Sendable {
        package let message: Message
        package let flags: MessageFlags
        /// The message's UID in the mailbox.
        package let uid: UInt64
        /// True while no IMAP session has claimed the message as \Recent (see ``MessageStore/claimRecent(_:)``).
        package let isRecent: Bool
        /// The message's mod-sequence: the last change of its flags or its arrival here (RFC 7162 §3.1.1).
        package let modSeq: UInt64
    }

    package let entries: [Entry]
    package let modificationSequence: UInt64
    /// The id the next stored message will get.
    package let nextID: UInt64
    /// The mailbox, with its UIDVALIDITY and UIDNEXT as of this snapshot.
    package let mailbox: Mailbox?
}

/// Counts a store keeps for `/metrics`.
package struct StoreStatistics: Sendable, Equatable {
    package var messages: Int
    package var bytes: Int
    package var received: Int

    package init(messages: Int, bytes: Int, received: Int) {
        self.messages = messages
        self.bytes = bytes
        self.received = received
    }
}
