import LetterboxIMAP
import LetterboxStore
import Testing

/// Logins that must fail (issue 16): another SASL authorization identity, and too many failures.
@Suite struct IMAPLoginFailureTests {
    private let users = Credentials(users: ["a": "b"])

    /// RFC 4616 §2: `x NUL a NUL b` must not log in as `a`.
    @Test func plainWithAnotherAuthorizationIdentityIsRefused() async {
        var script = IMAPScript(credentials: users)
        #expect(await script.send("t1 AUTHENTICATE PLAIN eABhAGI=").last?.hasPrefix("t1 NO") == true)
        #expect(await script.send("t2 SELECT INBOX").last?.hasPrefix("t2 BAD") == true)
        #expect(await script.send("t3 AUTHENTICATE PLAIN YQBhAGI=").last?.hasPrefix("t3 OK") == true)
    }

    @Test func thirdFailedLoginSaysByeAndCloses() async {
        var script = IMAPScript(credentials: users)
        #expect(await script.send("t1 LOGIN a wrong") == ["t1 NO [AUTHENTICATIONFAILED] invalid user name or password"])
        #expect(
            await script.send("t2 AUTHENTICATE PLAIN AGEAd3Jvbmc=").last?.hasPrefix("t2 NO [AUTHENTICATIONFAILED]")
                == true)
        let third = await script.send("t3 LOGIN a wrong")
        #expect(third.contains { $0.hasPrefix("* BYE") })
        #expect(third.last?.hasPrefix("t3 NO [AUTHENTICATIONFAILED]") == true)
    }

    @Test func failuresInTheAuthenticateExchangeCountToo() async {
        var script = IMAPScript(
            credentials: Credentials(users: ["a": "b"], loginFailures: .init(limit: 2, delay: .zero)))
        #expect(await script.send("t1 AUTHENTICATE PLAIN") == ["+ "])
        let first = script.session.continueAuthentication(Array("AGEAd3Jvbmc=".utf8))
        #expect(first.outcome == .proceed && script.session.takeLoginFailureDelay() == nil)
        #expect(await script.send("t2 AUTHENTICATE PLAIN") == ["+ "])
        let second = script.session.continueAuthentication(Array("eABhAGI=".utf8))
        #expect(second.outcome == .close)
        #expect(
            String(decoding: second.response, as: UTF8.self)
                == "* BYE Too many failed logins, closing connection\r\nt2 NO [AUTHORIZATIONFAILED] \(SASLPlain.Failure.authorization)\r\n"
        )
    }
}
