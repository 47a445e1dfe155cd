extension Configuration {
    /// How long each protocol waits for its peer. The defaults follow the RFCs for sessions that
    /// have logged in, and stay short before login and within a command, so that slow or silent
    /// peers cannot hold connection slots (see the README's Limits table).
    ///
    /// Every value may be as short as a millisecond (tests).
    public struct Timeouts: Sendable, Hashable {
        /// SMTP: silence allowed between commands once the client has greeted (EHLO/HELO).
        /// RFC 5321 §4.5.3.2.7 asks for at least 5 minutes.
        public var smtp: Duration = .seconds(300)
        /// POP3: silence allowed once logged in. RFC 1939 §3: an autologout timer of at least
        /// 10 minutes.
        public var pop3: Duration = .seconds(600)
        /// IMAP: silence allowed once logged in, during IDLE too. RFC 3501 §5.4: at least
        /// 30 minutes (clients such as Thunderbird re-issue IDLE every 29 minutes).
        public var imap: Duration = .seconds(1800)
        /// HTTP: silence allowed between requests on a kept-alive connection (nginx's
        /// `keepalive_timeout` is 75 s).
        public var httpKeepAlive: Duration = .seconds(75)
        /// From connecting to logging in (POP3, IMAP) or greeting with EHLO/HELO (SMTP, where
        /// AUTH is never required). Dovecot gives 3 minutes; a client logs in within milliseconds.
        public var login: Duration = .seconds(60)
        /// One command line from its first byte, an HTTP request head, a TLS handshake (nginx's
        /// `client_header_timeout` is 60 s).
        public var command: Duration = .seconds(60)
        /// A transfer (DATA, BDAT, a literal, a request body, a reply being read by the peer) may
        /// take this long before ``minimumTransferRate`` counts.
        public var transferGrace: Duration = .seconds(60)
        /// Bytes per second a transfer must keep on average after ``transferGrace``; 0 for no rate
        /// rule. 500 B/s, as Postfix's `smtpd_min_data_rate`, is slower than any real link.
        public var minimumTransferRate = 500

        public init() {}
    }
}
