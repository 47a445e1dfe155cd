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

    /// Runs a program without blocking a thread of the cooperative pool; its stdout and stderr.
    private func run(_ executable: String, _ arguments: [String], input: String) async throws -> String {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { _ in
                continuation.resume(
                    returning: String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            }
            do {
                try process.run()
                stdin.fileHandleForWriting.write(Data(input.utf8))
                try? stdin.fileHandleForWriting.close()
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}
