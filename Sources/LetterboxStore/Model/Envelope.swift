#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
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
    ///
    /// One reference wide (its strings live in a shared, immutable box), so the envelope of every
    /// message, TLS or not, is 24 bytes smaller: a store holding 100,000 messages saves megabytes.
    public struct TLS: Sendable, Hashable {
        private final class Names: Sendable {
            let version: String
            let cipher: String

            init(version: String, cipher: String) {
                self.version = version
                self.cipher = cipher
            }
        }

        private var names: Names

        /// e.g. `TLSv1.3`.
        public var version: String {
            get { names.version }
            set { names = Names(version: newValue, cipher: names.cipher) }
        }

        /// e.g. `TLS_AES_256_GCM_SHA384`.
        public var cipher: String {
            get { names.cipher }
            set { names = Names(version: names.version, cipher: newValue) }
        }

        public init(version: String, cipher: String) {
            names = Names(version: version, cipher: cipher)
        }

        public static func == (lhs: TLS, rhs: TLS) -> Bool {
            lhs.names === rhs.names || (lhs.version == rhs.version && lhs.cipher == rhs.cipher)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(version)
            hasher.combine(cipher)
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
