extension Connection {
    /// Sends what is queued, then waits `duration` without holding a thread: the answer to a
    /// failed login that waits its policy's delay (Dovecot's `auth_failure_delay`),
    /// a fault rule's delay, or the `--latency` before a reply. The replies to earlier (pipelined)
    /// commands go out before the wait, not after it.
    ///
    /// - Throws: what ``flush()`` throws, and `CancellationError` when the session's task is
    ///   cancelled (server shutdown) during the wait.
    package func flushThenWait(_ duration: Duration) async throws {
        try await flush()
        try await Task.sleep(for: duration)
    }
}
