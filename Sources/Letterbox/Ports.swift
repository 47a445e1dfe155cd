/// The ports a running ``MailCatcher`` listens on (the real ones when 0 was asked); 0 for a
/// listener that is off.
public struct Ports: Sendable, Equatable, CustomStringConvertible {
    public var smtp: Int
    public var pop3: Int
    public var imap: Int
    public var http: Int

    public var description: String { "smtp \(smtp), pop3 \(pop3), imap \(imap), http \(http)" }
}
