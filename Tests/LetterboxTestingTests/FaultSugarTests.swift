import Foundation
import Letterbox
import LetterboxFaults
import LetterboxStore
import LetterboxTesting
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `fail(_:with:times:)` in a test, in-process and against a remote `letterbox`.
@Suite struct FaultSugarTests {
    @Test func failTwiceThenDeliver() async throws {
        try await MailCatcher.withRunning { mail in
            let id = mail.fail(.rcpt("bounce@example.com"), with: .mailboxUnavailable, times: 2)
            for _ in 0..<2 {
                await #expect {
                    try await SMTPTestClient.send(subject: "Hi", to: ["bounce@example.com"], port: mail.ports.smtp)
                } throws: { error in
                    "\(error)".contains("550 5.1.1")
                }
            }
            try await SMTPTestClient.send(subject: "Hi", to: ["bounce@example.com"], port: mail.ports.smtp)
            #expect(try await mail.waitForMessage(to: "bounce@example.com").subject == "Hi")
            #expect(mail.faults.rule(id: id)?.isExpired == true)
            mail.removeFault(id)
            #expect(mail.faults.rules.isEmpty)
        }
    }

    @Test func readmeExamplesBuildTheDocumentedRules() async throws {
        try await MailCatcher.withRunning { mail in
            mail.fail(.rcpt("bounce@example.com"), with: .mailboxUnavailable)
            mail.fail(.mail(), with: .localError, times: 2)
            mail.fail(.data(), with: .delay(.seconds(30)))
            let id = mail.fail(.data(to: "ana@example.com"), with: .drop)
            mail.fail(.connect, with: .reply(421, "4.3.2", "Try later"), probability: 0.2, seed: 7)
            mail.fail(.helo(), with: .mailboxUnavailable.delayed(by: .seconds(5)))
            mail.removeFault(id)
            #expect(
                mail.faults.rules.map(\.rule.description) == [
                    "rcpt=bounce@example.com:550 5.1.1", "mail:451 4.3.0 times=2", "data:delay 30s",
                    "connect:421 4.3.2 Try later p=0.2 seed=7", "helo:delay 5s 550 5.1.1",
                ])
            mail.removeAllFaults()
            #expect(mail.faults.rules.isEmpty)
        }
    }

    @Test func remoteCatcherTakesRulesFromFlagsEnvironmentAndTheTest() async throws {
        let (process, smtp, http) = try await RemoteMailCatcherTests.startServer(
            arguments: ["--fault", "mail=@blocked.example:554 5.7.1"],
            environment: ["LETTERBOX_FAULTS": "rcpt=nobody@example.com:550 5.1.1; helo=never.example:drop"])
        defer { process.terminate() }
        let base = URL(string: "http://127.0.0.1:\(http)")!
        let remote = RemoteMailCatcher(url: base)
        let (listed, _) = try await URLSession.shared.data(from: base.appendingPathComponent("faults"))
        #expect(
            String(decoding: listed, as: UTF8.self) == """
                1\trcpt=nobody@example.com:550 5.1.1\thits=0\tactive
                2\thelo=@never.example:drop\thits=0\tactive
                3\tmail=@blocked.example:554 5.7.1\thits=0\tactive

                """)

        await #expect {
            try await SMTPTestClient.send(subject: "Hi", from: "a@blocked.example", to: ["x@example.com"], port: smtp)
        } throws: { "\($0)".contains("554 5.7.1") }

        let id = try await remote.fail(.data(to: "x@example.com"), with: .localError, times: 1)
        #expect(id == 4)
        await #expect {
            try await SMTPTestClient.send(subject: "Hi", to: ["x@example.com"], port: smtp)
        } throws: { "\($0)".contains("451 4.3.0") }
        try await SMTPTestClient.send(subject: "Second try", to: ["x@example.com"], port: smtp)
        #expect(try await remote.waitForMessage(to: "x@example.com").subject == "Second try")

        try await remote.removeFault(id)
        try await remote.removeAllFaults()
        await #expect(throws: RemoteMailCatcher.Failure.self) { try await remote.removeFault(id) }
    }
}
