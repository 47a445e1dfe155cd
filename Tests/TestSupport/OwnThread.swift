import Dispatch

/// Runs `work`, which blocks its thread (waiting for a child process to print or to exit), on a
/// Dispatch thread and returns its result: an async test must not hold one of the cooperative
/// pool's threads (one per core; under the full suite a blocked pool once delayed another test's
/// `Task.sleep` by 10 s).
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
