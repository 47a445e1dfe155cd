#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import LetterboxNet
import LetterboxTLS

/// TLS on the mail ports: STARTTLS/STLS on the plaintext ports, and optional implicit-TLS ports
/// (RFC 8314). Works wherever the system has OpenSSL 3 (`libssl.so.3`, loaded at run time);
/// without it the catcher logs one warning and serves plaintext only.
public struct TLSConfiguration: Sendable {
    /// Where the certificate and key come from.
    public enum Certificate: Sendable, Equatable {
        /// A fresh self-signed EC P-256 certificate for `localhost`, `127.0.0.1` and `::1`, made at
        /// start; read it from ``MailCatcher/tlsCertificatePEM`` or `GET /tls/certificate.pem`.
        case selfSigned
        /// PEM files: a certificate (optionally followed by intermediates) and its private key.
        case files(certificate: String, key: String)
        /// PEM text.
        case pem(certificate: String, key: String)
    }

    /// The certificate the mail ports present; self-signed by default.
    public var certificate = Certificate.selfSigned
    /// SMTP with implicit TLS (submissions, RFC 8314); nil (the default) keeps it closed, 0 lets
    /// the system choose. The usual port is 465; the executable suggests 1465.
    public var smtpsPort: Int?
    /// POP3 over TLS (POP3S); nil keeps it closed. Usually 995.
    public var pop3sPort: Int?
    /// IMAP over TLS (IMAPS); nil keeps it closed. Usually 993.
    public var imapsPort: Int?
    /// Refuse AUTH/MAIL (SMTP), USER/PASS/AUTH (POP3) and LOGIN/AUTHENTICATE (IMAP) on the
    /// plaintext ports until the client has started TLS, to test apps that must use it.
    public var requireTLS = false

    public init() {}

    /// What in this configuration cannot work without TLS: ``requireTLS`` and the implicit-TLS
    /// ports; empty when plaintext alone serves it.
    var needsTLS: [String] {
        var needs: [String] = []
        if requireTLS { needs.append("requireTLS") }
        if smtpsPort != nil { needs.append("the smtps port") }
        if pop3sPort != nil { needs.append("the pop3s port") }
        if imapsPort != nil { needs.append("the imaps port") }
        return needs
    }

    /// The server context, or nil (after one warning) when OpenSSL 3 is missing and nothing
    /// configured needs TLS.
    ///
    /// - Throws: ``TLSSetupError`` when certificate files cannot be read or are not a matching
    ///   certificate and key, or when OpenSSL 3 is missing although ``requireTLS`` or an
    ///   implicit-TLS port is configured (the catcher would otherwise refuse every login and
    ///   message, or leave the port closed).
    func makeContext(logger: Logger) throws -> TLSContext? {
        let identity: CertificateAndKey
        do {
            switch certificate {
            case .selfSigned:
                identity = try CertificateAndKey.selfSigned()
            case .pem(let certificate, let key):
                identity = CertificateAndKey(certificatePEM: certificate, privateKeyPEM: key)
            case .files(let certificatePath, let keyPath):
                identity = CertificateAndKey(
                    certificatePEM: try Self.read(certificatePath, "certificate"),
                    privateKeyPEM: try Self.read(keyPath, "key"))
            }
            return try TLSContext.server(identity)
        } catch let unavailable as TLSUnavailable {
            let needs = needsTLS
            guard needs.isEmpty else {
                throw TLSSetupError(
                    description: "\(needs.joined(separator: ", ")) needs TLS, but \(unavailable.file) could not be loaded "
                        + "(\(unavailable.reason)); install OpenSSL 3 (the libssl3 package, e.g. apt-get install libssl3)")
            }
            logger.log(.warning, unavailable.description)
            return nil
        } catch let error as TLSError {
            throw TLSSetupError(description: "TLS certificate: \(error.description)")
        }
    }

    private static func read(_ path: String, _ what: String) throws(TLSSetupError) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TLSSetupError(description: "TLS \(what) file '\(path)' cannot be read")
        }
        return text
    }
}

/// TLS cannot be set up as configured: the certificate or key given cannot be used, or OpenSSL 3
/// is missing although the configuration needs TLS. The description says which and why.
public struct TLSSetupError: Error, Sendable, CustomStringConvertible {
    /// What failed and how to fix it, in one line.
    public let description: String
}
