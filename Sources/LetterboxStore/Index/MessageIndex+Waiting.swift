import LetterboxThreads
import Synchronization

/// Waits on the index (issue #16): each wait scans the stored messages once, on ``waitPool``, then
/// checks only the messages that arrive; a wait cancelled (its client left) before its scan starts
/// never scans, and one whose scan is running stops it at the next slice. A wait whose timeout
/// passes first still has its one scan, and ends after it: it answers for the messages stored
/// when it began (a `timeout=0` wait is "is one here now?"), never "nothing arrived" while a
/// stored message matches. At most ``maxConcurrentWaitScans`` scans run at once, so waits never
/// take every reading thread from the interfaces' ordinary reads. No matching happens under the
/// index's lock.
extension MessageIndex {
    /// One wait in progress.
    struct Waiter {
        enum Phase {
            /// Queued for its scan of the stored messages; arrivals are not yet noted (the scan
            /// collects them).
            case queued
            /// Scanning, or watching arrivals: each arrival it admits is noted in ``arrivals``.
            case watching
        }

        let wait: MessageWait
        let continuation: CheckedContinuation<[Message], Never>
        var timer: Task<Void, Never>?
        var phase = Phase.queued
        /// The matching messages found so far, oldest first.
        var found: [Message] = []
        /// Admitted arrivals not yet checked.
        var arrivals: [Message] = []
        /// Whether a job on the wait pool is checking this waiter's messages (it takes the
        /// arrivals noted meanwhile before it stops).
        var checking = false
        /// Whether what its scan of the stored messages found has been added to ``found``.
        var scanned = false
        /// The timeout passed before ``scanned``: the wait ends once it is.
        var expired = false
    }

    /// What the wait machinery keeps in the index's state.
    struct WaitState {
        var nextID: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        /// Waiters cancelled before they were registered.
        var cancelledEarly: Set<UInt64> = []
        /// Waiters queued for their scan, first come first served.
        var scanQueue: [UInt64] = []
        var scansRunning = 0
        /// Scans started so far (see ``MessageIndex/waitScans``).
        var scansStarted = 0
    }

    /// How many waits may scan the stored messages at the same time.
    package static let maxConcurrentWaitScans = 2
    /// Messages a scan matches between two checks that its wait is still wanted.
    static let scanSlice = 64

    /// The first `wait.count` messages `wait` selects, oldest first, waiting up to `wait.timeout`
    /// for them to arrive; fewer (possibly none) when the timeout passes or the task is cancelled.
    package func waitForMessages(_ wait: MessageWait) async -> [Message] {
        let waiterID = state.withLock { state in
            defer { state.waits.nextID += 1 }
            return state.waits.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Message], Never>) in
                let scans: [UInt64]? = state.withLock { state in
                    if state.waits.cancelledEarly.remove(waiterID) != nil { return nil }
                    state.waits.waiters[waiterID] = Waiter(wait: wait, continuation: continuation)
                    state.waits.scanQueue.append(waiterID)
                    return state.waits.scansToStart()
                }
                guard let scans else {
                    continuation.resume(returning: [])
                    return
                }
                let timer = Task { [weak self] in
                    // Cancelled when the wait ended: nothing left to end.
                    guard (try? await Task.sleep(for: wait.timeout)) != nil else { return }
                    self?.endWait(waiterID, cancelled: false)
                }
                let stillWaiting = state.withLock { state -> Bool in
                    guard state.waits.waiters[waiterID] != nil else { return false }
                    state.waits.waiters[waiterID]?.timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
                startScans(scans)
            }
        } onCancel: {
            endWait(waiterID, cancelled: true)
        }
    }

    /// Submits the scans of these waiters.
    private func startScans(_ waiterIDs: [UInt64]) {
        for waiterID in waiterIDs { waitPool.submit { [self] in scan(waiterID) } }
    }

    /// A waiter's one scan of the stored messages, on the wait pool; then it checks what arrived.
    private func scan(_ waiterID: UInt64) {
        // The candidates are taken when the waiter starts noting arrivals, so none is missed.
        let taken: (MessageWait, [Message], [UInt64: MessageFlags])? = state.withLock { state in
            guard var waiter = state.waits.waiters[waiterID] else { return nil }
            waiter.phase = .watching
            waiter.checking = true
            state.waits.waiters[waiterID] = waiter
            state.waits.scansStarted += 1
            let filter = waiter.wait.filter
            return (waiter.wait, state.messages(admittedBy: filter), filter.needsFlags ? state.flags : [:])
        }
        var found: [Message] = []
        if let (wait, candidates, flags) = taken {
            var start = 0
            while start < candidates.count && found.count < wait.count {
                // Stops early when the wait ended meanwhile (its client left, the timeout passed).
                if start > 0 && !state.withLock({ $0.waits.waiters[waiterID] != nil }) { break }
                let end = min(start + Self.scanSlice, candidates.count)
                for message in candidates[start..<end]
                where wait.matches(message, flags: flags[message.id] ?? MessageFlags()) {
                    found.append(message)
                    if found.count == wait.count { break }
                }
                start = end
            }
        }
        let next = state.withLock { state in
            state.waits.scansRunning -= 1
            return state.waits.scansToStart()
        }
        startScans(next)
        if taken != nil { check(waiterID, found: found) }
    }

    /// Adds what a check found to the waiter, then checks the arrivals noted meanwhile, until it
    /// has enough (it ends) or there are none (it rests until the next arrival).
    private func check(_ waiterID: UInt64, found: [Message]) {
        var found = found
        while true {
            enum Step {
                case done(Waiter)
                case rest
                case check(MessageWait, [Message], [UInt64: MessageFlags])
            }
            let step: Step = state.withLock { state in
                guard var waiter = state.waits.waiters[waiterID] else { return .rest }
                waiter.found += found
                waiter.scanned = true  // the first check is the scan's (arrivals are noted only once it began)
                if waiter.found.count >= waiter.wait.count || waiter.expired {
                    state.waits.waiters[waiterID] = nil
                    return .done(waiter)
                }
                let arrivals = waiter.arrivals
                waiter.arrivals = []
                waiter.checking = !arrivals.isEmpty
                state.waits.waiters[waiterID] = waiter
                guard !arrivals.isEmpty else { return .rest }
                return .check(waiter.wait, arrivals, waiter.wait.filter.needsFlags ? state.flags : [:])
            }
            switch step {
            case .done(let waiter):
                waiter.timer?.cancel()
                waiter.continuation.resume(returning: Array(waiter.found.prefix(waiter.wait.count)))
                return
            case .rest:
                return
            case .check(let wait, let arrivals, let flags):
                found = arrivals.filter { wait.matches($0, flags: flags[$0.id] ?? MessageFlags()) }
            }
        }
    }

    /// Ends a wait with what it found so far (timeout or cancellation); remembers a cancellation
    /// that came before the wait was registered. A timeout before the wait's scan has been
    /// counted only marks it ``Waiter/expired``: its scan (queued or running) ends it.
    private func endWait(_ waiterID: UInt64, cancelled: Bool) {
        let waiter = state.withLock { state -> Waiter? in
            if !cancelled, let waiter = state.waits.waiters[waiterID], !waiter.scanned {
                state.waits.waiters[waiterID]?.expired = true
                return nil
            }
            if let waiter = state.waits.waiters.removeValue(forKey: waiterID) {
                if waiter.phase == .queued { state.waits.scanQueue.removeAll { $0 == waiterID } }
                return waiter
            }
            if cancelled { state.waits.cancelledEarly.insert(waiterID) }
            return nil
        }
        guard let waiter else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(returning: waiter.found)
    }

    /// Checks arrivals for these waiters on the wait pool.
    func startChecks(_ waiterIDs: [UInt64]) {
        for waiterID in waiterIDs { waitPool.submit { [self] in check(waiterID, found: []) } }
    }

    /// How many waits have scanned the stored messages so far (a wait scans them at most once,
    /// then checks only arrivals): for tests and metrics.
    package var waitScans: Int { state.withLock { $0.waits.scansStarted } }

    /// Waits not yet ended (queued for their scan, scanning, or watching arrivals).
    package var waiterCount: Int { state.withLock { $0.waits.waiters.count } }

    /// Scans handed to the wait pool and not yet finished (at most ``maxConcurrentWaitScans``).
    package var waitScansInFlight: Int { state.withLock { $0.waits.scansRunning } }
}

extension MessageIndex.WaitState {
    /// Takes queued waiters off the queue while fewer than the maximum scans run.
    mutating func scansToStart() -> [UInt64] {
        var starting: [UInt64] = []
        while scansRunning < MessageIndex.maxConcurrentWaitScans, !scanQueue.isEmpty {
            let id = scanQueue.removeFirst()
            guard waiters[id] != nil else { continue }
            scansRunning += 1
            starting.append(id)
        }
        return starting
    }
}

extension MessageIndex.State {
    /// Hands the arrival of `message` (already placed) to the waiters watching for one; returns
    /// the waiters whose check must start (see ``MessageIndex/startChecks(_:)``), to call without the lock.
    mutating func noteArrival(_ message: Message) -> [UInt64] {
        guard !waits.waiters.isEmpty, let placement = placement(of: message.id) else { return [] }
        var toCheck: [UInt64] = []
        for id in Array(waits.waiters.keys) {
            guard let waiter = waits.waiters[id], waiter.phase == .watching,
                waiter.wait.filter.admits(mailbox: placement.mailbox, captured: placement.captured)
            else { continue }
            let checking = waiter.checking
            // Changed in place: the waiter's arrivals are not copied.
            waits.waiters[id]?.arrivals.append(message)
            if !checking {
                waits.waiters[id]?.checking = true
                toCheck.append(id)
            }
        }
        return toCheck
    }
}
