import LetterboxNet
import LetterboxSMTP
import LetterboxStore

/// How a ``MailCatcher`` listens, what it accepts and where it keeps mail.
///
/// The defaults suit tests: every listener on an ephemeral port on 127.0.0.1, mail in memory,
/// nothing logged. ``standardPorts`` gives the ports the `letterbox` executable uses.
public struct Configuration: Sendable {
    /// Address every listener binds: a numeric IPv4/IPv6 address, `localhost`, or `0.0.0.0`.
    public var host: String = "127.0.0.1"
    /// SMTP port; 0 lets the system choose, nil disables the listener.
    public var smtpPort: Int? = 0
    /// POP3 port; 0 lets the system choose, nil disables the listener.
    public var pop3Port: Int? = 0
    /// IMAP port; 0 lets the system choose, nil disables the listener.
    public var imapPort: Int? = 0
    /// HTTP inspection port; 0 lets the system choose, nil disables the listener.
    public var httpPort: Int? = 0
    /// SMTP limits and the name in its greeting.
    public var smtp = SMTPConfiguration()
    /// Who may log in over SMTP AUTH, POP3 and IMAP; anyone with any password by default. With a user
    /// list, login is strict for every protocol (sending mail never requires AUTH).
    public var credentials: Credentials = .anyone
    /// Open connections allowed per listener; more are told to come back later and closed.
    public var maxConnections = 1024
    /// A peer silent for this long is disconnected (RFC 5321 §4.5.3.2 suggests minutes).
    public var idleTimeout: Duration = .seconds(300)
    /// How long ``MailCatcher/shutdown()`` lets sessions finish before closing them.
    public var shutdownGracePeriod: Duration = .seconds(1)
    /// Where log lines go; silent by default when embedded.
    public var logger: Logger = .silent
    /// Log every protocol line in and out (the executable's `--verbose`).
    public var transcript = false
    /// The store to use; a fresh ``MemoryStore`` when nil.
    public var store: (any MessageStore)?

    public init() {}

    /// The executable's defaults: SMTP 1025, POP3 1110, IMAP 1143, HTTP 8025.
    public static var standardPorts: Configuration {
        var configuration = Configuration()
        configuration.smtpPort = 1025
        configuration.pop3Port = 1110
        configuration.imapPort = 1143
        configuration.httpPort = 8025
        return configuration
    }
}
