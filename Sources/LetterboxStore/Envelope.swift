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
    /// The TLS session the message came over (STARTTLS or implicit TLS); nil for plaintext.
    public var tls: TLS?

    /// A TLS session as negotiated.
    public struct TLS: Sendable, Hashable {
        /// e.g. `TLSv1.3`.
        public var version: String
        /// e.g. `TLS_AES_256_GCM_SHA384`.
        public var cipher: String

        public init(version: String, cipher: String) {
            self.version = version
            self.cipher = cipher
        }
    }

    public init(
        sender: String, recipients: [String], helo: String = "", authenticatedAs: String? = nil, peer: String = "",
        receivedAt: Date = Date(), tls: TLS? = nil
    ) {
        self.sender = sender
        self.recipients = recipients
        self.helo = helo
        self.authenticatedAs = authenticatedAs
        self.peer = peer
        self.receivedAt = receivedAt
        self.tls = tls
    }
}
