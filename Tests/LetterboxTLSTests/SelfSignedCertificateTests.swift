import Foundation
import TestSupport
import Testing

@testable import LetterboxTLS

/// The generated certificate, read back by the `openssl` command (a parser we did not write).
@Suite struct SelfSignedCertificateTests {
    /// The `openssl` command, or nil where it is not installed.
    static let openssl = try? ThirdPartyProgram.locate("openssl", package: "openssl")

    @Test(
        .enabled(if: TLSTransportTests.runnable, "libssl.so.3 is not installed (apt-get install libssl3)"),
        .enabled(
            if: openssl != nil || ThirdPartyProgram.isRequired, "openssl is not installed (apt-get install openssl)"))
    func certificateIsP256SHA256WithLocalNames() async throws {
        let identity = try CertificateAndKey.selfSigned()
        #expect(identity.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(identity.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let openssl = try ThirdPartyProgram.locate("openssl", package: "openssl")
        let text = try await run(openssl, ["x509", "-noout", "-text"], input: identity.certificatePEM)
        #expect(text.contains("Version: 3 (0x2)"))
        #expect(text.contains("Signature Algorithm: ecdsa-with-SHA256"))
        #expect(text.contains("NIST CURVE: P-256"))
        #expect(text.contains("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"))
        #expect(text.contains("Subject: CN = localhost"))
        #expect(text.contains("TLS Web Server Authentication"))
        // The certificate verifies against itself, as a client that trusts exactly it will check.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("letterbox-\(UUID()).pem")
        try identity.certificatePEM.write(to: file, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let verified = try await run(
            openssl, ["verify", "-x509_strict", "-CAfile", file.path, "-verify_hostname", "localhost", file.path],
            input: "")
        #expect(verified.contains(": OK"))
    }

    /// Runs a program (``runCapturing(_:_:stdin:)``); what it printed on stdout, then on stderr.
    private func run(_ executable: String, _ arguments: [String], input: String) async throws -> String {
        let result = try await runCapturing(executable, arguments, stdin: input)
        return result.stdout + result.stderr
    }
}
