import LetterboxThreads
import TestSupport
import Testing

/// The lock of a Maildir delivery's bookkeeping: whatever the contention, one thread at a time.
@Suite("Spinning mutex")
struct SpinningMutexTests {
    /// Sixteen threads each add one 20,000 times with a read, a pause and a write in between: any
    /// two inside at once lose an increment, and a thread that finds another inside says so.
    @Test("excludes every other thread under contention")
    func mutualExclusion() async throws {
        struct Counter {
            var value = 0
            var inside = false
            var overlaps = 0
        }
        let counter = SpinningMutex(Counter())
        let threads = 16
        let rounds = 20_000
        try await onThreads(threads) { _ in
            for _ in 0..<rounds {
                counter.withLock { state in
                    if state.inside { state.overlaps += 1 }
                    state.inside = true
                    let read = state.value
                    for _ in 0..<(read % 7) { spinHint() }
                    state.value = read + 1
                    state.inside = false
                }
            }
        }
        let final = counter.withLock { $0 }
        #expect(final.overlaps == 0)
        #expect(final.value == threads * rounds)
    }

    @Test("passes the body's error through and unlocks")
    func throwingBody() {
        struct Failure: Error {}
        let value = SpinningMutex(1)
        #expect(throws: Failure.self) { try value.withLock { _ throws(Failure) in throw Failure() } }
        // Still usable: a lock left held would hang here.
        #expect(value.withLock { $0 } == 1)
    }
}

@inline(never) private func spinHint() {}
