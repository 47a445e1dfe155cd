import LetterboxSMTP
import LetterboxStore
import Testing

@Suite struct SMTPSessionTests {
    @Test func greetingNamesTheHost() {
        let script = SessionScript()
        #expect(script.session.greeting.wire == "220 test.local ESMTP Letterbox\r\n")
    }

    @Test func ehloAdvertisesTheExtensions() {
        var script = SessionScript()
        let reply = script.send("EHLO client.example")
        #expect(reply.first == "250-test.local greets client.example")
        for keyword in [
            "PIPELINING", "SIZE 33554432", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "BINARYMIME",
        ] {
            #expect(reply.contains { $0.dropFirst(4) == keyword }, "missing \(keyword)")
        }
        #expect(reply.contains("250-AUTH PLAIN LOGIN CRAM-MD5"))
        #expect(reply.last == "250 HELP")
    }

    @Test func fullTransactionDeliversTheEnvelope() {
        var script = SessionScript()
        _ = script.send("EHLO client.example")
        #expect(script.send("MAIL FROM:<ana@example.com>") == ["250 2.1.0 Sender <ana@example.com> ok"])
        #expect(script.send("RCPT TO:<bo@example.com>") == ["250 2.1.5 Recipient <bo@example.com> ok"])
        #expect(script.send("RCPT TO:<hidden@example.com>") == ["250 2.1.5 Recipient <hidden@example.com> ok"])
        let body = "Subject: Hi\r\n\r\nHello\r\n"
        #expect(
            script.send("DATA", data: body) == ["354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued as 1"])
        #expect(script.delivered.count == 1)
        #expect(script.delivered[0].raw == Array(body.utf8))
        #expect(script.delivered[0].envelope.sender == "ana@example.com")
        #expect(script.delivered[0].envelope.recipients == ["bo@example.com", "hidden@example.com"])
        #expect(script.delivered[0].envelope.helo == "client.example")
        #expect(script.delivered[0].envelope.peer == "127.0.0.1:5000")
    }

    @Test func transactionResetsAfterData() {
        var script = SessionScript()
        _ = script.send("HELO c")
        _ = script.send("MAIL FROM:<a@x>")
        _ = script.send("RCPT TO:<b@x>")
        _ = script.send("DATA", data: "x\r\n")
        #expect(script.send("RCPT TO:<c@x>") == ["503 5.5.1 Error: need MAIL command"])
        #expect(script.send("MAIL FROM:<a@x>").first?.hasPrefix("250") == true)
    }

    @Test func commandsOutOfOrderAreRejectedAndTheSessionContinues() {
        var script = SessionScript()
        #expect(script.send("MAIL FROM:<a@x>") == ["503 5.5.1 Error: send HELO/EHLO first"])
        _ = script.send("EHLO c")
        #expect(script.send("RCPT TO:<b@x>") == ["503 5.5.1 Error: need MAIL command"])
        #expect(script.send("DATA") == ["503 5.5.1 Error: need MAIL command"])
        _ = script.send("MAIL FROM:<a@x>")
        #expect(script.send("MAIL FROM:<a@x>") == ["503 5.5.1 Error: nested MAIL command"])
        #expect(script.send("DATA") == ["503 5.5.1 Error: need RCPT command"])
        #expect(!script.closed)
    }

    @Test func declaredSizeOverTheLimitIsRefused() {
        var script = SessionScript(SMTPConfiguration(maxMessageSize: 1000))
        _ = script.send("EHLO c")
        #expect(
            script.send("MAIL FROM:<a@x> SIZE=1001") == ["552 5.3.4 Message size exceeds fixed limit of 1000 octets"])
        #expect(script.send("MAIL FROM:<a@x> SIZE=1000").first?.hasPrefix("250") == true)
    }

    @Test func oversizedDataIsRefusedAndNothingIsDelivered() {
        var script = SessionScript()
        _ = script.send("EHLO c")
        _ = script.send("MAIL FROM:<a@x>")
        _ = script.send("RCPT TO:<b@x>")
        _ = script.session.receive(Array("DATA".utf8))
        let completion = script.session.dataReceived(.tooLarge)
        guard case .reply(let reply) = completion else { Issue.record("delivered an oversized message"); return }
        #expect(reply.code == 552)
        #expect(script.session.isIdle)
    }

    @Test func recipientsBeyondTheLimitGet452() {
        var script = SessionScript(SMTPConfiguration(maxRecipients: 100))
        _ = script.send("EHLO c")
        _ = script.send("MAIL FROM:<a@x>")
        for index in 0..<100 { #expect(script.send("RCPT TO:<r\(index)@x>").first?.hasPrefix("250") == true) }
        #expect(script.send("RCPT TO:<r100@x>") == ["452 4.5.3 Too many recipients (limit 100)"])
        _ = script.send("DATA", data: "x\r\n")
        #expect(script.delivered.first?.envelope.recipients.count == 100)
    }

    @Test func bdatChunksAreJoined() {
        var script = SessionScript()
        _ = script.send("EHLO c")
        _ = script.send("MAIL FROM:<a@x> BODY=BINARYMIME")
        _ = script.send("RCPT TO:<b@x>")
        #expect(script.send("BDAT 9", chunk: "Subject: ") == ["250 2.0.0 9 octets received"])
        #expect(script.send("BDAT 11 LAST", chunk: "x\r\n\r\nbody\r\n") == ["250 2.0.0 Ok: queued as 1"])
        #expect(script.delivered.first?.raw == Array("Subject: x\r\n\r\nbody\r\n".utf8))
    }

    @Test("BDAT chunks after MAIL FROM SIZE= join into the message; the next transaction starts without the size")
    func bdatChunksWithDeclaredSize() {
        var script = SessionScript()
        _ = script.send("EHLO c")
        _ = script.send("MAIL FROM:<a@x> SIZE=30")
        _ = script.send("RCPT TO:<b@x>")
        #expect(script.session.declaredMessageSize == 30)
        for (index, piece) in ["Subject: ", "x\r\n", "\r\n"].enumerated() {
            #expect(
                script.send("BDAT \(piece.utf8.count)", chunk: piece).first?.hasPrefix("250") == true, "chunk \(index)")
        }
        #expect(script.send("BDAT 6 LAST", chunk: "body\r\n") == ["250 2.0.0 Ok: queued as 1"])
        #expect(script.delivered.first?.raw == Array("Subject: x\r\n\r\nbody\r\n".utf8))
        #expect(script.session.declaredMessageSize == nil)
    }

    @Test func binaryMimeNeedsBdat() {
        var script = SessionScript()
        _ = script.send("EHLO c")
        _ = script.send("MAIL FROM:<a@x> BODY=BINARYMIME")
        _ = script.send("RCPT TO:<b@x>")
        #expect(script.send("DATA").first?.hasPrefix("503 5.5.1") == true)
    }

    @Test func bdatWithoutTransactionIsRefusedAfterReading() {
        var script = SessionScript()
        _ = script.send("EHLO c")
        #expect(script.send("BDAT 3 LAST", chunk: "abc") == ["503 5.5.1 Error: need MAIL command"])
        #expect(script.delivered.isEmpty)
    }

    @Test func authPlainWithInitialResponse() {
        var script = SessionScript()
        _ = script.send("EHLO c")
        // "\0ana\0secret"
        #expect(script.send("AUTH PLAIN AGFuYQBzZWNyZXQ=") == ["235 2.7.0 Authentication successful"])
        _ = script.send("MAIL FROM:<a@x>")
        _ = script.send("RCPT TO:<b@x>")
        _ = script.send("DATA", data: "x\r\n")
        #expect(script.delivered.first?.envelope.authenticatedAs == "ana")
        #expect(script.send("AUTH PLAIN AGFuYQBzZWNyZXQ=") == ["503 5.5.1 Error: already authenticated"])
    }

    @Test func authLoginAsksForUserAndPassword() {
        var script = SessionScript()
        _ = script.send("EHLO c")
        #expect(script.send("AUTH LOGIN") == ["334 VXNlcm5hbWU6"])
        #expect(script.send("YW5h") == ["334 UGFzc3dvcmQ6"])
        #expect(script.send("c2VjcmV0") == ["235 2.7.0 Authentication successful"])
    }

    @Test func authCramMD5AcceptsAnyDigest() {
        var script = SessionScript()
        _ = script.send("EHLO c")
        let challenge = script.send("AUTH CRAM-MD5")
        #expect(challenge.first?.hasPrefix("334 ") == true)
        // "ana 0123456789abcdef0123456789abcdef"
        #expect(
            script.send("YW5hIDAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm") == ["235 2.7.0 Authentication successful"])
    }

    @Test func authGarbageIsAClearError() {
        var script = SessionScript()
        _ = script.send("EHLO c")
        _ = script.send("AUTH PLAIN")
        #expect(script.send("not base64!!") == ["501 5.5.2 Cannot decode base64 response"])
        #expect(
            script.send("AUTH PLAIN YWJj") == [
                "501 5.5.2 Malformed PLAIN response (expected authzid NUL authcid NUL password)"
            ])
        #expect(script.send("AUTH XOAUTH9") == ["504 5.5.4 Unrecognized authentication type XOAUTH9"])
        _ = script.send("AUTH LOGIN")
        #expect(script.send("*") == ["501 5.7.0 Authentication cancelled"])
    }

    @Test func configuredUsersMakeAuthStrict() {
        var script = SessionScript(SMTPConfiguration(credentials: Credentials(users: ["ana": "secret"])))
        #expect(script.send("EHLO c").contains("250-AUTH PLAIN LOGIN"))
        #expect(script.send("AUTH PLAIN AGFuYQB3cm9uZw==") == ["535 5.7.8 Authentication credentials invalid"])
        #expect(script.send("AUTH PLAIN AGFuYQBzZWNyZXQ=") == ["235 2.7.0 Authentication successful"])
    }

    @Test func vrfyHelpNoopRset() {
        var script = SessionScript()
        #expect(script.send("VRFY ana").first?.hasPrefix("252 2.5.0") == true)
        #expect(script.send("HELP").last?.hasPrefix("214 2.0.0") == true)
        #expect(script.send("NOOP") == ["250 2.0.0 Ok"])
        #expect(script.send("RSET") == ["250 2.0.0 Ok"])
    }

    @Test func quitCloses() {
        var script = SessionScript()
        #expect(script.send("QUIT") == ["221 2.0.0 Bye"])
        #expect(script.closed)
    }

    @Test func tooManyErrorsCloseTheConnection() {
        var script = SessionScript()
        for _ in 0..<19 { _ = script.send("BOGUS") }
        #expect(!script.closed)
        #expect(script.send("BOGUS") == ["421 4.7.0 Too many errors, closing connection"])
        #expect(script.closed)
    }
}
