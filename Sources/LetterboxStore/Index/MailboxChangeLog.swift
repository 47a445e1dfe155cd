/// The UIDs of one mailbox that changed lately (a message arrived, its flags or mod-sequence
/// changed, or it was expunged or moved away), each tagged with a value of the store's
/// ``MessageIndex/modificationSequence`` above every value a reader could have seen before the
/// change. A reader that last looked at `since` learns which UIDs to look at again
/// (``uids(since:)``) without walking the mailbox; when the log no longer reaches back that far,
/// it walks the mailbox as before.
///
/// A UID may be listed more often than it changed (a change is tagged one above the value of
/// the moment, and a change that moves the value more than once is listed once); a reader asks the
/// index for the UIDs' state now, so a UID listed twice costs a look, never a wrong answer.
struct MailboxChangeLog: Sendable {
    /// `(tag, uid)` in the order they were noted: tags never go down.
    private var changes: [(tag: UInt64, uid: UInt64)] = []
    /// Changes tagged up to this value are no longer listed: the oldest dropped past
    /// ``capacity``, and everything before the mailbox got this name (created, renamed, reloaded).
    private(set) var forgottenThrough: UInt64

    /// Changes a mailbox remembers; past it, the oldest half is forgotten.
    static let capacity = 8192
    /// The most changes one reader is given: past it, walking the mailbox costs about as much.
    static let mostListed = 2048

    /// A log that knows nothing up to `forgottenThrough`.
    init(forgottenThrough: UInt64) {
        self.forgottenThrough = forgottenThrough
    }

    /// Notes that `uid` changed now, when the store's modification sequence is `current`.
    mutating func note(uid: UInt64, current: UInt64) {
        let tag = current + 1
        if let last = changes.last, last.tag == tag, last.uid == uid { return }
        changes.append((tag, uid))
        guard changes.count > Self.capacity else { return }
        let dropped = changes.count / 2
        forgottenThrough = max(forgottenThrough, changes[dropped - 1].tag)
        changes.removeFirst(dropped)
    }

    /// The UIDs changed after a reader saw modification sequence `since`, ascending and each
    /// once; nil when the log does not reach back that far, or lists more than ``mostListed``.
    func uids(since: UInt64) -> [UInt64]? {
        guard since >= forgottenThrough else { return nil }
        var uids: [UInt64] = []
        // Newest last: back from the end until the changes the reader has seen.
        for change in changes.reversed() {
            guard change.tag > since else { break }
            guard uids.count < Self.mostListed else { return nil }
            uids.append(change.uid)
        }
        uids.sort()
        var unique: [UInt64] = []
        unique.reserveCapacity(uids.count)
        for uid in uids where unique.last != uid { unique.append(uid) }
        return unique
    }
}
