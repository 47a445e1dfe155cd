import Letterbox
import LetterboxTesting
import Testing

/// What an application's test looks like, compiled against Letterbox's public API only.
@Test(.mailCatcher) func welcomeMailArrives() async throws {
    let mail = try #require(MailCatcher.current)
    try await SMTPTestClient.send(
        subject: "Welcome", body: "Your code is 123456: https://app.example/confirm?t=1", to: ["ana@example.com"],
        port: mail.ports.smtp)
    let received = try await mail.waitForMessage(to: "ana@example.com", timeout: .seconds(30))
    #expect(received.subject == "Welcome")
    #expect(received.oneTimeCode() == "123456")
    #expect(received.link(containing: "confirm")?.absoluteString == "https://app.example/confirm?t=1")
}

@Test func embeddingWithoutTheTestingLibrary() async throws {
    try await MailCatcher.withRunning { mail in
        try await SMTPTestClient.send(subject: "Plain API", to: ["bo@example.com"], port: mail.ports.smtp)
        let message = try await mail.waitForMessage(to: "bo@example.com", timeout: .seconds(30))
        #expect(message.subject == "Plain API")
    }
}
