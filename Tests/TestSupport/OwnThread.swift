import Foundation

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
