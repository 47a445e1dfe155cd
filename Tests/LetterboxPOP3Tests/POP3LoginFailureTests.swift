import LetterboxPOP3
import LetterboxStore
import Testing

/// Logins that must fail (issue 16): another SASL authorization identity, and too many failures.
@Suite struct POP3LoginFailureTests {
    private let users = Credentials(users: ["a": "b"])

    /// RFC 4616 §2: `x NUL a NUL b` must not log in as `a`.
    @Test func plainWithAnotherAuthorizationIdentityIsRefused() {
        var script = POP3Script(credentials: users)
        #expect(script.send("AUTH PLAIN eABhAGI=").first?.hasPrefix("-ERR [AUTH]") == true)
        _ = script.send("AUTH PLAIN")
        #expect(script.send("eABhAGI=").first?.hasPrefix("-ERR [AUTH]") == true)
        #expect(script.send("AUTH PLAIN YQBhAGI=").first?.hasPrefix("+OK a has") == true)
    }

    @Test func thirdFailedLoginClosesTheSession() {
        var script = POP3Script(credentials: users)
        #expect(script.send("USER a") == ["+OK send PASS"])
        #expect(script.send("PASS wrong") == ["-ERR [AUTH] invalid user name or password"])
        #expect(script.send("AUTH PLAIN AGEAd3Jvbmc=") == ["-ERR [AUTH] invalid user name or password"])
        #expect(!script.closed)
        _ = script.send("USER a")
        #expect(script.send("PASS wrong").first?.hasPrefix("-ERR [AUTH]") == true)
        #expect(script.closed)
    }

    @Test func loginAfterTwoFailuresSucceeds() {
        var script = POP3Script(credentials: users)
        _ = script.send("USER a")
        _ = script.send("PASS wrong")
        _ = script.send("USER a")
        _ = script.send("PASS wrong")
        _ = script.send("USER a")
        #expect(script.send("PASS b").first?.hasPrefix("+OK a has") == true)
        #expect(!script.closed)
    }
}
