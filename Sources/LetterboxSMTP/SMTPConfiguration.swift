package import LetterboxFaults
public import LetterboxStore

/// What an SMTP server advertises and enforces.
public struct SMTPConfiguration: Sendable {
    /// The name in the greeting and the EHLO reply.
    public var hostname: String
    /// Largest message accepted, in octets; advertised as `SIZE` (RFC 1870).
    public var maxMessageSize: Int
    /// Recipients accepted per transaction; RFC 5321 §4.5.3.1.8 requires at least 100.
    public var maxRecipients: Int
    /// Who may authenticate (AUTH is never required to send).
    public var credentials: Credentials
    /// Fault rules and latency applied to replies; nil for none. Set by the catcher.
    package var faults: FaultInjector?
    /// Refuse AUTH and MAIL until the client has started TLS (on a port without implicit TLS).
    public var requireTLS = false

    public init(
        hostname: String = "letterbox", maxMessageSize: Int = 32 * 1024 * 1024, maxRecipients: Int = 1000,
        credentials: Credentials = .anyone
    ) {
        self.hostname = hostname
        self.maxMessageSize = maxMessageSize
        self.maxRecipients = maxRecipients
        self.credentials = credentials
    }

    /// Longest command line accepted: RFC 4954 §4 allows AUTH lines of 12288 octets.
    static let maxCommandLength = 12_288
}
