import Foundation
import Synchronization

/// Runs `work`, which blocks its thread (waiting for a child process to print or to exit), on a
/// thread of its own that ends with it, and returns its result.
///
/// Neither Swift's nor Dispatch's shared threads may block: an async test must not hold one of
/// the cooperative pool's threads (one per core), and on Linux Dispatch's global queue adds a
/// thread for a blocked one only about once a second. Blocked there (Dovecots starting under
/// load, a child's output awaited), this work held up every other test's `asyncAfter`, such as a
/// peer's close due after 20 ms, past a 10 s idle timeout, and `Task.sleep`, which on Linux
/// waits through Dispatch too.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

/// Work a test's peer does on a thread of its own, started at once: after `delay`, `work`
/// (a drain, an abort, bytes sent). A peer as a `Task` that sleeps first needs the cooperative
/// pool and Dispatch's timers to run on time; on a loaded 2-core machine, other tests holding
/// them delayed such a peer past the read's 10 s idle timeout, and the read failed.
public final class PeerThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let outcome = Mutex<Result<Void, any Error>?>(nil)

    public init(after delay: Duration, _ work: @escaping @Sendable () throws -> Void) {
        Thread.detachNewThread { [self] in
            let (seconds, attoseconds) = delay.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
            let result = Result { try work() }
            outcome.withLock { $0 = result }
            finished.signal()
        }
    }

    /// Waits (on a thread of its own) until the work has run; rethrows its error.
    public func value() async throws {
        try await onOwnThread { [self] in
            finished.wait()
            finished.signal()
            try outcome.withLock { $0 }?.get()
        }
    }
}

/// Runs `body(0)` … `body(count - 1)` at once, each on a thread of its own, all started from one
/// thread (so they begin together, whatever the cooperative pool is doing), and returns when
/// every one has; throws the first error one threw.
public func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) async throws {
    let failure = Mutex<(any Error)?>(nil)
    try await onOwnThread {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread.detachNewThread {
                do { try body(index) } catch { failure.withLock { $0 = $0 ?? error } }
                group.leave()
            }
        }
        group.wait()
    }
    if let error = failure.withLock({ $0 }) { throw error }
}

/// A number for the calling thread, equal for calls on the same thread: for tests that note
/// which thread did some work (an event loop's, or another).
public func currentThreadNumber() -> UInt {
    #if canImport(Glibc)
        UInt(pthread_self())
    #else
        UInt(bitPattern: pthread_self())
    #endif
}
