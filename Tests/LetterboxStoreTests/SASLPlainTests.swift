import LetterboxStore
import Testing

@Suite("SASL PLAIN")
struct SASLPlainTests {
    @Test("an empty authzid, or the authcid itself, is accepted")
    func sameOrEmptyIdentity() {
        let empty = try? SASLPlain.decode("AGEAYg==").get()
        #expect(empty?.authorizationID == "" && empty?.user == "a" && empty?.password == "b")
        let same = try? SASLPlain.decode("YQBhAGI=").get()
        #expect(same?.authorizationID == "a" && same?.user == "a" && same?.password == "b")
    }

    @Test("another authzid is a refused login, not a malformed response (RFC 4616 §2)")
    func anotherIdentity() {
        #expect(SASLPlain.decode("eABhAGI=") == .failure(.authorization))  // x NUL a NUL b
        #expect(SASLPlain.decode(bytes: Array("A\0a\0b".utf8)) == .failure(.authorization))
    }

    @Test("malformed responses")
    func malformed() {
        #expect(SASLPlain.decode("not base64!") == .failure(.base64))
        #expect(SASLPlain.decode("=") == .failure(.shape))
        #expect(SASLPlain.decode(bytes: Array("\0a\0b\0c".utf8)) == .failure(.shape))
    }
}

@Suite("Login failures")
struct LoginFailuresTests {
    @Test("each failure waits the delay; the one reaching the limit closes")
    func limitAndDelay() {
        var failures = LoginFailures(policy: LoginFailurePolicy(limit: 3, delay: .milliseconds(5)))
        let first = failures.record()
        #expect(first.delay == .milliseconds(5) && !first.closesSession)
        #expect(failures.record().closesSession == false)
        #expect(failures.record().closesSession == true)
        #expect(failures.count == 3)
    }

    @Test("a limit below one still closes at the first failure, and the default follows Dovecot")
    func bounds() {
        var failures = LoginFailures(policy: LoginFailurePolicy(limit: 0))
        #expect(failures.record().closesSession)
        #expect(Credentials.anyone.loginFailures == LoginFailurePolicy(limit: 3, delay: .seconds(2)))
    }
}
