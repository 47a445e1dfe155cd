import Letterbox
import LetterboxNet
import LetterboxSMTP
import LetterboxStore
import Testing

/// SMTP over real sockets against a running catcher.
@Suite struct SMTPConnectionTests {
    @Test func pipelinedTransactionIsAnsweredInOrderAndStoredExactly() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.smtp)
            #expect(try await client.code() == 220)
            let body = "Subject: Pipelined\r\n\r\n..dot line\r\nplain\r\n"
            // Everything in one write: RFC 2920 says the server answers each in order.
            try await client.send(
                "EHLO client\r\nMAIL FROM:<ana@example.com>\r\nRCPT TO:<bo@example.com>\r\nRCPT TO:<bcc@example.com>\r\nDATA\r\n"
            )
            #expect(try await client.code() == 250)
            #expect(try await client.code() == 250)
            #expect(try await client.code() == 250)
            #expect(try await client.code() == 250)
            #expect(try await client.code() == 354)
            try await client.send(body + ".\r\nQUIT\r\n")
            let queued = try await client.reply()
            #expect(queued.first?.hasPrefix("250 2.0.0 Ok: queued as ") == true)
            // Stored before the 250 was sent: visible at once.
            let stored = try #require(mail.messages.first)
            #expect(stored.raw == Array("Subject: Pipelined\r\n\r\n.dot line\r\nplain\r\n".utf8))
            #expect(stored.envelope.recipients == ["bo@example.com", "bcc@example.com"])
            #expect(stored.envelope.helo == "client")
            #expect(try await client.code() == 221)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func overlongCommandLineGetsAnErrorAndTheSessionContinues() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            try await client.send("NOOP " + String(repeating: "x", count: 20_000) + "\r\nNOOP\r\n")
            #expect(try await client.reply() == ["500 5.5.2 Error: line too long"])
            #expect(try await client.reply() == ["250 2.0.0 Ok"])
            await client.close()
        }
    }

    @Test func nulBytesAndBareLineFeedsInCommands() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            try await client.send(bytes: Array("NO\u{0}OP\r\n".utf8))
            #expect(try await client.code() == 500)
            try await client.send("NOOP\n")
            #expect(try await client.code() == 250)
            await client.close()
        }
    }

    @Test func tenThousandRecipientsAreCappedWith452() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            var script = "EHLO c\r\nMAIL FROM:<a@example.com>\r\n"
            for index in 0..<10_000 { script += "RCPT TO:<r\(index)@example.com>\r\n" }
            try await client.send(script)
            _ = try await client.reply()
            #expect(try await client.code() == 250)
            var accepted = 0
            var deferred = 0
            for _ in 0..<10_000 {
                switch try await client.code() {
                case 250: accepted += 1
                case 452: deferred += 1
                default: Issue.record("unexpected reply to RCPT")
                }
            }
            #expect(accepted == 1000 && deferred == 9000)
            try await client.send("DATA\r\n")
            #expect(try await client.code() == 354)
            try await client.send("Subject: many\r\n\r\nx\r\n.\r\n")
            #expect(try await client.code() == 250)
            #expect(mail.messages.first?.envelope.recipients.count == 1000)
        }
    }

    @Test func declaredSizeOverTheLimitIsRefused() async throws {
        try await withCatcher({ $0.smtp.maxMessageSize = 1000 }) { mail in
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            try await client.send("EHLO c\r\n")
            #expect(try await client.reply().contains("250-SIZE 1000"))
            try await client.send("MAIL FROM:<a@example.com> SIZE=5000\r\n")
            #expect(try await client.reply() == ["552 5.3.4 Message size exceeds fixed limit of 1000 octets"])
            // An undeclared oversized body is read to the end, refused, and the session goes on.
            try await client.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
            #expect(try await client.code() == 250)
            #expect(try await client.code() == 250)
            #expect(try await client.code() == 354)
            try await client.send(String(repeating: "y", count: 5000) + "\r\n.\r\nNOOP\r\n")
            #expect(try await client.code() == 552)
            #expect(try await client.code() == 250)
            #expect(mail.messages.isEmpty)
        }
    }

    @Test func bdatChunksAreStoredAsOneMessage() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            let first = "Subject: Chunked\r\n"
            let second = "\r\nbinary \u{1}\u{2} body\r\n.no stuffing\r\n"
            try await client.send(
                "EHLO c\r\nMAIL FROM:<a@example.com> BODY=BINARYMIME\r\nRCPT TO:<b@example.com>\r\n"
                    + "BDAT \(first.utf8.count)\r\n\(first)BDAT \(second.utf8.count) LAST\r\n\(second)")
            _ = try await client.reply()
            for _ in 0..<3 { #expect(try await client.code() == 250) }
            #expect(try await client.reply().first?.hasPrefix("250 2.0.0 Ok: queued") == true)
            #expect(mail.messages.first?.raw == Array((first + second).utf8))
        }
    }

    @Test func clientVanishingMidDataOrMidBdatStoresNothingAndOthersAreServed() async throws {
        try await withCatcher { mail in
            let steady = try LineClient(port: mail.ports.smtp)
            _ = try await steady.reply()
            try await steady.send("EHLO steady\r\n")
            _ = try await steady.reply()

            let dataClient = try LineClient(port: mail.ports.smtp)
            _ = try await dataClient.reply()
            try await dataClient.send("EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@x.example>\r\nDATA\r\n")
            for _ in 0..<4 { _ = try await dataClient.reply() }
            try await dataClient.send("Subject: partial\r\n\r\nhalf a mess")
            await dataClient.connection.close()

            let bdatClient = try LineClient(port: mail.ports.smtp)
            _ = try await bdatClient.reply()
            try await bdatClient.send(
                "EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@x.example>\r\nBDAT 1000 LAST\r\nonly a few")
            for _ in 0..<3 { _ = try await bdatClient.reply() }
            await bdatClient.connection.close()

            try await steady.send("MAIL FROM:<a@x.example>\r\nRCPT TO:<b@x.example>\r\nDATA\r\n")
            for _ in 0..<3 { _ = try await steady.reply() }
            try await steady.send(sampleMessage(subject: "complete") + ".\r\n")
            #expect(try await steady.code() == 250)
            #expect(mail.messages.map(\.subject) == ["complete"])
        }
    }

    @Test func connectionsOverTheCapAreTurnedAway() async throws {
        try await withCatcher({ $0.maxConnections = 2 }) { mail in
            let first = try LineClient(port: mail.ports.smtp)
            let second = try LineClient(port: mail.ports.smtp)
            #expect(try await first.code() == 220)
            #expect(try await second.code() == 220)
            let third = try LineClient(port: mail.ports.smtp)
            #expect(try await third.reply() == ["421 4.3.2 Too many connections, try again later"])
            #expect(await third.isClosedByServer())
        }
    }

    @Test func idlePeersAreDisconnected() async throws {
        try await withCatcher({ $0.idleTimeout = .seconds(1) }) { mail in
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            #expect(try await client.reply() == ["421 4.4.2 Error: timeout exceeded, closing connection"])
            #expect(await client.isClosedByServer())
        }
    }

    @Test func shutdownFinishesTheTransactionInFlightAndDismissesIdleSessions() async throws {
        var configuration = Configuration()
        // Far beyond any stall: the transaction in flight is to end the wait, not the grace period
        // (on CI's loaded machine a test task has waited more than 10 s to run).
        configuration.shutdownGracePeriod = .seconds(120)
        let mail = try await MailCatcher.start(configuration)
        let idle = try LineClient(port: mail.ports.smtp)
        _ = try await idle.reply()
        let busy = try LineClient(port: mail.ports.smtp)
        _ = try await busy.reply()
        try await busy.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
        for _ in 0..<4 { _ = try await busy.reply() }
        try await busy.send("Subject: in flight\r\n\r\nfirst half\r\n")

        let shutdown = Task { await mail.shutdown() }
        #expect(try await idle.reply() == ["421 4.3.2 Service shutting down, closing connection"])
        try await busy.send("second half\r\n.\r\n")
        #expect(try await busy.code() == 250)
        #expect(try await busy.reply() == ["421 4.3.2 Service shutting down, closing connection"])
        await shutdown.value
        #expect(mail.messages.map(\.subject) == ["in flight"])
        #expect((try? LineClient(port: mail.ports.smtp)) == nil, "still accepting after shutdown")
    }
}
