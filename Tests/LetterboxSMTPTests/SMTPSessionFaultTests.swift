import LetterboxFaults
import LetterboxSMTP
import LetterboxStore
import Testing

/// Fault rules seen from the session: which replies they replace and what state they leave.
@Suite struct SMTPSessionFaultTests {
    private func script(_ rules: String...) throws -> (SessionScript, FaultInjector) {
        let faults = FaultInjector(rules: try rules.map { try FaultRule(parsing: $0) })
        var configuration = SMTPConfiguration(hostname: "test.local")
        configuration.faults = faults
        return (SessionScript(configuration), faults)
    }

    @Test func refusedRecipientIsNotAddedToTheEnvelope() throws {
        var (script, faults) = try script("rcpt=bounce@*:550 5.1.1 No such user")
        _ = script.send("EHLO c")
        _ = script.send("MAIL FROM:<ana@example.com>")
        #expect(script.send("RCPT TO:<bounce@example.com>") == ["550 5.1.1 No such user"])
        #expect(script.send("RCPT TO:<bo@example.com>") == ["250 2.1.5 Recipient <bo@example.com> ok"])
        #expect(script.send("DATA", data: "Subject: x\r\n\r\n").last == "250 2.0.0 Ok: queued as 1")
        #expect(script.delivered.first?.envelope.recipients == ["bo@example.com"])
        #expect(faults.rules.first?.hits == 1)
    }

    @Test func failsTheFirstAttemptsThenAccepts() throws {
        var (script, faults) = try script("mail:451 4.3.0 times=2")
        _ = script.send("HELO c")
        #expect(script.send("MAIL FROM:<a@b.c>") == ["451 4.3.0 Fault injected by Letterbox (rule 1)"])
        #expect(script.send("MAIL FROM:<a@b.c>") == ["451 4.3.0 Fault injected by Letterbox (rule 1)"])
        #expect(script.send("MAIL FROM:<a@b.c>") == ["250 2.1.0 Sender <a@b.c> ok"])
        #expect(faults.rules.first?.isExpired == true)
    }

    @Test func sequenceErrorsAreNotFaulted() throws {
        var (script, faults) = try script("rcpt:550 5.1.1")
        _ = script.send("HELO c")
        #expect(script.send("RCPT TO:<a@b.c>") == ["503 5.5.1 Error: need MAIL command"])
        #expect(faults.rules.first?.hits == 0)
    }

    @Test func faultedMessageIsNotDelivered() throws {
        var (script, _) = try script("data=@example.com:554 5.7.1 Rejected by policy")
        _ = script.send("HELO c")
        _ = script.send("MAIL FROM:<a@b.c>")
        _ = script.send("RCPT TO:<ana@example.com>")
        #expect(script.send("DATA", data: "x\r\n").last == "554 5.7.1 Rejected by policy")
        #expect(script.delivered.isEmpty)
        // The transaction is over; a new one is accepted.
        #expect(script.send("MAIL FROM:<a@b.c>") == ["250 2.1.0 Sender <a@b.c> ok"])
    }

    @Test func lastBDATChunkIsFaultedLikeData() throws {
        var (script, _) = try script("bdat:drop")
        _ = script.send("EHLO c")
        _ = script.send("MAIL FROM:<a@b.c>")
        _ = script.send("RCPT TO:<x@y.z>")
        #expect(script.send("BDAT 3 LAST", chunk: "abc") == [])
        #expect(script.dropped && script.delivered.isEmpty)
    }

    @Test func delayKeepsTheUsualReply() throws {
        var (script, _) = try script("helo:delay 2s")
        #expect(script.send("HELO c") == ["250 test.local"])
        #expect(script.delays == [.seconds(2)])
    }

    @Test func connectFaultReplacesTheGreetingAndCloses() throws {
        var (script, _) = try script("connect:554 5.7.1")
        #expect(script.open() == ["554 5.7.1 Fault injected by Letterbox (rule 1)"])
        #expect(script.closed)
    }

    @Test func reply421ClosesTheConnection() throws {
        var (script, _) = try script("rcpt:421 4.3.2")
        _ = script.send("HELO c")
        _ = script.send("MAIL FROM:<a@b.c>")
        #expect(script.send("RCPT TO:<x@y.z>").first?.hasPrefix("421 4.3.2") == true)
        #expect(script.closed)
    }

    @Test func authFaultLeavesTheSessionUnauthenticated() throws {
        var (script, _) = try script("auth:535 5.7.8 times=1")
        _ = script.send("EHLO c")
        #expect(script.send("AUTH PLAIN AGFuYQBzZWNyZXQ=").first?.hasPrefix("535 5.7.8") == true)
        #expect(script.send("AUTH PLAIN AGFuYQBzZWNyZXQ=") == ["235 2.7.0 Authentication successful"])
    }
}
