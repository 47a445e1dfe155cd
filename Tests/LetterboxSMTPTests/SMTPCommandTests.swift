import LetterboxSMTP
import Testing

@Suite struct SMTPCommandTests {
    private func parse(_ line: String) -> Result<SMTPCommand, SMTPReply> { SMTPCommand.parse(Array(line.utf8)) }

    @Test func verbsAreCaseInsensitive() {
        #expect(parse("ehlo client.example") == .success(.ehlo("client.example")))
        #expect(parse("Quit") == .success(.quit))
    }

    @Test func mailFromWithParameters() {
        #expect(
            parse("MAIL FROM:<ana@example.com> SIZE=1000 BODY=8BITMIME")
                == .success(.mail(from: "ana@example.com", parameters: ["SIZE": "1000", "BODY": "8BITMIME"])))
    }

    @Test func mailFromToleratesSpaceAndMissingBrackets() {
        #expect(parse("MAIL FROM: <ana@example.com>") == .success(.mail(from: "ana@example.com", parameters: [:])))
        #expect(parse("MAIL FROM:ana@example.com") == .success(.mail(from: "ana@example.com", parameters: [:])))
    }

    @Test func nullSenderIsEmpty() {
        #expect(parse("MAIL FROM:<>") == .success(.mail(from: "", parameters: [:])))
    }

    @Test func sourceRouteIsDropped() {
        #expect(
            parse("RCPT TO:<@relay.example:bo@example.com>") == .success(.rcpt(to: "bo@example.com", parameters: [:])))
    }

    @Test func emptyRecipientIsRejected() {
        guard case .failure(let reply) = parse("RCPT TO:<>") else { Issue.record("accepted RCPT TO:<>"); return }
        #expect(reply.code == 501)
    }

    @Test func overlongPathIsRejected() {
        let path = String(repeating: "a", count: 300) + "@example.com"
        guard case .failure(let reply) = parse("MAIL FROM:<\(path)>") else { Issue.record("accepted"); return }
        #expect(reply.code == 501 && reply.enhanced == "5.1.3")
    }

    @Test func bdatSizeAndLast() {
        #expect(parse("BDAT 512") == .success(.bdat(size: 512, last: false)))
        #expect(parse("BDAT 0 LAST") == .success(.bdat(size: 0, last: true)))
        #expect((try? parse("BDAT -1").get()) == nil)
        #expect((try? parse("BDAT 10 FIRST").get()) == nil)
    }

    @Test func authWithAndWithoutInitialResponse() {
        #expect(
            parse("AUTH plain AGFuYQBzZWNyZXQ=")
                == .success(.auth(mechanism: "PLAIN", initialResponse: "AGFuYQBzZWNyZXQ=")))
        #expect(parse("AUTH LOGIN") == .success(.auth(mechanism: "LOGIN", initialResponse: nil)))
    }

    @Test func nulByteIsRejected() {
        guard case .failure(let reply) = SMTPCommand.parse(Array("NOOP\u{0}x".utf8)) else {
            Issue.record("accepted"); return
        }
        #expect(reply.code == 500)
    }

    @Test func unknownVerbIsSyntaxError() {
        guard case .failure(let reply) = parse("GET / HTTP/1.1") else { Issue.record("accepted"); return }
        #expect(reply.code == 500 && reply.enhanced == "5.5.2")
    }

    /// Finding 1 of issue 16: a parameter that is only `=` split into nothing and trapped on
    /// `pair[0]`, killing the whole process.
    @Test(arguments: [
        "MAIL FROM:<> =", "MAIL FROM:<> SIZE=10 =", "MAIL FROM:<> = =", "MAIL FROM:<a@b> =x",
        "RCPT TO:<a@b> =", "RCPT TO:<a@b> NOTIFY=NEVER = ", "MAIL FROM:<> -X=1", "MAIL FROM:<> S\u{1}ZE=1",
    ])
    func parameterWithoutKeywordIsASyntaxError(line: String) {
        guard case .failure(let reply) = parse(line) else { Issue.record("accepted \(line)"); return }
        #expect(reply.code == 501 && reply.enhanced == "5.5.4")
    }

    @Test func parameterWithoutValueIsKept() {
        #expect(parse("RCPT TO:<a@b> X-FLAG") == .success(.rcpt(to: "a@b", parameters: ["X-FLAG": ""])))
    }

    @Test func bdatSizeBeyondAnIntegerIsASyntaxError() {
        #expect((try? parse("BDAT 99999999999999999999").get()) == nil)
        #expect((try? parse("BDAT 99999999999999999999 LAST").get()) == nil)
        #expect((try? parse("BDAT +5").get()) == nil)
    }
}
