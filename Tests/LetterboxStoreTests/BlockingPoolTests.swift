import Dispatch
import LetterboxStore
import LetterboxThreads
import Synchronization
import Testing

/// The blocking pools hand work to threads of their own; what a job captured must be released
/// before its caller resumes, or a leak check right after the await (LeakSanitizer in the fuzz
/// harness) sees it still held by a pool thread.
@Suite("Blocking pool")
struct BlockingPoolTests {
    @Test("a job drops what it captured before its caller resumes")
    func jobIsReleasedBeforeTheCallerResumes() async {
        // The caller resumes on the pool thread itself, inside the resume: a job still held
        // while it resumes its caller is then certainly still held when the caller looks.
        await withTaskExecutorPreference(InlineExecutor()) {
            let probe = WeakProbe()
            do {
                let captured = Captured()
                probe.watch(captured)
                let answer = await BlockingPool.offload { captured.answer }
                #expect(answer == 42)
            }
            #expect(probe.isReleased, "the pool thread still holds what the job captured")
        }
    }

    /// A burst of jobs each gets a thread (up to the limit), also when a parked thread was
    /// already there: a parked thread takes one job, not the burst. Counted by jobs running at
    /// once, each holding its thread until the test lets it go.
    @Test("jobs submitted at once while one thread is parked run at once, each on a thread")
    func burstGetsThreads() async throws {
        let pool = BlockingPool(maxThreads: 4)
        await pool.perform {}  // one thread started; it parks once the job is done
        try await Task.sleep(for: .milliseconds(100))
        let running = Atomic<Int>(0)
        let release = DispatchSemaphore(value: 0)
        for _ in 0..<4 {
            pool.submit {
                running.add(1, ordering: .sequentiallyConsistent)
                _ = release.wait(timeout: .now() + 60)
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while running.load(ordering: .sequentiallyConsistent) < 4, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let atOnce = running.load(ordering: .sequentiallyConsistent)
        for _ in 0..<4 { release.signal() }
        #expect(atOnce == 4, "\(atOnce) of 4 blocking jobs ran at once on a pool of 4 threads")
    }
}

/// Something a job captures.
private final class Captured: Sendable {
    let answer = 42
}

/// Watches an object without keeping it alive.
private final class WeakProbe: Sendable {
    private let reference = Mutex<Weak>(Weak())

    private struct Weak {
        weak var object: Captured?
    }

    func watch(_ object: Captured) { reference.withLock { $0.object = object } }

    var isReleased: Bool { reference.withLock { $0.object == nil } }
}

/// Runs every job at once on the thread that enqueues it (a task resumed from a pool thread runs
/// there, inside the resume call).
private final class InlineExecutor: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        job.runSynchronously(on: asUnownedTaskExecutor())
    }
}
