/// A TLS operation failed: a certificate or key could not be read or made, or a handshake failed.
/// The description names the step and carries OpenSSL's own error text.
package struct TLSError: Error, Sendable, CustomStringConvertible {
    package let description: String

    package init(_ description: String) {
        self.description = description
    }
}
