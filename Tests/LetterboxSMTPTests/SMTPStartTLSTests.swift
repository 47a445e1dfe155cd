import LetterboxSMTP
import LetterboxStore
import Testing

/// STARTTLS in the session state machine (RFC 3207); the handshake itself is tested over sockets.
@Suite struct SMTPStartTLSTests {
    @Test func advertisedOnlyWhenAvailableAndNotYetActive() {
        var script = SessionScript(canStartTLS: true)
        #expect(script.send("EHLO client").contains("250-STARTTLS"))
        #expect(script.send("STARTTLS") == ["220 2.0.0 Ready to start TLS"])
        #expect(!script.send("EHLO client").contains("250-STARTTLS"))
        #expect(script.send("STARTTLS") == ["503 5.5.1 Error: TLS already active"])

        var plain = SessionScript()
        #expect(!plain.send("EHLO client").contains("250-STARTTLS"))
        #expect(plain.send("STARTTLS") == ["454 4.7.0 TLS not available"])
    }

    /// RFC 3207 §4.2: after the handshake the client must start over with EHLO, and AUTH is forgotten.
    @Test func upgradeForgetsEHLOAndAuthentication() {
        var script = SessionScript(canStartTLS: true)
        _ = script.send("EHLO client")
        #expect(script.send("AUTH PLAIN AGFuYQBzZWNyZXQ=") == ["235 2.7.0 Authentication successful"])
        _ = script.send("STARTTLS")
        #expect(script.send("MAIL FROM:<a@example.com>") == ["503 5.5.1 Error: send HELO/EHLO first"])
        _ = script.send("EHLO client")
        #expect(script.send("MAIL FROM:<a@example.com>") == ["250 2.1.0 Sender <a@example.com> ok"])
        _ = script.send("RCPT TO:<b@example.com>")
        _ = script.send("DATA", data: "Subject: x\r\n\r\nbody\r\n")
        let envelope = script.delivered.first?.envelope
        #expect(envelope?.authenticatedAs == nil)
        #expect(envelope?.tls == Envelope.TLS(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256"))
    }

    @Test func requireTLSRefusesMailAndAuthUntilStartTLS() {
        var configuration = SMTPConfiguration(hostname: "test.local")
        configuration.requireTLS = true
        var script = SessionScript(configuration, canStartTLS: true)
        let ehlo = script.send("EHLO client")
        #expect(!ehlo.contains { $0.contains("AUTH") })
        #expect(script.send("MAIL FROM:<a@example.com>") == ["530 5.7.0 Must issue a STARTTLS command first"])
        #expect(script.send("AUTH PLAIN AGFuYQBzZWNyZXQ=") == ["530 5.7.0 Must issue a STARTTLS command first"])
        _ = script.send("STARTTLS")
        #expect(script.send("EHLO client").contains { $0.contains("AUTH PLAIN") })
        #expect(script.send("MAIL FROM:<a@example.com>") == ["250 2.1.0 Sender <a@example.com> ok"])
    }
}
