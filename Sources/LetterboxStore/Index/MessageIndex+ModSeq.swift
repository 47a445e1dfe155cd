import Synchronization

/// Mod-sequences (RFC 7162 CONDSTORE and QRESYNC) kept by a ``MessageIndex``.
///
/// One counter serves every mailbox: each change (an arrival, a flag change, an expunge or a move)
/// takes the next value, shared by all the messages one operation changes, so values grow
/// strictly within each mailbox as §3.1.1 asks, and a STORE's changes carry one value (§3.1.3).
/// A message's mod-sequence is that of its last change; a mailbox's HIGHESTMODSEQ that of the last
/// change in it. Messages a disk store reloaded have no entry of their own: they all carry the
/// value the index resumed from (``MessageIndex/resumeModSeqs(from:reservation:)``), above any value
/// handed out before the restart, so a client that resynchronizes after one hears of every message
/// (a superset, which RFC 7162 allows, and right even if another program changed flags meanwhile).
struct ModSeqState: Sendable {
    /// The value last handed out; never goes back.
    var highest: UInt64 = 1
    /// The mod-sequence of messages without an entry of their own (reloaded by a disk store).
    var base: UInt64 = 1
    /// Mod-sequences of the messages changed (or arrived) since the index was made.
    var perMessage: [UInt64: UInt64] = [:]
    /// Whatever makes values up to ``ModSeqReservation/limit`` durable (a disk store); none in memory.
    var reservation: ModSeqReservation?
    /// Expunged UIDs each mailbox remembers (see ``MailboxModSeq/noteExpunged(uid:modSeq:limit:)``).
    var historyLimit = MailboxModSeq.defaultHistoryLimit
}

/// How far a disk store has recorded that mod-sequences may have gone: the index hands out no
/// value above ``limit`` before ``extend`` has recorded a higher one, so a restart resumes above
/// every value any client was told (RFC 7162 §3.1.1: HIGHESTMODSEQ never goes back).
package struct ModSeqReservation: Sendable {
    package var limit: UInt64
    /// Records a new limit (at least the value asked for); returns the limit recorded, or nil when
    /// it could not be (the index then goes on: a change is never refused for this).
    package var extend: @Sendable (UInt64) -> UInt64?

    package init(limit: UInt64, extend: @escaping @Sendable (UInt64) -> UInt64?) {
        self.limit = limit
        self.extend = extend
    }
}

/// A mailbox's HIGHESTMODSEQ and the UIDs expunged from it lately, for QRESYNC's VANISHED (EARLIER).
struct MailboxModSeq: Sendable {
    /// The mod-sequence of the last change in the mailbox.
    var highest: UInt64 = 1
    /// `(uid, modSeq)` of expunged messages, ascending by mod-sequence (the order they went).
    var expunged: [(uid: UInt64, modSeq: UInt64)] = []
    /// Expunges with a mod-sequence up to this one are no longer listed: the oldest dropped past
    /// ``ModSeqState/historyLimit``, and every one from before a restart.
    var forgottenThrough: UInt64 = 0

    /// Expunged UIDs a mailbox remembers by default.
    static let defaultHistoryLimit = 20_000

    /// Records an expunge; past `limit` remembered, the oldest half is forgotten (RFC 7162
    /// §3.2.5.2 then lets the server report a superset).
    mutating func noteExpunged(uid: UInt64, modSeq: UInt64, limit: Int) {
        highest = max(highest, modSeq)
        expunged.append((uid, modSeq))
        guard expunged.count > max(limit, 1) else { return }
        let dropped = expunged.count / 2
        forgottenThrough = max(forgottenThrough, expunged[dropped - 1].modSeq)
        expunged.removeFirst(dropped)
    }
}

extension MessageIndex.State {
    /// The next mod-sequence, made durable first where a disk store asks for it.
    mutating func nextModSeq() -> UInt64 {
        let next = modSeqs.highest + 1
        if var reservation = modSeqs.reservation, next > reservation.limit {
            // Rare (once per ``MessageIndex/modSeqReservationBlock`` changes) and a few hundred
            // microseconds: a small file written and renamed.
            if let limit = reservation.extend(next + MessageIndex.modSeqReservationBlock) {
                reservation.limit = limit
                modSeqs.reservation = reservation
            }
        }
        modSeqs.highest = next
        return next
    }

    /// The mod-sequence of stored message `id`.
    func modSeq(of id: UInt64) -> UInt64 { modSeqs.perMessage[id] ?? modSeqs.base }

    /// Gives stored messages `ids` the mod-sequence `modSeq`, in the mailboxes they are in, and
    /// notes them in those mailboxes' change logs (every arrival and flag change comes here).
    mutating func stamp(_ ids: [UInt64], modSeq: UInt64) {
        for id in ids {
            modSeqs.perMessage[id] = modSeq
            let placement = placement(ofStored: id)
            mailboxes[placement.mailbox]?.changes.note(uid: placement.uid, current: modificationSequence)
            if let highest = mailboxes[placement.mailbox]?.modSeq.highest, highest < modSeq {
                mailboxes[placement.mailbox]?.modSeq.highest = modSeq
            }
        }
    }

    /// Records messages leaving their mailboxes for good (called before they are unplaced).
    mutating func recordExpunged(_ gone: Set<UInt64>, modSeq: UInt64) {
        for id in gone.sorted() {
            let placement = placement(ofStored: id)
            recordExpunged(uid: placement.uid, in: placement.mailbox, modSeq: modSeq)
            modSeqs.perMessage[id] = nil
        }
    }

    mutating func recordExpunged(uid: UInt64, in mailbox: String, modSeq: UInt64) {
        mailboxes[mailbox]?.modSeq.noteExpunged(uid: uid, modSeq: modSeq, limit: modSeqs.historyLimit)
        mailboxes[mailbox]?.changes.note(uid: uid, current: modificationSequence)
    }
}

extension MessageIndex {
    /// Values a disk store reserves at a time (one small file write per this many changes; a
    /// restart skips at most this many).
    package static let modSeqReservationBlock: UInt64 = 1 << 16

    /// The mod-sequence of stored message `id`; nil when it is not stored.
    package func modSeq(of id: UInt64) -> UInt64? {
        state.withLock { state in state.byID[id] == nil ? nil : state.modSeq(of: id) }
    }

    /// How many expunged UIDs each mailbox remembers for VANISHED (EARLIER) (tests make it small).
    package var expungeHistoryLimit: Int {
        get { state.withLock { $0.modSeqs.historyLimit } }
        set { state.withLock { $0.modSeqs.historyLimit = newValue } }
    }

    /// The mod-sequence last handed out, in any mailbox.
    package var highestModSeq: UInt64 { state.withLock { $0.modSeqs.highest } }

    /// The UIDs expunged from `mailbox` with a mod-sequence above `modSeq`, ascending; nil when
    /// the mailbox's history does not reach back that far (or it does not exist): the caller then
    /// reports every UID it cannot find, a superset RFC 7162 §3.2.5.2 allows.
    package func expunged(from mailbox: String, since modSeq: UInt64) -> [UInt64]? {
        state.withLock { state in
            guard let history = state.mailboxes[Mailbox.canonical(mailbox)]?.modSeq,
                modSeq >= history.forgottenThrough
            else { return nil }
            // Newest last: scan back from the end until older than `modSeq`.
            var uids: [UInt64] = []
            for entry in history.expunged.reversed() {
                guard entry.modSeq > modSeq else { break }
                uids.append(entry.uid)
            }
            return uids.sorted()
        }
    }

    /// After a disk store reloaded every mailbox: mod-sequences resume from `base` (a value no
    /// client was told before), every message and mailbox carries it, and nothing expunged before
    /// is listed. `reservation` makes later values durable before they are handed out.
    package func resumeModSeqs(from base: UInt64, reservation: ModSeqReservation?) {
        state.withLock { state in
            state.modSeqs.highest = max(state.modSeqs.highest, base)
            state.modSeqs.base = state.modSeqs.highest
            state.modSeqs.perMessage = [:]
            state.modSeqs.reservation = reservation
            for name in state.mailboxes.keys {
                state.mailboxes[name]?.modSeq = MailboxModSeq(
                    highest: state.modSeqs.base, expunged: [], forgottenThrough: state.modSeqs.base)
                // Every message's mod-sequence changed: a session that looked before walks.
                state.mailboxes[name]?.changes = MailboxChangeLog(forgottenThrough: state.modificationSequence + 1)
            }
        }
    }
}

extension MessageStore {
    /// A store that keeps no mod-sequences.
    package func modSeq(of id: UInt64) -> UInt64? { nil }

    /// A store that keeps no history of expunges.
    package func expunged(from mailbox: String, since modSeq: UInt64) -> [UInt64]? { nil }
}
