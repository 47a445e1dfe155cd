import LetterboxIMAP
import Testing

/// STARTTLS in the session state machine (RFC 3501 §6.2.1); the handshake is tested over sockets.
@Suite struct IMAPStartTLSTests {
    @Test func startTLSIsAdvertisedUntilActive() {
        var script = IMAPScript(canStartTLS: true)
        #expect(script.send("a CAPABILITY").first?.contains(" STARTTLS") == true)
        #expect(script.send("b STARTTLS") == ["b OK Begin TLS negotiation now"])
        #expect(script.send("c CAPABILITY").first?.contains("STARTTLS") == false)
        #expect(script.send("d STARTTLS") == ["d BAD TLS is already active"])
    }

    @Test func withoutTLSSupportStartTLSIsRefused() {
        var script = IMAPScript()
        #expect(script.send("a CAPABILITY").first?.contains("STARTTLS") == false)
        #expect(script.send("b STARTTLS") == ["b NO STARTTLS is not available"])
    }

    @Test func requireTLSDisablesLoginUntilStartTLS() {
        var script = IMAPScript(requireTLS: true, canStartTLS: true)
        let capability = script.send("a CAPABILITY").first ?? ""
        #expect(capability.contains("LOGINDISABLED") && !capability.contains("AUTH=PLAIN"))
        #expect(script.send("b LOGIN ana x") == ["b NO [PRIVACYREQUIRED] TLS is required: use STARTTLS first"])
        #expect(
            script.send("c AUTHENTICATE PLAIN AGFuYQB4") == [
                "c NO [PRIVACYREQUIRED] TLS is required: use STARTTLS first"
            ])
        _ = script.send("d STARTTLS")
        #expect(script.send("e CAPABILITY").first?.contains("AUTH=PLAIN") == true)
        #expect(script.send("f LOGIN ana x").last?.hasPrefix("f OK") == true)
    }
}
