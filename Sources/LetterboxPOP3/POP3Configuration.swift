package import LetterboxStore

/// What a POP3 server says and whom it lets in.
package struct POP3Configuration: Sendable {
    /// The name in the greeting's APOP timestamp.
    package var hostname: String
    /// Who may log in; anyone by default.
    package var credentials: Credentials
    /// Refuse login until the client has started TLS with STLS (on a port without implicit TLS).
    package var requireTLS = false

    package init(hostname: String = "letterbox", credentials: Credentials = .anyone) {
        self.hostname = hostname
        self.credentials = credentials
    }

    /// Longest command line accepted. RFC 2449 §4 caps commands at 255 octets; AUTH responses
    /// (RFC 5034 §4) may be longer, so the bound is generous.
    static let maxLineLength = 8192
}
