import Foundation
import Letterbox
import LetterboxTesting
import Testing

@Suite struct MessageTestingTests {
    private let signUp = """
        From: Shop <noreply@shop.example>\r
        To: Ana <ana@example.com>\r
        Subject: =?UTF-8?Q?Confirm_your_addr=C3=A9ss?=\r
        X-Campaign: welcome-2026\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="outer"\r
        \r
        --outer\r
        Content-Type: multipart/alternative; boundary="inner"\r
        \r
        --inner\r
        Content-Type: text/plain; charset=utf-8\r
        \r
        Your code is 482913. Confirm at https://shop.example/confirm?token=abc&x=1.\r
        --inner\r
        Content-Type: text/html; charset=utf-8\r
        \r
        <p>Your code is <b>482913</b>. <a href="https://shop.example/confirm?token=abc&amp;x=1">Confirm</a></p>\r
        --inner--\r
        --outer\r
        Content-Type: application/pdf; name="terms.pdf"\r
        Content-Disposition: attachment; filename="terms.pdf"\r
        Content-Transfer-Encoding: base64\r
        \r
        JVBERi0xLjQK\r
        --outer--\r

        """

    @Test(.mailCatcher) func typedAccessLinksCodesAttachmentsAndBcc() async throws {
        let mail = try #require(MailCatcher.current)
        try await SMTPTestClient.send(
            raw: signUp, from: "noreply@shop.example", to: ["ana@example.com", "audit@shop.example"],
            port: mail.ports.smtp)
        let received = try await mail.waitForMessage(to: "ana@example.com")
        #expect(received.subject == "Confirm your addréss")
        #expect(received.from.map(\.address) == ["noreply@shop.example"])
        #expect(received.to.first?.name == "Ana")
        #expect(received.bcc == ["audit@shop.example"])
        #expect(received.header("X-Campaign") == "welcome-2026")
        #expect(received.text.contains("Your code is 482913"))
        #expect(received.html?.contains("<b>482913</b>") == true)
        #expect(received.oneTimeCode() == "482913")
        #expect(received.oneTimeCode(digits: 6...6) == "482913")
        #expect(received.links.map(\.absoluteString) == ["https://shop.example/confirm?token=abc&x=1"])
        #expect(received.link(containing: "/confirm")?.query == "token=abc&x=1")
        #expect(
            received.attachments == [
                Attachment(
                    filename: "terms.pdf", contentType: "application/pdf", contentID: nil, data: Data("%PDF-1.4\n".utf8)
                )
            ])
        #expect(received.raw == Array(signUp.utf8))
    }

    @Test(.mailCatcher) func matchingByBodyHeaderAndPredicate() async throws {
        let mail = try #require(MailCatcher.current)
        try await SMTPTestClient.send(raw: signUp, to: ["ana@example.com"], port: mail.ports.smtp)
        try await SMTPTestClient.send(
            subject: "Other", body: "nothing here", to: ["bo@example.com"], port: mail.ports.smtp)
        #expect(try await mail.waitForMessage(containing: "code is 482913").to.first?.address == "ana@example.com")
        #expect(
            try await mail.waitForMessage(where: {
                $0.header("X-Campaign")?.localizedCaseInsensitiveContains("WELCOME") == true
            }).subject.hasPrefix("Confirm"))
        #expect(try await mail.waitForMessage(where: { $0.attachments.isEmpty }).subject == "Other")
    }

    @Test(.mailCatcher) func waitsForNMessagesIncludingOnesThatArriveLater() async throws {
        let mail = try #require(MailCatcher.current)
        try await SMTPTestClient.send(subject: "early", to: ["team@example.com"], port: mail.ports.smtp)
        // The sends below end the wait; the timeout only bounds a failure (generous: on CI's loaded
        // machine a test task has waited more than 10 s to run).
        async let three = mail.waitForMessages(
            3, matching: MessageFilter(to: "team@example.com"), timeout: .seconds(120))
        for index in 0..<2 {
            try await SMTPTestClient.send(subject: "late \(index)", to: ["team@example.com"], port: mail.ports.smtp)
        }
        #expect(try await three.map(\.subject) == ["early", "late 0", "late 1"])
    }

    @Test(.mailCatcher) func aTimeoutSaysWhatWasExpectedAndWhatWasThere() async throws {
        let mail = try #require(MailCatcher.current)
        try await SMTPTestClient.send(subject: "Welcome", to: ["ana@example.com"], port: mail.ports.smtp)
        do {
            _ = try await mail.waitForMessage(to: "bo@example.com", subject: "Invoice", timeout: .milliseconds(200))
            Issue.record("the wait succeeded without a matching message")
        } catch let failure as WaitTimeout {
            #expect(
                failure.description
                    == "no message matching to=bo@example.com subject=Invoice arrived within 200ms; 1 message(s) there instead:\n  #1 from sender@example.com to ana@example.com \"Welcome\""
            )
        }
    }

    @Test(.mailCatcher) func aTimeoutForSeveralSaysHowManyArrived() async throws {
        let mail = try #require(MailCatcher.current)
        try await SMTPTestClient.send(subject: "one", to: ["team@example.com"], port: mail.ports.smtp)
        do {
            _ = try await mail.waitForMessages(
                2, matching: MessageFilter(to: "team@example.com"), timeout: .milliseconds(200),
                where: { !$0.subject.isEmpty })
            Issue.record("the wait succeeded with one matching message")
        } catch let failure as WaitTimeout {
            #expect(failure.found.map(\.subject) == ["one"])
            #expect(
                failure.description.hasPrefix(
                    "expected 2 messages matching to=team@example.com and a predicate within 200ms, 1 arrived; "
                        + "1 message(s) there instead:"))
        }
    }

    @Test(.mailCatcher) func scopesSeparateParallelTestsOnOneCatcher() async throws {
        let mail = try #require(MailCatcher.current)
        let first = mail.scope(), second = mail.scope()
        try await SMTPTestClient.send(subject: "for first", to: [first.address("ana")], port: mail.ports.smtp)
        try await SMTPTestClient.send(subject: "for second", to: [second.address("ana")], port: mail.ports.smtp)
        #expect(try await first.waitForMessage(to: "ana").subject == "for first")
        #expect(try await second.messages(matching: .any).map(\.subject) == ["for second"])
        #expect(try await first.deleteMessages(matching: MessageFilter()) == 1)
        #expect(mail.messages.map(\.subject) == ["for second"])
    }
}
