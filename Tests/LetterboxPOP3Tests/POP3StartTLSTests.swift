import LetterboxPOP3
import Testing

/// STLS in the session state machine (RFC 2595 §4); the handshake itself is tested over sockets.
@Suite struct POP3StartTLSTests {
    @Test func stlsIsAdvertisedUntilTLSIsActiveAndForgetsUSER() {
        var script = POP3Script(canStartTLS: true)
        #expect(script.send("CAPA").contains("STLS"))
        #expect(script.send("USER ana") == ["+OK send PASS"])
        #expect(script.send("STLS") == ["+OK Begin TLS negotiation"])
        #expect(!script.send("CAPA").contains("STLS"))
        #expect(script.send("STLS") == ["-ERR TLS already active"])
        #expect(script.send("PASS secret") == ["-ERR send USER first"])
    }

    @Test func withoutTLSSupportSTLSIsRefused() {
        var script = POP3Script()
        #expect(!script.send("CAPA").contains("STLS"))
        #expect(script.send("STLS") == ["-ERR STLS not available"])
    }

    @Test func requireTLSRefusesLoginUntilSTLS() {
        var script = POP3Script(requireTLS: true, canStartTLS: true)
        #expect(script.send("USER ana") == ["-ERR TLS required: send STLS first"])
        _ = script.send("STLS")
        #expect(script.send("USER ana") == ["+OK send PASS"])
        #expect(script.send("PASS x").first?.hasPrefix("+OK") == true)
    }
}
