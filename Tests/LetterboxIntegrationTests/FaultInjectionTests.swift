import Foundation
import Letterbox
import LetterboxFaults
import LetterboxStore
import TestSupport
import Testing

/// Injected SMTP faults as an application sees them: Python's smtplib raising the error it would
/// raise against a real server, and rules changed over HTTP while sessions are open.
@Suite struct FaultInjectionTests {
    /// Runs a Python script with the SMTP port as its argument; returns its stdout lines.
    private func python(_ script: String, port: Int) async throws -> [String] {
        let python = try ExternalTool.path("python3", package: "python3")
        let result = try await ExternalTool.run(python, ["-c", script, String(port)])
        #expect(result.status == 0, "python failed: \(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    private func curl(_ arguments: [String]) async throws -> ExternalTool.Output {
        let curl = try ExternalTool.path("curl", package: "curl")
        return try await ExternalTool.run(curl, ["--silent", "--show-error", "--max-time", "60"] + arguments)
    }

    /// Prints `label ExceptionName code` for each send, or `label sent`.
    private static let sendCases = """
        import smtplib, sys
        port = int(sys.argv[1])
        def attempt(label, sender, recipient, login=False):
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=30, local_hostname=label + ".test") as s:
                    if login:
                        s.login("ana", "secret")
                    s.sendmail(sender, [recipient], "Subject: " + label + "\\r\\n\\r\\nbody\\r\\n")
                print(label, "sent")
            except smtplib.SMTPRecipientsRefused as e:
                print(label, type(e).__name__, list(e.recipients.values())[0][0])
            except smtplib.SMTPResponseException as e:
                print(label, type(e).__name__, e.smtp_code)
            except smtplib.SMTPServerDisconnected as e:
                print(label, type(e).__name__, 0)

        """

    @Test func eachReplyActionRaisesTheMatchingSmtplibError() async throws {
        try await withCatcher({ configuration in
            configuration.faults = [
                try! FaultRule(parsing: "helo=refused.test:554 5.7.1"),
                try! FaultRule(parsing: "mail=@deferred.example:451 4.3.0"),
                try! FaultRule(parsing: "rcpt=bounce@*:550 5.1.1"),
                try! FaultRule(parsing: "rcpt=full@example.com:452 4.2.2"),
                try! FaultRule(parsing: "data=@policy.example:554 5.7.1 Rejected by policy"),
                try! FaultRule(parsing: "auth:535 5.7.8"),
            ]
        }) { mail in
            let lines = try await python(
                Self.sendCases + """
                    attempt("refused", "a@ok.example", "x@ok.example")
                    attempt("deferred", "a@deferred.example", "x@ok.example")
                    attempt("bounce", "a@ok.example", "bounce@ok.example")
                    attempt("full", "a@ok.example", "full@example.com")
                    attempt("policy", "a@ok.example", "x@policy.example")
                    attempt("login", "a@ok.example", "x@ok.example", login=True)
                    attempt("fine", "a@ok.example", "x@ok.example")
                    """, port: mail.ports.smtp)
            #expect(
                lines == [
                    "refused SMTPHeloError 554", "deferred SMTPSenderRefused 451", "bounce SMTPRecipientsRefused 550",
                    "full SMTPRecipientsRefused 452", "policy SMTPDataError 554", "login SMTPAuthenticationError 535",
                    "fine sent",
                ])
            #expect(mail.messages.map(\.subject) == ["fine"], "nothing faulted is stored")
            #expect(mail.faults.rules.allSatisfy { $0.hits >= 1 })
        }
    }

    @Test func connectFaultIsAConnectError() async throws {
        try await withCatcher({ $0.faults = [try! FaultRule(parsing: "connect:421 4.3.2")] }) { mail in
            let lines = try await python(
                Self.sendCases + #"attempt("connect", "a@ok.example", "x@ok.example")"#, port: mail.ports.smtp)
            #expect(lines == ["connect SMTPConnectError 421"])
        }
    }

    @Test func retriedSendFailsTwiceThenIsStoredOnce() async throws {
        try await withCatcher { mail in
            let id = mail.faults.add(FaultRule(.rcpt("retry@example.com"), .localError, times: 2))
            let lines = try await python(
                """
                import smtplib, sys
                for attempt in range(1, 6):
                    try:
                        with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as s:
                            s.sendmail("app@example.com", ["retry@example.com"], "Subject: Retried\\r\\n\\r\\nbody\\r\\n")
                        print("delivered on attempt", attempt)
                        break
                    except smtplib.SMTPRecipientsRefused as e:
                        print("deferred", e.recipients["retry@example.com"][0])
                """, port: mail.ports.smtp)
            #expect(lines == ["deferred 451", "deferred 451", "delivered on attempt 3"])
            #expect(mail.messages(to: "retry@example.com").count == 1)
            let status = try #require(mail.faults.rule(id: id))
            #expect(status.hits == 2 && status.isExpired)
        }
    }

    @Test func delayedReplyTripsTheClientTimeout() async throws {
        try await withCatcher({ $0.faults = [try! FaultRule(parsing: "rcpt=slow@example.com:delay 10m")] }) { mail in
            let lines = try await python(
                """
                import smtplib, sys
                try:
                    with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=1) as s:
                        s.sendmail("app@example.com", ["slow@example.com"], "Subject: Slow\\r\\n\\r\\nbody\\r\\n")
                    print("sent")
                except smtplib.SMTPServerDisconnected as e:
                    # smtplib reports a read timeout as a lost connection naming the timeout.
                    print("timed out" if "timed out" in str(e) else "disconnected: " + str(e))
                """, port: mail.ports.smtp)
            #expect(lines == ["timed out"])
            #expect(mail.messages.isEmpty)
        }
    }

    @Test func latencySlowsEveryReplyButDeliversAsUsual() async throws {
        try await withCatcher({ $0.latency = .milliseconds(20) }) { mail in
            let lines = try await python(
                Self.sendCases + #"attempt("latency", "a@ok.example", "x@ok.example")"#, port: mail.ports.smtp)
            #expect(lines == ["latency sent"])
            #expect(mail.messages.count == 1)
        }
    }

    @Test func droppedConnectionMidDataStoresNothing() async throws {
        try await withCatcher({ $0.faults = [try! FaultRule(parsing: "data=lost@example.com:drop")] }) { mail in
            let lines = try await python(
                Self.sendCases + """
                    attempt("lost", "a@ok.example", "lost@example.com")
                    attempt("kept", "a@ok.example", "kept@example.com")
                    """, port: mail.ports.smtp)
            #expect(lines == ["lost SMTPServerDisconnected 0", "kept sent"])
            #expect(mail.messages.map(\.subject) == ["kept"])
        }
    }

    @Test func droppedConnectionDuringBdatStoresNothing() async throws {
        try await withCatcher({ $0.faults = [try! FaultRule(parsing: "bdat:drop")] }) { mail in
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            try await client.send("EHLO t\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nBDAT 5 LAST\r\nhello")
            for _ in 0..<3 { _ = try await client.reply() }
            #expect(await client.isClosedByServer())
            await client.close()
            #expect(mail.messages.isEmpty)
        }
    }

    @Test func rulesChangeOverHTTPWhileASessionIsOpen() async throws {
        try await withCatcher { mail in
            let base = "http://127.0.0.1:\(mail.ports.http)"
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            try await client.send("EHLO t\r\nMAIL FROM:<app@example.com>\r\n")
            #expect(try await client.code() == 250)
            #expect(try await client.code() == 250)

            let added = try await curl([
                "-w", "%{http_code}", "--data-binary", "rcpt=late@example.com:550 5.1.1", "\(base)/faults",
            ])
            #expect(added.stdout == "1\trcpt=late@example.com:550 5.1.1\thits=0\tactive\n201")

            try await client.send("RCPT TO:<late@example.com>\r\n")
            #expect(try await client.reply() == ["550 5.1.1 Fault injected by Letterbox (rule 1)"])
            let listed = try await curl(["\(base)/faults"])
            #expect(listed.stdout == "1\trcpt=late@example.com:550 5.1.1\thits=1\tactive\n")
            let json = try await curl(["\(base)/faults.json"])
            let rules = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
            #expect(rules?.first?["hits"] as? Int == 1 && rules?.first?["stage"] as? String == "rcpt")
            let metrics = try await curl(["\(base)/metrics"])
            #expect(metrics.stdout.contains("letterbox_faults_injected_total{stage=\"rcpt\"} 1\n"))

            let removed = try await curl(["-X", "DELETE", "\(base)/faults/1"])
            #expect(removed.stdout == "1\n")
            try await client.send("RCPT TO:<late@example.com>\r\nDATA\r\n")
            #expect(try await client.code() == 250)
            #expect(try await client.code() == 354)
            try await client.send(sampleMessage(subject: "Late") + ".\r\nQUIT\r\n")
            #expect(try await client.code() == 250)
            await client.close()
            #expect(mail.messages.first?.envelope.recipients == ["late@example.com"])

            _ = try await curl(["--data-binary", "data:drop", "\(base)/faults"])
            _ = try await curl(["--data-binary", "mail:451 4.3.0", "\(base)/faults"])
            #expect(try await curl(["-X", "DELETE", "\(base)/faults"]).stdout == "2\n")
            #expect(try await curl(["\(base)/faults"]).stdout == "")
            let missing = try await curl(["-w", " %{http_code}", "-X", "DELETE", "\(base)/faults/1"])
            #expect(missing.stdout == "no fault rule with id 1\n 404")
        }
    }

    @Test(arguments: [
        ("rcpt:bounce", "bad fault rule: expected a reply code such as 550, drop, or delay, got 'bounce'"),
        ("quit:550", "bad fault rule: unknown stage 'quit'; expected one of connect, helo, auth, mail, rcpt, data"),
        ("rcpt:550\nmail:451", "bad fault rule: POST /faults takes one rule per request, on one line"),
        ("", "bad fault rule: empty rule; expected e.g. rcpt=bounce@*:550 5.1.1"),
    ])
    func badRuleTextIsRefusedWithOneLine(_ body: String, _ reason: String) async throws {
        try await withCatcher { mail in
            let result = try await curl([
                "-w", "%{http_code}", "--data-binary", body, "http://127.0.0.1:\(mail.ports.http)/faults",
            ])
            #expect(result.stdout == reason + "\n400")
            #expect(mail.faults.rules.isEmpty)
        }
    }
}
