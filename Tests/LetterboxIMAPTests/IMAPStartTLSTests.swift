import LetterboxIMAP
import Testing

/// STARTTLS in the session state machine (RFC 3501 §6.2.1); the handshake is tested over sockets.
@Suite struct IMAPStartTLSTests {
    @Test func startTLSIsAdvertisedUntilActive() async {
        var script = IMAPScript(canStartTLS: true)
        #expect(await script.send("a CAPABILITY").first?.contains(" STARTTLS") == true)
        #expect(await script.send("b STARTTLS") == ["b OK Begin TLS negotiation now"])
        #expect(await script.send("c CAPABILITY").first?.contains("STARTTLS") == false)
        #expect(await script.send("d STARTTLS") == ["d BAD TLS is already active"])
    }

    @Test func withoutTLSSupportStartTLSIsRefused() async {
        var script = IMAPScript()
        #expect(await script.send("a CAPABILITY").first?.contains("STARTTLS") == false)
        #expect(await script.send("b STARTTLS") == ["b NO STARTTLS is not available"])
    }

    @Test func requireTLSDisablesLoginUntilStartTLS() async {
        var script = IMAPScript(requireTLS: true, canStartTLS: true)
        let capability = await script.send("a CAPABILITY").first ?? ""
        #expect(capability.contains("LOGINDISABLED") && !capability.contains("AUTH=PLAIN"))
        #expect(await script.send("b LOGIN ana x") == ["b NO [PRIVACYREQUIRED] TLS is required: use STARTTLS first"])
        #expect(
            await script.send("c AUTHENTICATE PLAIN AGFuYQB4") == [
                "c NO [PRIVACYREQUIRED] TLS is required: use STARTTLS first"
            ])
        _ = await script.send("d STARTTLS")
        #expect(await script.send("e CAPABILITY").first?.contains("AUTH=PLAIN") == true)
        #expect(await script.send("f LOGIN ana x").last?.hasPrefix("f OK") == true)
    }
}
