import Synchronization

/// Thrown when something that should finish promptly did not finish within the guard time.
public struct DidNotFinish: Error, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public var description: String { "\(what) did not finish within \(limit)" }
}

/// Runs `body` and returns its result, or throws ``DidNotFinish`` after `limit` (the body is left
/// running then, so a bug that ignores cancellation fails the test instead of hanging it).
///
/// The default, 45 s, is far beyond what any body here needs, and under the suites' one-minute
/// time limit: on CI's loaded 2-core machine a task has waited more than 10 s to run, and a body
/// of several steps, each waiting its turn, outlived the 10 s this was.
public func finishing<T: Sendable>(
    _ what: String, within limit: Duration = .seconds(45), _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let gate = Gate<T>()
    return try await withCheckedThrowingContinuation { continuation in
        gate.set(continuation)
        Task {
            do { gate.finish(.success(try await body())) } catch { gate.finish(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: limit)
            gate.finish(.failure(DidNotFinish(what: what, limit: limit)))
        }
    }
}

/// A continuation resumed by whichever of two tasks finishes first.
private final class Gate<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    func finish(_ result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
