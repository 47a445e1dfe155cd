/// The ports a running ``MailCatcher`` listens on (the real ones when 0 was asked); 0 for a
/// listener that is off.
public struct Ports: Sendable, Equatable, CustomStringConvertible {
    public var smtp: Int
    public var pop3: Int
    public var imap: Int
    public var http: Int
    /// Implicit-TLS ports (RFC 8314); 0 when off.
    public var smtps = 0
    public var pop3s = 0
    public var imaps = 0

    public var description: String {
        "smtp \(smtp), pop3 \(pop3), imap \(imap), http \(http), smtps \(smtps), pop3s \(pop3s), imaps \(imaps)"
    }
}
