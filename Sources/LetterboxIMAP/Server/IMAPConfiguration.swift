package import LetterboxStore

/// What an IMAP server accepts.
package struct IMAPConfiguration: Sendable {
    /// Who may log in; anyone by default.
    package var credentials: Credentials
    /// Largest literal accepted (an APPEND or a long string); larger ones are refused at once.
    package var maxLiteralSize: Int
    /// Refuse LOGIN and AUTHENTICATE until the client has started TLS (advertised as LOGINDISABLED).
    package var requireTLS = false

    /// Anyone may log in, literals up to 32 MiB, no TLS required by default.
    package init(credentials: Credentials = .anyone, maxLiteralSize: Int = 32 * 1024 * 1024) {
        self.credentials = credentials
        self.maxLiteralSize = maxLiteralSize
    }

    /// Longest line between literals (RFC 7162 §4 recommends accepting at least 8192 octets).
    static let maxLineLength = 65_536
    /// Most literals in one command.
    static let maxLiterals = 1000
    /// Most octets of one command, lines and literals together, before login (see
    /// ``IMAPCommandBudget``).
    static let maxCommandBytesBeforeLogin = 32 * 1024
    /// Most octets of one command after login, APPEND excepted (it may bring a message of
    /// ``maxLiteralSize`` octets).
    static let maxCommandBytes = 4 * 1024 * 1024
}
