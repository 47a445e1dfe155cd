/// How long a ``Connection`` waits for its peer, by situation: the time budgets that keep a slow
/// or silent peer from holding a connection slot for ever.
///
/// - Between commands the peer may stay silent for ``idle``.
/// - Once the first byte of a command line has arrived, the whole line must arrive within
///   ``line`` of it: a peer that dribbles a byte now and then cannot keep a line open (slowloris).
/// - A bulk transfer (message data, a literal, a request body, a reply being sent) must keep an
///   average of ``minimumRate`` bytes per second after a grace of ``transferGrace``: its deadline
///   is `start + transferGrace + bytes moved / minimumRate` (Postfix's `smtpd_min_data_rate`
///   works the same way), and no single wait may last longer than ``idle``.
/// - Until the protocol calls ``Connection/loggedIn()``, everything must happen within
///   ``login`` of the connection's start (Dovecot's login processes give 3 minutes).
///
/// Every value may be as short as a millisecond, so tests do not wait.
package struct ConnectionTimeouts: Sendable, Hashable {
    /// The longest silence between commands (and the longest single wait for the peer).
    package var idle: Duration
    /// From the first byte of a command line (or of an HTTP request head) to its end.
    package var line: Duration
    /// The time a transfer may take before the minimum rate counts.
    package var transferGrace: Duration
    /// Bytes per second a transfer must keep on average; nil for no rate rule.
    package var minimumRate: Int?
    /// From the start of the connection to ``Connection/loggedIn()``; nil when there is no
    /// login phase (HTTP, clients).
    package var login: Duration?

    package init(
        idle: Duration, line: Duration, transferGrace: Duration, minimumRate: Int?, login: Duration? = nil
    ) {
        self.idle = idle
        self.line = line
        self.transferGrace = transferGrace
        self.minimumRate = minimumRate
        self.login = login
    }

    /// Only `idle`, for every wait: what a client or a test connection needs.
    package init(idle: Duration) {
        self.init(idle: idle, line: idle, transferGrace: idle, minimumRate: nil)
    }
}
