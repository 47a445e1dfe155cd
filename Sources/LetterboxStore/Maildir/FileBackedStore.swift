import LetterboxThreads

/// A store whose flag changes and removals call the file system once per message (a Maildir
/// renames a file to change its `:2,` letters and unlinks it to remove it). On a slow or busy
/// disk, `STORE 1:* +FLAGS` over a large mailbox would hold the event loop, and with it every
/// other connection it serves, for as long as those calls take: code on an event loop changes
/// such a store through ``MessageStore/changeFlagsOffTheLoop(_:ids:)`` and
/// ``MessageStore/removeEachOffTheLoop(ids:)``.
package protocol FileBackedStore: MessageStore {}

extension MaildirStore: FileBackedStore {}

/// The most ids a store that only changes memory changes or removes on the caller's thread: more
/// (`STORE 1:* +FLAGS`, an EXPUNGE or a POP3 QUIT over a large mailbox) cost a pass over each id,
/// and a sort of them for the observers, that grows with the mailbox.
private let changesOnTheCallersThread = 256

extension MessageStore {
    /// ``changeFlags(_:ids:)`` for a caller on an event loop: a ``FileBackedStore`` does its
    /// renames on the store's threads while the calling task is suspended; a store that only
    /// changes memory does it at once, or on an indexing thread for more than a few hundred ids.
    /// Changes are serialized by the store either way, so the result is the one the direct call
    /// would give.
    package func changeFlagsOffTheLoop(_ update: FlagUpdate, ids: [UInt64]) async -> FlagChangeResult {
        guard !ids.isEmpty, let pool = offTheLoopPool(ids.count) else { return changeFlags(update, ids: ids) }
        return await pool.perform { changeFlags(update, ids: ids) }
    }

    /// Where a change of `count` messages runs for a caller on an event loop: a file-backed
    /// store's threads, an indexing thread for many ids of a memory store, or nil (at once).
    private func offTheLoopPool(_ count: Int) -> BlockingPool? {
        if self is any FileBackedStore { return .shared }
        return count > changesOnTheCallersThread ? .indexing : nil
    }

    /// ``changeFlags(_:ids:unchangedSince:)`` for a caller on an event loop, as
    /// ``changeFlagsOffTheLoop(_:ids:)``.
    package func changeFlagsOffTheLoop(_ update: FlagUpdate, ids: [UInt64], unchangedSince: UInt64) async
        -> FlagChangeResult
    {
        guard !ids.isEmpty, let pool = offTheLoopPool(ids.count) else {
            return changeFlags(update, ids: ids, unchangedSince: unchangedSince)
        }
        return await pool.perform { changeFlags(update, ids: ids, unchangedSince: unchangedSince) }
    }

    /// ``deleteMailbox(_:)`` for a caller on an event loop: it removes every message of the mailbox
    /// (a disk store unlinks each file), so it runs on the store's threads, or an indexing thread
    /// for a store that only changes memory, while the calling task is suspended.
    @discardableResult
    package func deleteMailboxOffTheLoop(_ name: String) async throws(MailboxError) -> Int {
        try await mailboxPool.run { () throws(MailboxError) in try deleteMailbox(name) }
    }

    /// ``renameMailbox(_:to:)`` for a caller on an event loop, as ``deleteMailboxOffTheLoop(_:)``:
    /// it relabels every message of the mailbox (and a disk store renames its folders).
    package func renameMailboxOffTheLoop(_ name: String, to newName: String) async throws(MailboxError) {
        try await mailboxPool.run { () throws(MailboxError) in try renameMailbox(name, to: newName) }
    }

    private var mailboxPool: BlockingPool { self is any FileBackedStore ? .shared : .indexing }

    /// ``removeEach(ids:)`` for a caller on an event loop, as ``changeFlagsOffTheLoop(_:ids:)``.
    package func removeEachOffTheLoop(ids: [UInt64]) async -> RemovalResult {
        guard !ids.isEmpty, let pool = offTheLoopPool(ids.count) else { return removeEach(ids: ids) }
        return await pool.perform { removeEach(ids: ids) }
    }
}
