import Dispatch
import LetterboxThreads
import Synchronization
import Testing

/// A burst of jobs each gets a thread (up to the limit), also when a parked thread was already
/// there: a parked thread takes one job, not the burst. Counted by jobs running at once, each
/// holding its thread until the test lets it go.
@Suite("Blocking pool threads")
struct BlockingPoolTests {
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
