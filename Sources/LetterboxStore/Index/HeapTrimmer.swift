import LetterboxThreads
import Synchronization

/// Gives the memory of freed mail back to the system after bulk frees: glibc keeps freed heap
/// pages for reuse, so without this the resident size of a catcher that stored and deleted 20,000
/// messages stays at its peak, and fill/delete cycles ratchet it up (fragmentation across arenas).
///
/// A store reports the bytes it freed (``noteFreed(bytes:)``: `DELETE /messages`, expunges,
/// retention). Once at least `threshold` bytes were freed, one trim (``HeapTrim``) is scheduled:
/// after `delay`, so the messages still referenced by the request that removed them are released
/// first and a burst of removals costs one trim, and on a ``BlockingPool`` thread, never on an
/// event loop (a trim of a large heap takes milliseconds). At most one trim is pending at a time.
///
/// Thread-safety: every method may be called from any thread.
package final class HeapTrimmer: Sendable {
    /// The trimmer every store uses unless given another.
    package static let shared = HeapTrimmer()

    private struct State {
        var freedSinceTrim = 0
        var pending = false
        var trims = 0
    }

    private let threshold: Int
    private let delay: Duration
    private let trim: @Sendable () -> Void
    private let state = Mutex(State())

    /// - Parameters: `threshold`: bytes freed that make a trim worthwhile; `delay`: how long after
    ///   the threshold is passed the trim runs (also the least time between two trims); `trim`:
    ///   what trimming does (``HeapTrim/releaseFreePages()``; tests count calls instead).
    package init(
        threshold: Int = 8 << 20, delay: Duration = .milliseconds(250),
        trim: @escaping @Sendable () -> Void = { HeapTrim.releaseFreePages() }
    ) {
        self.threshold = threshold
        self.delay = delay
        self.trim = trim
    }

    /// How many trims have run.
    package var trims: Int { state.withLock { $0.trims } }

    /// Records that `bytes` of message data were freed, scheduling a trim when enough were.
    package func noteFreed(bytes: Int) {
        guard bytes > 0 else { return }
        let schedule = state.withLock { state -> Bool in
            state.freedSinceTrim += bytes
            guard state.freedSinceTrim >= threshold, !state.pending else { return false }
            state.pending = true
            return true
        }
        guard schedule else { return }
        Task.detached(priority: .background) { [self] in
            try? await Task.sleep(for: delay)
            state.withLock { $0.freedSinceTrim = 0 }
            await BlockingPool.offload { [trim] in trim() }
            state.withLock { state in
                state.trims += 1
                state.pending = false
            }
        }
    }
}
