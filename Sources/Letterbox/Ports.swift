/// The ports a running ``MailCatcher`` listens on (the real ones when 0 was asked); 0 for a
/// listener that is off.
public struct Ports: Sendable, Equatable, CustomStringConvertible {
    /// SMTP (plaintext, STARTTLS when TLS is on).
    public var smtp: Int
    /// POP3 (plaintext, STLS when TLS is on).
    public var pop3: Int
    /// IMAP (plaintext, STARTTLS when TLS is on).
    public var imap: Int
    /// The HTTP inspection API.
    public var http: Int
    /// SMTP with implicit TLS (RFC 8314); 0 when off.
    public var smtps = 0
    /// POP3 over TLS; 0 when off.
    public var pop3s = 0
    /// IMAP over TLS; 0 when off.
    public var imaps = 0

    /// Every listener and its port, on one line.
    public var description: String {
        "smtp \(smtp), pop3 \(pop3), imap \(imap), http \(http), smtps \(smtps), pop3s \(pop3s), imaps \(imaps)"
    }
}
