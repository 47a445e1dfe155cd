/// How a session answers failed logins (a wrong password, a refused SASL authorization identity):
/// one policy for SMTP AUTH, POP3 and IMAP, so a guesser gets the same treatment everywhere.
///
/// Each failure is answered only after ``delay`` (Dovecot's `auth_failure_delay`, 2 s by default),
/// and the failure that reaches ``limit`` closes the session with the protocol's own error
/// (Dovecot's login processes and Postfix's smtpd also give up on a client after a few failed
/// authentications). The protocol drivers wait asynchronously: no thread is held while waiting.
public struct LoginFailurePolicy: Sendable, Equatable {
    /// Failed logins per session; the one that reaches this count closes the session (at least 1).
    public var limit: Int
    /// How long each failure waits before it is answered.
    public var delay: Duration

    public init(limit: Int = 3, delay: Duration = .seconds(2)) {
        self.limit = limit
        self.delay = delay
    }

    /// Three failures per session, each answered after 2 seconds.
    public static let standard = LoginFailurePolicy()
}

/// One session's failed logins, counted under a ``LoginFailurePolicy``.
public struct LoginFailures: Sendable {
    /// What to do with the failure just recorded.
    public struct Verdict: Sendable, Equatable {
        /// Wait this long before answering.
        public let delay: Duration
        /// Answer with the protocol's "too many failures" error and close the session.
        public let closesSession: Bool
    }

    public let policy: LoginFailurePolicy
    /// Failures so far in this session.
    public private(set) var count = 0

    public init(policy: LoginFailurePolicy) {
        self.policy = policy
    }

    /// Counts one failed login and says how to answer it.
    public mutating func record() -> Verdict {
        count += 1
        return Verdict(delay: policy.delay, closesSession: count >= max(1, policy.limit))
    }
}
