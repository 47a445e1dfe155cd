import Letterbox
import LetterboxNet
import LetterboxStore
import Testing

/// Issue 16 over real sockets: lines a hostile peer sends before any login end in a reply, never
/// in a crash, a split message or a login it should not get.
@Suite struct HostileInputTests {
    /// Finding 1: this one line trapped in the SMTP parser and took every listener down.
    @Test func parameterThatIsOnlyAnEqualsSignIsAnsweredAndEverythingStaysUp() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            try await client.send("EHLO c\r\nMAIL FROM:<> =\r\nMAIL FROM:<> SIZE=10 =\r\nRCPT TO:<a@b> = =\r\nNOOP\r\n")
            #expect(try await client.code() == 250)
            #expect(try await client.code() == 501)
            #expect(try await client.code() == 501)
            #expect(try await client.code() == 501)
            #expect(try await client.code() == 250)
            await client.close()
            let pop3 = try LineClient(port: mail.ports.pop3)
            #expect(try await pop3.line().hasPrefix("+OK"))
            await pop3.close()
        }
    }

    /// Finding 10 (SMTP smuggling): one DATA holding `<LF>.<LF>`, `<LF>.<CR><LF>` and
    /// `<CR><LF>.<LF>`, each followed by a forged transaction, is one message, stored as received.
    @Test func smugglingSequencesDoNotEndTheData() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            try await client.send("EHLO c\r\nMAIL FROM:<ana@example.com>\r\nRCPT TO:<bo@example.com>\r\nDATA\r\n")
            for expected in [250, 250, 250, 354] { #expect(try await client.code() == expected) }
            var body = "Subject: one\r\n\r\nfirst"
            for (index, sequence) in ["\n.\n", "\n.\r\n", "\r\n.\n"].enumerated() {
                body += sequence + "MAIL FROM:<forged@example.com>\r\nRCPT TO:<victim\(index)@example.com>\r\nDATA\r\n"
                body += "Subject: forged \(index)\r\n\r\nforged"
            }
            body += "\r\n"
            try await client.send(body + ".\r\nQUIT\r\n")
            #expect(try await client.reply().first?.hasPrefix("250 2.0.0 Ok: queued as") == true)
            #expect(try await client.code() == 221)
            #expect(mail.messages.count == 1)
            #expect(mail.messages.first?.raw == Array(body.utf8))
            #expect(mail.messages.first?.envelope.recipients == ["bo@example.com"])
        }
    }

    /// Finding 11: with a user list, `x NUL a NUL b` must not log in as `a` (RFC 4616 §2).
    @Test func plainWithAnotherAuthorizationIdentityIsRefusedOverSMTP() async throws {
        try await withCatcher({ $0.credentials = Credentials(users: ["a": "b"]) }) { mail in
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            try await client.send("EHLO c\r\nAUTH PLAIN eABhAGI=\r\n")
            _ = try await client.reply()
            #expect(try await client.reply() == ["535 5.7.8 Authentication credentials invalid"])
            await client.close()
        }
    }

    @Test func plainWithAnotherAuthorizationIdentityIsRefusedOverIMAP() async throws {
        try await withCatcher({ $0.credentials = Credentials(users: ["a": "b"]) }) { mail in
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            try await client.send("t1 AUTHENTICATE PLAIN eABhAGI=\r\nt2 AUTHENTICATE PLAIN YQBhAGI=\r\n")
            #expect(try await client.line().hasPrefix("t1 NO [AUTHORIZATIONFAILED]"))
            #expect(try await client.line().hasPrefix("t2 OK"))
            await client.close()
        }
    }

    /// Finding 12: failed logins end the session after the third, each answered after the delay.
    @Test func thirdFailedLoginClosesEachProtocolsSession() async throws {
        try await withCatcher({
            $0.credentials = Credentials(users: ["a": "b"])
            $0.credentials.loginFailures.delay = .milliseconds(20)
        }) { mail in
            let smtp = try LineClient(port: mail.ports.smtp)
            _ = try await smtp.reply()
            try await smtp.send("EHLO c\r\n" + String(repeating: "AUTH PLAIN AGEAd3Jvbmc=\r\n", count: 5))
            _ = try await smtp.reply()
            #expect(try await smtp.code() == 535)
            #expect(try await smtp.code() == 535)
            #expect(try await smtp.reply().first?.hasPrefix("421 4.7.0") == true)
            #expect(await smtp.isClosedByServer())

            let pop3 = try LineClient(port: mail.ports.pop3)
            _ = try await pop3.line()
            try await pop3.send(String(repeating: "USER a\r\nPASS wrong\r\n", count: 5))
            for _ in 0..<2 {
                #expect(try await pop3.line() == "+OK send PASS")
                #expect(try await pop3.line() == "-ERR [AUTH] invalid user name or password")
            }
            #expect(try await pop3.line() == "+OK send PASS")
            #expect(try await pop3.line().hasPrefix("-ERR [AUTH]"))
            #expect(await pop3.isClosedByServer())

            let imap = try LineClient(port: mail.ports.imap)
            _ = try await imap.line()
            try await imap.send((1...5).map { "t\($0) LOGIN a wrong\r\n" }.joined())
            #expect(try await imap.line().hasPrefix("t1 NO [AUTHENTICATIONFAILED]"))
            #expect(try await imap.line().hasPrefix("t2 NO [AUTHENTICATIONFAILED]"))
            #expect(try await imap.line().hasPrefix("* BYE"))
            #expect(try await imap.line().hasPrefix("t3 NO [AUTHENTICATIONFAILED]"))
            #expect(await imap.isClosedByServer())
        }
    }

    /// A guesser that hangs up during a failed login's delay frees its connection at once, not
    /// when the delay ends (as a long poll does): its session ends although the delay is 10 minutes.
    /// The failed login is followed by a pipelined command, so the close comes behind bytes.
    @Test(
        arguments: [
            ("smtp", "EHLO c\r\nAUTH PLAIN AGEAd3Jvbmc=\r\nNOOP\r\n"),
            ("pop3", "USER a\r\nPASS wrong\r\nNOOP\r\n"),
            ("imap", "t1 LOGIN a wrong\r\nt2 NOOP\r\n"),
        ])
    func hangingUpEndsTheFailedLoginDelay(protocolName: String, failedLogin: String) async throws {
        let log = SessionLog()
        try await withCatcher({
            $0.credentials = Credentials(users: ["a": "b"])
            $0.credentials.loginFailures.delay = .seconds(600)
            $0.logger = Logger(level: .debug, sink: { line in log.record(line) })
        }) { mail in
            let ports = ["smtp": mail.ports.smtp, "pop3": mail.ports.pop3, "imap": mail.ports.imap]
            let client = try LineClient(port: ports[protocolName] ?? 0)
            _ = try await client.line()
            try await client.send(failedLogin)
            #expect(await client.waitUntilAcknowledged(), "the login did not reach the server")
            await client.close()
            #expect(await log.waitForClose(of: protocolName), "the session outlived its peer")
        }
    }
}
