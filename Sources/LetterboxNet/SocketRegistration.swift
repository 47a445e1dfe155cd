import Synchronization

/// Readiness state of one descriptor registered with an ``EventLoop``.
///
/// The loop sets the readable/writable bits when the kernel reports an edge; a task that got `EAGAIN`
/// parks a continuation here. Keeping the bits means an edge that arrives between `EAGAIN` and parking
/// is not lost. Continuations are always resumed outside the lock.
package final class SocketRegistration: Sendable {
    package let fd: Int32
    let token: UInt64

    private struct Waiter {
        var continuation: UnsafeContinuation<Void, any Error>
        var deadline: UInt64
        var interruptible: Bool
        var wakeable = false
    }

    private struct State {
        var readable = false
        var writable = false
        var reader: Waiter?
        var writer: Waiter?
        /// Set once: every later wait fails with it.
        var failure: (any Error)?
        /// Set by graceful shutdown: waits that are interruptible fail with `.shuttingDown`.
        var draining = false
        /// A ``wake()`` that found no wakeable reader; the next wakeable read ends at once.
        var wakePending = false
    }

    private let state = Mutex(State())

    init(fd: Int32, token: UInt64) {
        self.fd = fd
        self.token = token
    }

    enum Direction { case read, write }

    /// Suspends until the descriptor may be ready in `direction`, the deadline passes, or the task is cancelled.
    /// - Parameter wakeable: a ``wake()`` ends a read wait with ``NetError/woken`` (used to deliver
    ///   events, such as new mail during IMAP IDLE, to a task that is waiting for its peer).
    func wait(for direction: Direction, deadline: UInt64, interruptible: Bool, wakeable: Bool = false) async throws {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if let failure = state.failure { return .failure(failure) }
                    if interruptible && state.draining { return .failure(NetError.shuttingDown) }
                    switch direction {
                    case .read:
                        if state.readable {
                            state.readable = false
                            return .success(())
                        }
                        if wakeable && state.wakePending {
                            state.wakePending = false
                            return .failure(NetError.woken)
                        }
                        state.reader = Waiter(
                            continuation: continuation, deadline: deadline, interruptible: interruptible,
                            wakeable: wakeable)
                    case .write:
                        if state.writable {
                            state.writable = false
                            return .success(())
                        }
                        state.writer = Waiter(
                            continuation: continuation, deadline: deadline, interruptible: interruptible)
                    }
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            fail(with: CancellationError())
        }
    }

    /// Called by the loop when the kernel reports readiness.
    func ready(readable: Bool, writable: Bool) {
        let (reader, writer) = state.withLock { state -> (Waiter?, Waiter?) in
            var resumed: (Waiter?, Waiter?) = (nil, nil)
            if readable {
                if let reader = state.reader {
                    state.reader = nil
                    resumed.0 = reader
                } else {
                    state.readable = true
                }
            }
            if writable {
                if let writer = state.writer {
                    state.writer = nil
                    resumed.1 = writer
                } else {
                    state.writable = true
                }
            }
            return resumed
        }
        reader?.continuation.resume()
        writer?.continuation.resume()
    }

    /// Fails parked waiters whose deadline is before `now` with ``NetError/idleTimeout``.
    func expire(now: UInt64) {
        let expired = state.withLock { state -> [Waiter] in
            var expired: [Waiter] = []
            if let reader = state.reader, reader.deadline <= now {
                state.reader = nil
                expired.append(reader)
            }
            if let writer = state.writer, writer.deadline <= now {
                state.writer = nil
                expired.append(writer)
            }
            return expired
        }
        for waiter in expired { waiter.continuation.resume(throwing: NetError.idleTimeout) }
    }

    /// Ends a wakeable read wait with ``NetError/woken``, now or at the next wakeable wait.
    func wake() {
        let reader = state.withLock { state -> Waiter? in
            guard let reader = state.reader, reader.wakeable else {
                state.wakePending = true
                return nil
            }
            state.reader = nil
            return reader
        }
        reader?.continuation.resume(throwing: NetError.woken)
    }

    /// Marks the descriptor as draining: an interruptible wait, now or later, fails with `.shuttingDown`.
    func drain() {
        let interrupted = state.withLock { state -> [Waiter] in
            state.draining = true
            var interrupted: [Waiter] = []
            if let reader = state.reader, reader.interruptible {
                state.reader = nil
                interrupted.append(reader)
            }
            if let writer = state.writer, writer.interruptible {
                state.writer = nil
                interrupted.append(writer)
            }
            return interrupted
        }
        for waiter in interrupted { waiter.continuation.resume(throwing: NetError.shuttingDown) }
    }

    /// Fails every current and future wait with `error` (first failure wins).
    func fail(with error: any Error) {
        let waiters = state.withLock { state -> [Waiter] in
            if state.failure == nil { state.failure = error }
            let waiters = [state.reader, state.writer].compactMap { $0 }
            state.reader = nil
            state.writer = nil
            return waiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
    }

    var isDraining: Bool { state.withLock { $0.draining } }
}
