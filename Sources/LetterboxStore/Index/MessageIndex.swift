package import LetterboxThreads
import Synchronization

#if canImport(FoundationEssentials)
    package import FoundationEssentials
#else
    package import Foundation
#endif

/// The in-memory part every store shares: messages by id in arrival order, id allocation,
/// mailboxes and where each message is (see `MessageIndex+Mailboxes.swift`), waiters and
/// observers. Stores wrap it and add their own persistence.
package final class MessageIndex: Sendable {
    struct State {
        var ids: [UInt64] = []
        var byID: [UInt64: Message] = [:]
        var nextID: UInt64
        var bytes = 0
        var received = 0
        /// Waits in progress, see `MessageIndex+Waiting.swift`.
        var waits = WaitState()
        var observers: [UInt64: AsyncStream<StoreChange>.Continuation] = [:]
        var nextObserverID: UInt64 = 0
        /// Flags per message (IMAP system flags and keywords); absent means none.
        var flags: [UInt64: MessageFlags] = [:]
        /// Messages no session has seen as \Recent yet (RFC 3501 §2.3.2).
        var unclaimedRecent: Set<UInt64> = []
        /// Increases with every change, so a reader can tell cheaply whether anything changed.
        var modificationSequence: UInt64 = 1
        /// Every mailbox by canonical name; INBOX always exists.
        var mailboxes: [String: MailboxState] = [:]
        /// Where each message is, for those not in INBOX as captured with their id as UID; read
        /// through ``placement(of:)``, written through ``place(_:in:captured:uid:)``.
        var otherPlacements: [UInt64: MessageLocation] = [:]
        /// Subscribed names (they need not exist, RFC 3501 §6.3.6).
        var subscriptions: Set<String> = []
        /// The UIDVALIDITY most recently given to a mailbox.
        var lastUIDValidity: UInt32
        /// RFC 7162 mod-sequences, see `MessageIndex+ModSeq.swift`.
        var modSeqs = ModSeqState()
    }

    let state: Mutex<State>
    /// Where waits match messages (they may read files): off the caller's event loop.
    let waitPool: BlockingPool

    /// An index with INBOX (UIDVALIDITY `uidValidity`) and, with `defaultFolders`, the RFC 6154
    /// folders Sent, Drafts, Trash, Junk and Archive, subscribed, with the same UIDVALIDITY.
    package init(
        nextID: UInt64 = 1, uidValidity: UInt32 = 1, defaultFolders: Bool = true,
        waitPool: BlockingPool = .reading
    ) {
        self.waitPool = waitPool
        var initial = State(nextID: nextID, lastUIDValidity: uidValidity)
        initial.mailboxes[Mailbox.inbox] = MailboxState(
            name: Mailbox.inbox, uidValidity: uidValidity, specialUse: nil, forgottenThrough: 0)
        initial.subscriptions.insert(Mailbox.inbox)
        if defaultFolders {
            for use in SpecialUse.allCases {
                initial.mailboxes[use.defaultName] = MailboxState(
                    name: use.defaultName, uidValidity: uidValidity, specialUse: use, forgottenThrough: 0)
                initial.subscriptions.insert(use.defaultName)
            }
        }
        state = Mutex(initial)
    }

    /// Assigns the next id without inserting (a disk store names its file after it first).
    package func reserveID() -> UInt64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// The id ``reserveID()`` hands out next.
    package var nextID: UInt64 { state.withLock { $0.nextID } }

    /// Inserts a message captured over SMTP into INBOX and wakes the waiters and observers it concerns.
    /// Its INBOX UID is the next one, or `uid` (never below the next one) when the store fixes it:
    /// a Maildir store's INBOX UIDs are the message ids, as its restart restores them.
    package func insert(_ message: Message, uid: UInt64? = nil) {
        let (waiters, observers) = state.withLock { state in
            state.add(message)
            state.place(message.id, in: Mailbox.inbox, captured: true, uid: uid)
            state.stamp([message.id], modSeq: state.nextModSeq())
            state.received += 1
            return (state.noteArrival(message), Array(state.observers.values))
        }
        finish(waiters, observers, .added(message.id))
    }

    /// Starts the checks of the waiters arrivals were noted for and tells observers; called
    /// without the lock.
    func finish(
        _ waiters: [UInt64], _ observers: [AsyncStream<StoreChange>.Continuation], _ change: StoreChange
    ) {
        startChecks(waiters)
        for observer in observers { observer.yield(change) }
    }

    /// Fills an empty index with messages a disk store reloaded, without waking anyone or counting
    /// them as received: ids as given (ascending), `recent` those no session has seen yet, and the
    /// next id to hand out (never lower than any id ever used, RFC 3501 §2.3.1.1).
    package func restore(_ messages: [Message], flags: [UInt64: MessageFlags], recent: Set<UInt64>, nextID: UInt64) {
        state.withLock { state in
            state.ids.reserveCapacity(state.ids.count + messages.count)
            state.byID.reserveCapacity(state.byID.count + messages.count)
            for message in messages.sorted(by: { $0.id < $1.id }) where state.byID[message.id] == nil {
                state.ids.append(message.id)
                state.byID[message.id] = message
                state.bytes += message.size
                state.nextID = max(state.nextID, message.id + 1)
                // A reloaded message's INBOX UID is its id.
                state.place(message.id, in: Mailbox.inbox, captured: true, uid: message.id)
            }
            for (id, flags) in flags where state.byID[id] != nil && !flags.isEmpty {
                state.flags[id] = flags
                state.noteKeywords(of: flags, in: Mailbox.inbox)
            }
            state.unclaimedRecent.formUnion(recent.filter { state.byID[$0] != nil })
            state.nextID = max(state.nextID, nextID)
            state.modificationSequence += 1
            // Reloaded without noting each message: a session that looked before walks INBOX.
            state.mailboxes[Mailbox.inbox]?.changes = MailboxChangeLog(forgottenThrough: state.modificationSequence)
        }
    }

    /// The ids a retention policy removes now, oldest first: from the oldest while there are too
    /// many messages or bytes or the oldest is too old; with `everyAge`, also any later message that
    /// is too old (one another program dropped in with an old date), at the cost of a full scan.
    package func excess(under policy: RetentionPolicy, now: Date, everyAge: Bool) -> [UInt64] {
        let cutoff = policy.maxAge.map { maxAge in
            now.addingTimeInterval(-(Double(maxAge.components.seconds) + Double(maxAge.components.attoseconds) / 1e18))
        }
        return state.withLock { state in
            var count = state.ids.count
            var bytes = state.bytes
            var excess: [UInt64] = []
            var scanned = 0
            for id in state.ids {
                guard let message = state.byID[id] else { continue }
                let tooMany = policy.maxMessages.map { count > $0 } ?? false
                let tooBig = policy.maxBytes.map { bytes > $0 } ?? false
                let tooOld = cutoff.map { message.envelope.receivedAt < $0 } ?? false
                guard tooMany || tooBig || tooOld else { break }
                excess.append(id)
                count -= 1
                bytes -= message.size
                scanned += 1
            }
            if everyAge, let cutoff {
                for id in state.ids.dropFirst(scanned) {
                    if let message = state.byID[id], message.envelope.receivedAt < cutoff { excess.append(id) }
                }
            }
            return excess
        }
    }

    /// The earliest arrival time of any message (a full scan); nil when there is none.
    package var oldestArrival: Date? {
        state.withLock { state in state.byID.values.lazy.map(\.envelope.receivedAt).min() }
    }

    package var all: [Message] {
        state.withLock { state in state.ids.compactMap { state.byID[$0] } }
    }

    /// The messages `filter` selects (its mailbox criterion included), oldest first.
    package func messages(matching filter: MessageFilter) -> [Message] {
        // Flags are copied with the candidates (a reference to the same dictionary, until changed).
        let (candidates, flags) = state.withLock { state in
            (state.messages(admittedBy: filter), filter.needsFlags ? state.flags : [:])
        }
        var contentFilter = filter
        contentFilter.mailbox = nil
        guard !contentFilter.isEmpty else { return candidates }
        return candidates.filter { filter.matches($0, flags: flags[$0.id] ?? MessageFlags()) }
    }

    package func message(id: UInt64) -> Message? { state.withLock { $0.byID[id] } }

    /// Every message's envelope by id, and whether it was captured over SMTP.
    package func envelopes() -> [UInt64: (envelope: Envelope, captured: Bool)] {
        state.withLock { state in
            var envelopes: [UInt64: (envelope: Envelope, captured: Bool)] = [:]
            envelopes.reserveCapacity(state.byID.count)
            for (id, message) in state.byID {
                envelopes[id] = (message.envelope, state.placement(ofStored: id).captured)
            }
            return envelopes
        }
    }

    /// Removes the messages; `cleanUp` runs with those removed, outside the lock, before observers
    /// hear of it (a disk store unlinks their files there, so an observer finds them gone).
    @discardableResult
    package func remove(ids: [UInt64], cleanUp: ([Message]) -> Void = { _ in }) -> [Message] {
        let (removed, observers) = state.withLock { state in
            var removed: [Message] = []
            for id in ids {
                if let message = state.byID.removeValue(forKey: id) {
                    removed.append(message)
                    state.bytes -= message.size
                    state.flags[id] = nil
                    state.unclaimedRecent.remove(id)
                }
            }
            if !removed.isEmpty {
                state.modificationSequence += 1
                let gone = Set(removed.map(\.id))
                state.removeFromIDOrder(removed.map(\.id))
                state.recordExpunged(gone, modSeq: state.nextModSeq())
                state.unplace(gone)
            }
            return (removed, Array(state.observers.values))
        }
        cleanUp(removed)
        if !removed.isEmpty {
            for observer in observers { observer.yield(.removed(removed.map(\.id))) }
        }
        return removed
    }

    /// The messages of INBOX `filter` selects, see ``snapshot(of:matching:)``.
    package func snapshot(matching filter: MessageFilter) -> StoreSnapshot {
        snapshot(of: Mailbox.inbox, matching: filter)
            ?? StoreSnapshot(entries: [], modificationSequence: 0, nextID: 1, mailbox: nil)
    }

    package var modificationSequence: UInt64 { state.withLock { $0.modificationSequence } }

    package func flags(of id: UInt64) -> MessageFlags { state.withLock { $0.flags[id] ?? MessageFlags() } }

    /// Changes the flags of the messages that still exist; returns their new flags.
    package func updateFlags(_ update: FlagUpdate, ids: [UInt64]) -> [UInt64: MessageFlags] {
        updateFlags(update, ids: ids, unchangedSince: nil).changed
    }

    /// ``updateFlags(_:ids:)`` for the messages whose mod-sequence is at most `unchangedSince`
    /// (all when nil), judged under the same lock as the change; returns the new flags and the
    /// messages left alone for having changed since, or being gone (RFC 7162 §3.1.3).
    package func updateFlags(_ update: FlagUpdate, ids: [UInt64], unchangedSince: UInt64?) -> (
        changed: [UInt64: MessageFlags], skipped: Set<UInt64>
    ) {
        let (changed, skipped, observers) = state.withLock { state in
            var changed: [UInt64: MessageFlags] = [:]
            var modified: [UInt64] = []
            var skipped: Set<UInt64> = []
            for id in ids {
                guard state.byID[id] != nil, unchangedSince.map({ state.modSeq(of: id) <= $0 }) ?? true else {
                    if unchangedSince != nil { skipped.insert(id) }
                    continue
                }
                let old = state.flags[id] ?? MessageFlags()
                let new = update.applied(to: old)
                changed[id] = new
                if new != old {
                    state.flags[id] = new.isEmpty ? nil : new
                    state.noteKeywords(of: new, in: state.placement(ofStored: id).mailbox)
                    modified.append(id)
                }
            }
            // One mod-sequence for the whole change; a message whose flags stay keeps its own
            // (RFC 7162 §3.1.3: only a change of metadata moves it).
            if !modified.isEmpty { state.stamp(modified, modSeq: state.nextModSeq()) }
            if !changed.isEmpty { state.modificationSequence += 1 }
            return (changed, skipped, Array(state.observers.values))
        }
        if !changed.isEmpty {
            for observer in observers { observer.yield(.flagsChanged(changed.keys.sorted())) }
        }
        return (changed, skipped)
    }

    /// Marks the given messages as seen by a session as \Recent; returns those that were still unclaimed.
    package func claimRecent(_ ids: [UInt64]) -> Set<UInt64> {
        state.withLock { state in
            var claimed: Set<UInt64> = []
            for id in ids where state.unclaimedRecent.remove(id) != nil { claimed.insert(id) }
            return claimed
        }
    }

    package func changes() -> AsyncStream<StoreChange> {
        let (stream, continuation) = AsyncStream<StoreChange>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = state.withLock { state in
            defer { state.nextObserverID += 1 }
            state.observers[state.nextObserverID] = continuation
            return state.nextObserverID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.observers.removeValue(forKey: id) }
        }
        return stream
    }

    package var statistics: StoreStatistics {
        state.withLock { StoreStatistics(messages: $0.byID.count, bytes: $0.bytes, received: $0.received) }
    }
}
