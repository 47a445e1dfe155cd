import Synchronization

/// Resumes a continuation the first time only (either signal may arrive, or both).
final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Int32, Never>?>

    init(_ continuation: CheckedContinuation<Int32, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: Int32) {
        let pending = continuation.withLock { pending in
            defer { pending = nil }
            return pending
        }
        pending?.resume(returning: value)
    }
}
