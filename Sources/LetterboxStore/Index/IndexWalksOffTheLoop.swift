import LetterboxThreads

/// Reads of a store whose cost grows with the number of messages it holds, for a caller on an
/// event loop: a POP3 maildrop taken at login or an IMAP mailbox's snapshot walks every message
/// of the index (2,000 entries take a millisecond or more on a busy machine), and on the loop that
/// walk would hold up every other connection it serves. They run on ``BlockingPool/indexing``
/// while the calling task is suspended; what they return is the value the direct call would
/// have returned at that moment.
extension MessageStore {
    /// ``messages(matching:)`` for a caller on an event loop; `filter` should read no message file
    /// (a mailbox or envelope criterion), as the indexing threads are few.
    package func messagesOffTheLoop(matching filter: MessageFilter) async -> [Message] {
        await BlockingPool.indexing.perform { messages(matching: filter) }
    }

    /// ``snapshot(of:matching:)`` for a caller on an event loop (the same caveat on `filter`).
    package func snapshotOffTheLoop(of mailbox: String, matching filter: MessageFilter) async -> StoreSnapshot? {
        await BlockingPool.indexing.perform { snapshot(of: mailbox, matching: filter) }
    }
}
