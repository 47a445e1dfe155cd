#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the SMTP transaction said about a message, as opposed to what its headers claim.
///
/// `recipients` holds every `RCPT TO`, including Bcc recipients that appear in no header.
public struct Envelope: Sendable, Hashable {
    /// The `MAIL FROM` reverse-path without angle brackets; empty for the null sender `<>`.
    public var sender: String
    /// Every accepted `RCPT TO` forward-path, in order, without angle brackets.
    public var recipients: [String]
    /// The name the client gave in `HELO`/`EHLO`.
    public var helo: String
    /// The identity the client authenticated as, if it used `AUTH`.
    public var authenticatedAs: String?
    /// The client's address as `host:port`.
    public var peer: String
    /// When the message was accepted.
    public var receivedAt: Date

    public init(
        sender: String, recipients: [String], helo: String = "", authenticatedAs: String? = nil, peer: String = "",
        receivedAt: Date = Date()
    ) {
        self.sender = sender
        self.recipients = recipients
        self.helo = helo
        self.authenticatedAs = authenticatedAs
        self.peer = peer
        self.receivedAt = receivedAt
    }
}
