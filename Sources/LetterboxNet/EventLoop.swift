import LetterboxThreads
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One thread that waits for socket readiness and runs the Swift tasks that prefer it.
///
/// It is a `TaskExecutor`: connection tasks are started with `executorPreference` set to their loop,
/// so resuming after readiness costs no thread hop, and no thread of the cooperative pool ever
/// blocks in a system call.
package final class EventLoop: TaskExecutor, Sendable {
    private struct State {
        var jobs: [UnownedJob] = []
        var registrations: [UInt64: SocketRegistration] = [:]
        var nextToken: UInt64 = wakeToken + 1
        var wakePending = false
        var thread: pthread_t?
    }

    /// How often parked waiters are checked against their deadlines.
    private static let sweepInterval: UInt64 = 250_000_000

    private let state = Mutex(State())
    private let selector: Selector

    /// Starts the loop's thread; it runs for the life of the process.
    package init() throws(NetError) {
        selector = try Selector()
        let started = DetachedThread.start { [self] in run() }
        guard started else { throw NetError.system("pthread_create", errno: errno) }
    }

    // MARK: TaskExecutor

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let mustWake = state.withLock { state -> Bool in
            state.jobs.append(job)
            if let thread = state.thread, pthread_equal(thread, pthread_self()) != 0 { return false }
            if state.wakePending { return false }
            state.wakePending = true
            return true
        }
        if mustWake { selector.wake() }
    }

    // MARK: Registration

    /// Registers a non-blocking descriptor, edge-triggered for both directions.
    package func register(_ fd: Int32) throws(NetError) -> SocketRegistration {
        let registration = state.withLock { state in
            let token = state.nextToken
            state.nextToken += 1
            let registration = SocketRegistration(fd: fd, token: token)
            state.registrations[token] = registration
            return registration
        }
        do {
            try selector.register(fd, token: registration.token)
        } catch {
            _ = state.withLock { $0.registrations.removeValue(forKey: registration.token) }
            throw error
        }
        return registration
    }

    /// Stops reporting readiness for the descriptor. The caller closes it afterwards.
    package func deregister(_ registration: SocketRegistration) {
        selector.deregister(registration.fd)
        _ = state.withLock { $0.registrations.removeValue(forKey: registration.token) }
    }

    // MARK: The loop

    private func run() {
        state.withLock { $0.thread = pthread_self() }
        let executor = asUnownedTaskExecutor()
        var nextSweep = MonotonicClock.nanoseconds() + Self.sweepInterval
        var ready: [(SocketRegistration, ReadinessEvent)] = []
        var events: [ReadinessEvent] = []
        while true {
            let hasJobs = state.withLock { !$0.jobs.isEmpty }
            let timeout: Int32 = hasJobs ? 0 : Int32(Self.sweepInterval / 1_000_000)
            events.removeAll(keepingCapacity: true)
            selector.wait(timeoutMilliseconds: timeout) { events.append($0) }

            let jobs = state.withLock { state -> [UnownedJob] in
                for event in events {
                    if event.token == wakeToken {
                        state.wakePending = false
                    } else if let registration = state.registrations[event.token] {
                        ready.append((registration, event))
                    }
                }
                let jobs = state.jobs
                state.jobs.removeAll(keepingCapacity: true)
                return jobs
            }
            for (registration, event) in ready {
                registration.ready(readable: event.readable, writable: event.writable)
            }
            ready.removeAll(keepingCapacity: true)

            // Idle timeouts are decided here, right after the kernel was asked what is ready, and
            // before the jobs run: a peer's bytes (or close) that arrived while a long job held
            // this thread are seen first, at the next wait, instead of losing to the timeout.
            let now = MonotonicClock.nanoseconds()
            if now >= nextSweep {
                nextSweep = now + Self.sweepInterval
                let all = state.withLock { Array($0.registrations.values) }
                for registration in all { registration.expire(now: now) }
            }

            for job in jobs { job.runSynchronously(on: executor) }
        }
    }
}

/// The loops a process shares: created on first use, as many as there are cores (at most four).
package final class EventLoopGroup: Sendable {
    package let loops: [EventLoop]
    private let cursor = Atomic<Int>(0)

    package init(count: Int) throws(NetError) {
        var loops: [EventLoop] = []
        for _ in 0..<max(1, count) { loops.append(try EventLoop()) }
        self.loops = loops
    }

    /// Round-robin choice of a loop for a new connection.
    package func next() -> EventLoop {
        let index = cursor.add(1, ordering: .relaxed).oldValue
        return loops[index % loops.count]
    }

    /// The process-wide group. Loops are threads that live as long as the process.
    package static let shared: Result<EventLoopGroup, NetError> = {
        let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        do throws(NetError) {
            return .success(try EventLoopGroup(count: min(4, max(1, Int(cores)))))
        } catch {
            return .failure(error)
        }
    }()
}
