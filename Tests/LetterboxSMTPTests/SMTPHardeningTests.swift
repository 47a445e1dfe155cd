import LetterboxSMTP
import LetterboxStore
import Testing

/// Hostile input from issue 16: numbers beyond an integer, SASL identities, repeated failed logins
/// and endless junk commands. Each ends in a clear reply, never in a trap or an endless session.
@Suite struct SMTPHardeningTests {
    private var strict: SMTPConfiguration { SMTPConfiguration(credentials: Credentials(users: ["a": "b"])) }

    @Test func declaredSizeBeyondAnIntegerIsTooLarge() {
        var script = SessionScript(SMTPConfiguration(maxMessageSize: 1000))
        _ = script.send("EHLO c")
        #expect(
            script.send("MAIL FROM:<a@x> SIZE=99999999999999999999")
                == ["552 5.3.4 Message size exceeds fixed limit of 1000 octets"])
        #expect(script.send("MAIL FROM:<a@x> SIZE=-1") == ["501 5.5.4 Syntax: SIZE=<octets> (RFC 1870)"])
        #expect(script.send("MAIL FROM:<a@x> SIZE=1x") == ["501 5.5.4 Syntax: SIZE=<octets> (RFC 1870)"])
    }

    @Test func parameterThatIsOnlyAnEqualsSignIsRefusedAndTheSessionContinues() {
        var script = SessionScript()
        _ = script.send("EHLO c")
        #expect(script.send("MAIL FROM:<> =").first?.hasPrefix("501 5.5.4") == true)
        #expect(script.send("MAIL FROM:<a@x>").first?.hasPrefix("250") == true)
        #expect(script.send("RCPT TO:<b@x> = =").first?.hasPrefix("501 5.5.4") == true)
        #expect(script.send("RCPT TO:<b@x>").first?.hasPrefix("250") == true)
    }

    /// RFC 4616 §2: an authorization identity other than the authentication identity is refused.
    @Test func plainWithAnotherAuthorizationIdentityIsRefused() {
        var script = SessionScript(strict)
        _ = script.send("EHLO c")
        #expect(script.send("AUTH PLAIN eABhAGI=") == ["535 5.7.8 Authentication credentials invalid"])  // x\0a\0b
        #expect(script.send("AUTH PLAIN YQBhAGI=") == ["235 2.7.0 Authentication successful"])  // a\0a\0b
    }

    @Test func plainWithAnotherAuthorizationIdentityIsRefusedInTheExchangeToo() {
        var script = SessionScript(strict)
        _ = script.send("EHLO c")
        #expect(script.send("AUTH PLAIN") == ["334 "])
        #expect(script.send("eABhAGI=") == ["535 5.7.8 Authentication credentials invalid"])
    }

    @Test func thirdFailedLoginClosesTheSessionAfterADelayEach() {
        var script = SessionScript(strict)
        _ = script.send("EHLO c")
        #expect(script.send("AUTH PLAIN AGEAd3Jvbmc=") == ["535 5.7.8 Authentication credentials invalid"])
        _ = script.send("AUTH LOGIN")
        _ = script.send("YQ==")
        #expect(script.send("d3Jvbmc=") == ["535 5.7.8 Authentication credentials invalid"])
        #expect(!script.closed)
        #expect(script.send("AUTH PLAIN AGEAd3Jvbmc=").first?.hasPrefix("421 4.7.0") == true)
        #expect(script.closed)
        #expect(script.delays.count == 3)
    }

    @Test func successfulLoginAfterFailuresIsAccepted() {
        var script = SessionScript(strict)
        _ = script.send("EHLO c")
        _ = script.send("AUTH PLAIN AGEAd3Jvbmc=")
        _ = script.send("AUTH PLAIN AGEAd3Jvbmc=")
        #expect(script.send("AUTH PLAIN AGEAYg==") == ["235 2.7.0 Authentication successful"])
        #expect(!script.closed)
    }

    /// Postfix's smtpd_junk_command_limit: past 100 commands that start nothing, each one counts
    /// as an error, and 20 errors close the session.
    @Test func endlessJunkCommandsCloseTheSession() {
        var script = SessionScript()
        _ = script.send("EHLO c")
        for _ in 0..<99 { _ = script.send("NOOP") }
        #expect(!script.closed)
        for _ in 0..<19 { _ = script.send("RSET") }
        #expect(!script.closed)
        #expect(script.send("VRFY x") == ["421 4.7.0 Too many errors, closing connection"])
        #expect(script.closed)
    }

    @Test func aDeliveredMessageResetsTheJunkCount() {
        var script = SessionScript()
        for _ in 0..<5 {
            _ = script.send("EHLO c")
            for _ in 0..<100 { _ = script.send("NOOP") }
            _ = script.send("MAIL FROM:<a@x>")
            _ = script.send("RCPT TO:<b@x>")
            #expect(script.send("DATA", data: "x\r\n").last?.hasPrefix("250") == true)
        }
        #expect(!script.closed)
    }

    /// Peer text quoted in a reply stays one short line (RFC 5321 §4.5.3.1.5: 512 octets).
    @Test func peerTextInRepliesIsCutAndHasNoControlCharacters() {
        var script = SessionScript()
        let name = "a\rb\u{1B}[2J" + String(repeating: "h", count: 10_000)
        let greeting = script.send("EHLO " + name).first ?? ""
        #expect(
            greeting.hasPrefix("250-test.local greets a?b?[2Jhhh") && greeting.hasSuffix("...")
                && greeting.utf8.count < 100)
        let mechanism = script.send("AUTH " + String(repeating: "X", count: 10_000)).first ?? ""
        #expect(mechanism.utf8.count < 120 && mechanism.hasPrefix("504 5.5.4"))
        #expect(script.send("MAIL FROM:<a\rb@x>") == ["250 2.1.0 Sender <a?b@x> ok"])
        #expect(
            (script.send("MAIL FROM:<a@x> BODY=" + String(repeating: "Z", count: 5000)).first?.utf8.count ?? 0) < 120)
    }
}
