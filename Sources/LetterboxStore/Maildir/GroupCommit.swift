package import LetterboxThreads
import Synchronization

/// Lets concurrent deliveries share one sync, as databases share one flush of their write-ahead
/// log ("group commit").
///
/// A caller first does the work a sync must make durable (appends its log record, renames its
/// file), then takes a ticket (``enter()``), then calls ``wait(for:)``, which returns only once a
/// sync that *started after the ticket was taken* has succeeded. The first waiter that finds no
/// sync running becomes the leader: it runs the sync once for every ticket taken before it
/// started, while later callers queue behind it; when it finishes, every waiter it covered returns,
/// and one of those it did not cover leads the next sync. Nobody sleeps to gather a batch: a lone
/// delivery syncs at once, and under load the batch is whatever queued during the previous sync.
///
/// A caller with other work to make durable meanwhile (a delivery's own file) takes its ticket
/// with ``enter(startingSyncOn:)``: when no sync runs, one is asked of a pool thread, which runs
/// syncs back to back for as long as tickets are left uncovered, so the log's sync overlaps the
/// callers' own fdatasyncs (the file system often commits them together) instead of following
/// them. The pool thread only takes the sync role if it is free when it gets there: waiters still
/// lead when no sync runs, so deliveries that occupy every pool thread never wait for it.
///
/// A failed sync fails every ticket it covered, even if a later sync succeeds: after a failed
/// fsync Linux may drop the dirty pages and report the next fsync clean, so a later success
/// proves nothing about the records the failed one was meant to cover.
///
/// Thread-safety: every method may be called from any thread; ``wait(for:)`` blocks the calling
/// thread (call it on a ``BlockingPool`` thread, never on the cooperative pool).
package final class GroupCommit: Sendable {
    package typealias Sync = @Sendable () throws(StoreError) -> Void

    /// Tickets `from + 1 ... through` whose sync failed, and why.
    private struct Failure {
        var from: UInt64
        var through: UInt64
        var error: StoreError

        func covers(_ ticket: UInt64) -> Bool { ticket > from && ticket <= through }
    }

    private struct State {
        /// The last ticket handed out.
        var issued: UInt64 = 0
        /// Every ticket up to this one is covered by a sync that succeeded (unless it failed earlier).
        var durable: UInt64 = 0
        /// Every ticket up to this one was covered by a sync that finished, whether it succeeded or failed.
        var attempted: UInt64 = 0
        /// A leader is syncing, or ``exclusively(_:)`` holds the sync role.
        var busy = false
        /// A pool thread was asked to sync (``enter(startingSyncOn:)``) and has not started yet.
        var requested = false
        /// Ranges of tickets whose sync failed; contiguous failures are merged, so a disk that
        /// keeps failing leaves one entry.
        var failures: [Failure] = []
        /// Syncs run so far, and the seconds they took together.
        var syncs = 0
        var syncSeconds = 0.0

        mutating func record(_ failure: Failure) {
            if var last = failures.last, failure.from <= last.through {
                last.through = max(last.through, failure.through)
                last.error = failure.error
                failures[failures.count - 1] = last
            } else {
                failures.append(failure)
            }
        }
    }

    private let sync: Sync
    private let state = Mutex(State())
    // Parks the waiters; `state` is only changed while this lock is held.
    private let condition = Condition()

    /// - Parameter sync: makes durable everything done before it was called (for the Maildir: the
    ///   envelope log's fdatasync; each delivery fdatasyncs its own file).
    package init(sync: @escaping Sync) {
        self.sync = sync
    }

    /// How many syncs ran: fewer than the tickets when deliveries shared them.
    package var syncCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return state.withLock { $0.syncs }
    }

    /// The seconds all syncs took together.
    package var syncSeconds: Double {
        condition.lock()
        defer { condition.unlock() }
        return state.withLock { $0.syncSeconds }
    }

    /// A ticket for the work done so far; call once that work (a log append) is complete.
    package func enter() -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return state.withLock { state in
            state.issued += 1
            return state.issued
        }
    }

    /// A ticket, as ``enter()``; when no sync is running, one covering it starts at once on a
    /// thread of `pool`, which goes on syncing while tickets are left uncovered. The caller can do
    /// its own flushing meanwhile, then ``wait(for:)``.
    package func enter(startingSyncOn pool: BlockingPool) -> UInt64 {
        condition.lock()
        let (ticket, start) = state.withLock { state -> (UInt64, Bool) in
            state.issued += 1
            guard !state.busy, !state.requested else { return (state.issued, false) }
            state.requested = true
            return (state.issued, true)
        }
        condition.unlock()
        if start { pool.submit { self.syncWhileBehind() } }
        return ticket
    }

    /// Takes the sync role if it is free and tickets are uncovered, syncs until every ticket taken
    /// is covered, then gives the role up.
    private func syncWhileBehind() {
        condition.lock()
        defer { condition.unlock() }
        let claimed = state.withLock { state -> Bool in
            state.requested = false
            guard !state.busy, state.issued > state.attempted else { return false }
            state.busy = true
            return true
        }
        guard claimed else { return }
        while true {
            let range = state.withLock { state -> (from: UInt64, goal: UInt64)? in
                guard state.issued > state.attempted else {
                    state.busy = false
                    return nil
                }
                return (state.durable, state.issued)
            }
            guard let (from, goal) = range else {
                wakeWaiters()
                return
            }
            runSync(from: from, goal: goal, keepingRole: true)
        }
    }

    /// Runs one sync for tickets `from + 1 ... goal`, with `condition` locked on entry and on
    /// return (unlocked during the sync), holding the sync role; records the outcome, wakes the
    /// waiters, and gives the role up unless `keepingRole`.
    private func runSync(from: UInt64, goal: UInt64, keepingRole: Bool) {
        condition.unlock()
        let started = ContinuousClock.now
        let result = Result { () throws(StoreError) in try sync() }
        let took = (ContinuousClock.now - started).components
        condition.lock()
        state.withLock { state in
            if !keepingRole { state.busy = false }
            state.syncs += 1
            state.syncSeconds += Double(took.seconds) + Double(took.attoseconds) / 1e18
            state.attempted = max(state.attempted, goal)
            switch result {
            case .success: state.durable = max(state.durable, goal)
            case .failure(let error): state.record(Failure(from: from, through: goal, error: error))
            }
        }
        wakeWaiters()
    }

    /// Wakes every waiter with `condition` locked on entry and on return, but unlocked while they
    /// wake: glibc wakes them all at once, and each woken while the lock was still held would go
    /// straight back to sleep on it, two context switches per waiter where one suffices. No wake-up
    /// is lost: the state changed under the lock, and a waiter checks it under the lock first.
    private func wakeWaiters() {
        condition.unlock()
        condition.broadcast()
        condition.lock()
    }

    /// Returns once a sync that started after `ticket` was taken has succeeded; leads that sync
    /// when none is running. Throws the sync's error when the sync that covered `ticket` failed.
    package func wait(for ticket: UInt64) throws(StoreError) {
        condition.lock()
        defer { condition.unlock() }
        while true {
            enum Next {
                case done
                case failed(StoreError)
                case lead(from: UInt64, goal: UInt64)
                case wait
            }
            let next = state.withLock { state -> Next in
                if let failure = state.failures.last(where: { $0.covers(ticket) }) { return .failed(failure.error) }
                if state.durable >= ticket { return .done }
                guard !state.busy else { return .wait }
                state.busy = true
                return .lead(from: state.durable, goal: state.issued)
            }
            switch next {
            case .done: return
            case .failed(let error): throw error
            case .wait: condition.wait()
            case .lead(let from, let goal): runSync(from: from, goal: goal, keepingRole: false)
            }
        }
    }

    /// Runs `body` while no sync runs (waiting for a running one to finish), for work that must
    /// not overlap a sync, such as replacing the file the sync flushes. Tickets taken meanwhile
    /// wait for the next sync.
    package func exclusively<Value>(_ body: () throws(StoreError) -> Value) throws(StoreError) -> Value {
        condition.lock()
        while state.withLock({ $0.busy }) { condition.wait() }
        state.withLock { $0.busy = true }
        condition.unlock()
        defer {
            condition.lock()
            state.withLock { $0.busy = false }
            condition.unlock()
            condition.broadcast()
        }
        return try body()
    }
}
