import Letterbox
import LetterboxStore
import LetterboxTesting
import XCTest

/// The XCTest way: a catcher per test from setUp, assertions that wait.
final class XCTestHelpersTests: XCTestCase {
    var mail: MailCatcher!

    override func setUp() async throws {
        mail = try await startMailCatcher()
    }

    func testAssertionReturnsTheMessage() async throws {
        try await SMTPTestClient.send(subject: "Hello XCTest", to: ["x@example.com"], port: mail.ports.smtp)
        let received = await XCTAssertReceivesMessage(mail, MessageFilter(to: "x@example.com"))
        XCTAssertEqual(received?.subject, "Hello XCTest")
    }

    func testAssertionForSeveralMessages() async throws {
        for index in 0..<3 {
            try await SMTPTestClient.send(subject: "n\(index)", to: ["many@example.com"], port: mail.ports.smtp)
        }
        let received = await XCTAssertReceivesMessages(mail, count: 3, MessageFilter(to: "many@example.com"))
        XCTAssertEqual(received.map(\.subject), ["n0", "n1", "n2"])
    }
}
