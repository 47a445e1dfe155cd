import LetterboxThreads
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
        /// A leader is syncing, or ``exclusively(_:)`` holds the sync role.
        var busy = false
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
            case .lead(let from, let goal):
                condition.unlock()
                let started = ContinuousClock.now
                let result = Result { () throws(StoreError) in try sync() }
                let took = (ContinuousClock.now - started).components
                condition.lock()
                state.withLock { state in
                    state.busy = false
                    state.syncs += 1
                    state.syncSeconds += Double(took.seconds) + Double(took.attoseconds) / 1e18
                    switch result {
                    case .success: state.durable = max(state.durable, goal)
                    case .failure(let error): state.record(Failure(from: from, through: goal, error: error))
                    }
                }
                condition.broadcast()
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
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }
}
