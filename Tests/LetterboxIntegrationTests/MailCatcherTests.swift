import Letterbox
import LetterboxStore
import Testing

/// The embedding API: start, wait, reset, shutdown.
@Suite struct MailCatcherTests {
    private func deliver(_ message: String, from: String = "ana@example.com", to: [String], port: Int) async throws {
        let client = try LineClient(port: port)
        _ = try await client.reply()
        var script = "EHLO t\r\nMAIL FROM:<\(from)>\r\n"
        for recipient in to { script += "RCPT TO:<\(recipient)>\r\n" }
        try await client.send(script + "DATA\r\n")
        for _ in 0..<(3 + to.count) { _ = try await client.reply() }
        try await client.send(message + ".\r\nQUIT\r\n")
        #expect(try await client.code() == 250)
        await client.close()
    }

    @Test func startBindsEphemeralPorts() async throws {
        try await withCatcher { mail in
            #expect(mail.ports.smtp > 0 && mail.ports.http > 0 && mail.ports.smtp != mail.ports.http)
        }
    }

    @Test func waitMatchesMailThatArrivedBeforeTheCall() async throws {
        try await withCatcher { mail in
            try await deliver(sampleMessage(subject: "Early"), to: ["ana@example.com"], port: mail.ports.smtp)
            let message = try await mail.waitForMessage(to: "ana@example.com", timeout: .seconds(30))
            #expect(message.subject == "Early")
        }
    }

    @Test func waitIsWokenByArrival() async throws {
        try await withCatcher { mail in
            async let waited = mail.waitForMessage(subject: "late", timeout: .seconds(60))
            try await deliver(sampleMessage(subject: "Other"), to: ["x@example.com"], port: mail.ports.smtp)
            try await deliver(sampleMessage(subject: "Arrives late"), to: ["y@example.com"], port: mail.ports.smtp)
            #expect(try await waited.subject == "Arrives late")
        }
    }

    @Test func waitMatchesDecodedBodyText() async throws {
        try await withCatcher { mail in
            try await deliver(
                sampleMessage(subject: "a", body: "nothing"), to: ["x@example.com"], port: mail.ports.smtp)
            let quoted =
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                + "Subject: b\r\n\r\nYour code: 12=\r\n34 =C3=A9t=C3=A9\r\n"
            try await deliver(quoted, to: ["x@example.com"], port: mail.ports.smtp)
            #expect(try await mail.waitForMessage(containing: "code: 1234 été", timeout: .seconds(30)).subject == "b")
            #expect(mail.messages(containing: "NOTHING").map(\.subject) == ["a"])
        }
    }

    @Test func bccRecipientsMatchByEnvelope() async throws {
        try await withCatcher { mail in
            try await deliver(
                sampleMessage(to: "visible@example.com"), to: ["visible@example.com", "hidden@example.com"],
                port: mail.ports.smtp)
            #expect(mail.messages(to: "hidden@example.com").count == 1)
        }
    }

    @Test func timeoutSaysWhatItWaitedForAndWhatWasThere() async throws {
        try await withCatcher { mail in
            try await deliver(sampleMessage(subject: "Welcome"), to: ["ana@example.com"], port: mail.ports.smtp)
            do {
                _ = try await mail.waitForMessage(to: "nobody@example.com", timeout: .milliseconds(100))
                Issue.record("wait returned without a matching message")
            } catch let error as WaitTimeout {
                #expect(error.description.contains("no message matching to=nobody@example.com"))
                #expect(error.description.contains("#1 from ana@example.com to ana@example.com \"Welcome\""))
            }
        }
    }

    @Test func resetClearsMailButKeepsListening() async throws {
        try await withCatcher { mail in
            try await deliver(sampleMessage(), to: ["a@example.com"], port: mail.ports.smtp)
            mail.reset()
            #expect(mail.messages.isEmpty)
            try await deliver(sampleMessage(subject: "after reset"), to: ["a@example.com"], port: mail.ports.smtp)
            #expect(mail.messages.map(\.subject) == ["after reset"])
        }
    }

    @Test func shutdownIsIdempotent() async throws {
        let mail = try await MailCatcher.start()
        await mail.shutdown()
        await mail.shutdown()
    }

    @Test func portInUseIsAClearError() async throws {
        try await withCatcher { mail in
            var configuration = Configuration()
            configuration.smtpPort = mail.ports.smtp
            await #expect(throws: (any Error).self) { _ = try await MailCatcher.start(configuration) }
        }
    }
}
