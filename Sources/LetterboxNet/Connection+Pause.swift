extension Connection {
    /// How much a pause reads ahead of the session: once this much is buffered, the rest of the
    /// pause waits without reading (the peer's next bytes stay in the socket).
    package static let pauseReadAhead = 64 * 1024

    /// Sends what is queued, then waits `duration` without holding a thread: the answer to a
    /// failed login that waits its policy's delay (Dovecot's `auth_failure_delay`),
    /// a fault rule's delay, or the `--latency` before a reply. The replies to earlier (pipelined)
    /// commands go out before the wait, not after it.
    ///
    /// The pause ends early when the peer closes or resets the connection, so a peer that gives
    /// up (or a guesser that hangs up at once) frees its connection at once instead of after the
    /// delay. To see a close behind pipelined commands, the pause reads what arrives meanwhile
    /// into the buffer (through TLS too), up to ``pauseReadAhead``; those bytes are read next, as
    /// if they had arrived after the pause. A close behind more than that is only noticed by the
    /// reads after the pause.
    ///
    /// - Throws: what ``flush()`` throws, ``NetError/closed`` (or a system error for a reset) when
    ///   the peer leaves during the wait, and `CancellationError` when the session's task is
    ///   cancelled (server shutdown) during the wait.
    package func flushThenWait(_ duration: Duration) async throws {
        try await flush()
        let end = MonotonicClock.deadline(after: duration)
        do {
            while withBuffered({ $0.count }) < Self.pauseReadAhead {
                // The reason is only a marker: the deadline passing is the pause's normal end.
                try await fill(
                    until: Deadline(at: end, reason: .idleTimeout), interruptible: false, wakeable: false,
                    awaitingCommand: true)
            }
        } catch let error as NetError where error == .idleTimeout {
            return
        }
        let now = MonotonicClock.nanoseconds()
        if end > now { try await Task.sleep(for: .nanoseconds(end - now)) }
    }
}
