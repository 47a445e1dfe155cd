import LetterboxThreads

/// A store whose flag changes and removals call the file system once per message (a Maildir
/// renames a file to change its `:2,` letters and unlinks it to remove it). On a slow or busy
/// disk, `STORE 1:* +FLAGS` over a large mailbox would hold the event loop, and with it every
/// other connection it serves, for as long as those calls take: code on an event loop changes
/// such a store through ``MessageStore/changeFlagsOffTheLoop(_:ids:)`` and
/// ``MessageStore/removeEachOffTheLoop(ids:)``.
package protocol FileBackedStore: MessageStore {}

extension MaildirStore: FileBackedStore {}

extension MessageStore {
    /// ``changeFlags(_:ids:)`` for a caller on an event loop: a ``FileBackedStore`` does its
    /// renames on the store's threads while the calling task is suspended; a store that only
    /// changes memory does it at once. Changes are serialized by the store either way, so the
    /// result is the one the direct call would give.
    package func changeFlagsOffTheLoop(_ update: FlagUpdate, ids: [UInt64]) async -> FlagChangeResult {
        guard self is any FileBackedStore, !ids.isEmpty else { return changeFlags(update, ids: ids) }
        return await BlockingPool.shared.perform { changeFlags(update, ids: ids) }
    }

    /// ``changeFlags(_:ids:unchangedSince:)`` for a caller on an event loop, as
    /// ``changeFlagsOffTheLoop(_:ids:)``.
    package func changeFlagsOffTheLoop(_ update: FlagUpdate, ids: [UInt64], unchangedSince: UInt64) async
        -> FlagChangeResult
    {
        guard self is any FileBackedStore, !ids.isEmpty else {
            return changeFlags(update, ids: ids, unchangedSince: unchangedSince)
        }
        return await BlockingPool.shared.perform { changeFlags(update, ids: ids, unchangedSince: unchangedSince) }
    }

    /// ``removeEach(ids:)`` for a caller on an event loop, as ``changeFlagsOffTheLoop(_:ids:)``.
    package func removeEachOffTheLoop(ids: [UInt64]) async -> RemovalResult {
        guard self is any FileBackedStore, !ids.isEmpty else { return removeEach(ids: ids) }
        return await BlockingPool.shared.perform { removeEach(ids: ids) }
    }
}
