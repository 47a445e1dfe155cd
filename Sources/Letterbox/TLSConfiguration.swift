import LetterboxTLS

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// TLS on the mail ports: STARTTLS/STLS on the plaintext ports, and optional implicit-TLS ports
/// (RFC 8314). Off by default (see ``enabled``). Needs OpenSSL 3 (`libssl.so.3`, loaded at run
/// time); with TLS on and no OpenSSL 3, ``MailCatcher/start(_:)`` throws ``TLSSetupError``.
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

    /// Offer STARTTLS (SMTP, IMAP) and STLS (POP3) on the plaintext ports. Off by default, as in
    /// Mailpit: a client that upgrades whenever the server offers it and verifies the certificate
    /// (Nodemailer's and PHPMailer's defaults) would fail against a self-signed one. TLS is on
    /// (``isEnabled``) when this is set or when a certificate other than self-signed,
    /// ``requireTLS`` or an implicit-TLS port asks for it.
    public var enabled = false
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

    /// Off: no STARTTLS/STLS, no implicit-TLS port, the self-signed certificate.
    public init() {}

    /// Whether the catcher uses TLS: ``enabled``, or implied by what else is set here.
    public var isEnabled: Bool { !enabledBy.isEmpty }

    /// The settings that turn TLS on; empty when it is off.
    var enabledBy: [String] {
        var reasons: [String] = []
        if enabled { reasons.append("enabled") }
        if certificate != .selfSigned { reasons.append("a certificate") }
        if requireTLS { reasons.append("requireTLS") }
        if smtpsPort != nil { reasons.append("the smtps port") }
        if pop3sPort != nil { reasons.append("the pop3s port") }
        if imapsPort != nil { reasons.append("the imaps port") }
        return reasons
    }

    /// The server context; nil when TLS is off.
    ///
    /// - Throws: ``TLSSetupError`` when certificate files cannot be read or are not a matching
    ///   certificate and key, or when TLS is on but OpenSSL 3 is missing (serving plaintext instead
    ///   would refuse every login and message under ``requireTLS``, or leave a TLS port closed).
    func makeContext() throws -> TLSContext? {
        let reasons = enabledBy
        guard !reasons.isEmpty else { return nil }
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
            throw TLSSetupError(
                description: "TLS is on (\(reasons.joined(separator: ", "))), but \(unavailable.file) "
                    + "could not be loaded (\(unavailable.reason)); install OpenSSL 3 (the libssl3 package, e.g. "
                    + "apt-get install libssl3) or turn TLS off")
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
