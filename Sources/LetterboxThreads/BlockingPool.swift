import Synchronization

/// A few dedicated threads for file system calls that block (write, fsync, reading a folder at
/// start), so they never occupy a thread of Swift's cooperative pool, which has one thread per
/// core and does not grow.
///
/// Threads start on demand up to ``maxThreads`` and then stay, parked on a condition variable.
/// Three pools serve every store in the process: ``shared`` writes (deliveries, their fsyncs,
/// start-up), ``reading`` reads message files for the interfaces and renders what needs them,
/// ``indexing`` walks the in-memory index (a mailbox's snapshot for SELECT or a POP3 maildrop).
/// Apart, a dozen HTTP clients listing 100,000 Maildir messages at once cannot hold up an SMTP
/// delivery or a login: they queue for the few reading threads.
package final class BlockingPool: Sendable {
    package static let shared = BlockingPool(maxThreads: 16)
    package static let reading = BlockingPool(maxThreads: 4)
    /// Walks of the index that read no file: each is short, so they never queue behind reads.
    package static let indexing = BlockingPool(maxThreads: 2)

    /// What a thread runs: the work, which returns the step to take once the thread has dropped
    /// the job (resuming the caller), or nil.
    typealias Job = @Sendable () -> HandOff?
    /// The last step of a job, run after the job and everything it captured are released: the
    /// caller that resumes finds nothing of its work still held by the pool (a leak check that
    /// runs right after the await sees no stray references).
    typealias HandOff = @Sendable () -> Void

    private struct State {
        var jobs: [Job] = []
        var head = 0
        var threads = 0
        var idle = 0
    }

    package let maxThreads: Int
    private let state = Mutex(State())
    // Only parks and wakes the pool threads.
    private let condition = Condition()

    package init(maxThreads: Int) {
        self.maxThreads = maxThreads
    }

    /// Runs `job` on a pool thread, after the jobs submitted before it. What `job` captures is held
    /// until it returns: a job that resumes a caller should use ``submit(_:resuming:)``.
    package func submit(_ job: @escaping @Sendable () -> Void) {
        enqueue {
            job()
            return nil
        }
    }

    /// Runs `work` on a pool thread, drops it (and what it captured), then resumes `continuation`
    /// with its result.
    package func submit<Value: Sendable>(
        _ work: @escaping @Sendable () -> Value, resuming continuation: CheckedContinuation<Value, Never>
    ) {
        enqueue {
            let value = work()
            return { continuation.resume(returning: value) }
        }
    }

    private func enqueue(_ job: @escaping Job) {
        condition.lock()
        let startThread = state.withLock { state -> Bool in
            state.jobs.append(job)
            // A thread for every job that no parked thread will take: a parked thread that was
            // signalled still counts as idle until it wakes, so `idle == 0` alone left a burst
            // of jobs queued behind one thread (one slow read held up every read after it).
            guard state.jobs.count - state.head > state.idle, state.threads < maxThreads else { return false }
            state.threads += 1
            return true
        }
        condition.unlock()
        // After the unlock: a thread woken while the lock is still held wakes only to sleep again
        // on the lock, one more context switch per job (glibc does not move it to the lock's queue).
        // No wake-up is lost: a thread about to wait checks the queue under the lock first.
        condition.signal()
        // If no thread can start, the job waits for one the next submit starts.
        if startThread, !DetachedThread.start({ [self] in work() }) {
            state.withLock { $0.threads -= 1 }
        }
    }

    /// Runs `work`, which may read message files of a disk store (rendering a list of subjects,
    /// matching a content filter), on a thread of ``reading``: for callers on an event loop.
    package static func offload<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in reading.submit(work, resuming: continuation) }
    }

    /// Runs `work`, which cannot fail, on a pool thread and returns its result; the calling task is
    /// suspended, not blocked.
    package func perform<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in submit(work, resuming: continuation) }
    }

    /// Runs `work` on a pool thread and returns its result, or throws what it threw; the calling
    /// task is suspended, not blocked.
    package func run<Value: Sendable, Failure: Error>(
        _ work: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            submit(
                { () -> Result<Value, Failure> in
                    do throws(Failure) { return .success(try work()) } catch { return .failure(error) }
                }, resuming: continuation)
        }
        return try result.get()
    }

    private func work() {
        while true {
            runNextJob()?()
        }
    }

    /// Waits for a job and runs it; returns its hand-off, to run once the job is released (when
    /// this function returns: the job was only ever held here and, until taken, by the queue).
    private func runNextJob() -> HandOff? {
        condition.lock()
        var job = takeJob()
        while job == nil {
            state.withLock { $0.idle += 1 }
            condition.wait()
            state.withLock { $0.idle -= 1 }
            job = takeJob()
        }
        condition.unlock()
        return job?()
    }

    private func takeJob() -> Job? {
        state.withLock { state in
            guard state.head < state.jobs.count else { return nil }
            let job = state.jobs[state.head]
            state.jobs[state.head] = { nil }  // drop what the job captured (message bytes, continuations)
            state.head += 1
            if state.head > 64 && state.head * 2 > state.jobs.count {
                state.jobs.removeFirst(state.head)
                state.head = 0
            }
            return job
        }
    }
}
