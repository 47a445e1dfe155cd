import Letterbox
import LetterboxSMTP
import LetterboxStore
import LetterboxTesting
import Testing

/// Sixty tests in parallel, each with its own catcher from the trait: no port clash, no cross-talk.
@Suite struct MailCatcherTraitTests {
    @Test(.mailCatcher, arguments: 0..<60)
    func everyTestGetsItsOwnCatcher(index: Int) async throws {
        let mail = try #require(MailCatcher.current)
        try await SMTPTestClient.send(
            subject: "test \(index)", body: "code \(1000 + index)", to: ["t\(index)@example.com"], port: mail.ports.smtp
        )
        let received = try await mail.waitForMessage(to: "t\(index)@example.com", timeout: .seconds(30))
        #expect(received.subject == "test \(index)")
        #expect(received.oneTimeCode() == "\(1000 + index)")
        #expect(mail.messages.count == 1, "another test's mail leaked into this catcher")
    }

    @Test(.mailCatcher { $0.smtp.maxMessageSize = 1234 })
    func traitTakesAConfiguration() async throws {
        let mail = try #require(MailCatcher.current)
        #expect(mail.configuration.smtp.maxMessageSize == 1234)
    }

    @Test func currentIsNilOutsideTheTrait() {
        #expect(MailCatcher.current == nil)
    }
}
