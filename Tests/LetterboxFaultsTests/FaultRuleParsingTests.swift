import LetterboxFaults
import Testing

/// The one-line rule text: what it means, how it prints, and why bad text is refused.
@Suite struct FaultRuleParsingTests {
    @Test(arguments: [
        "rcpt=bounce@*:550 5.1.1",
        "mail=@example.com:451 4.3.0 times=2",
        "data:delay 30s",
        "data=ana@example.com:drop",
        "connect:421 4.3.2 p=0.5 seed=7",
        "helo=*.example:delay 250ms 554 5.7.1 Go away",
        "auth:535 5.7.8",
        "rcpt:452",
    ])
    func printsBackAsWritten(_ text: String) throws {
        let rule = try FaultRule(parsing: text)
        #expect(rule.description == text)
        #expect(try FaultRule(parsing: rule.description) == rule)
    }

    @Test func readsEveryPart() throws {
        let rule = try FaultRule(parsing: "  RCPT=Bounce@*:delay 2m 550 5.1.1 No such user times=3 p=0.25 seed=42 ")
        #expect(rule.trigger == .rcpt("Bounce@*"))
        #expect(rule.action == FaultAction(delay: .seconds(120), .reply(FaultReply(550, "5.1.1", "No such user"))))
        #expect(rule.times == 3 && rule.probability == 0.25 && rule.seed == 42)
    }

    @Test func aliasesAndNormalisation() throws {
        #expect(try FaultRule(parsing: "ehlo:drop").trigger == .helo())
        #expect(try FaultRule(parsing: "bdat:drop").trigger == .data())
        #expect(try FaultRule(parsing: "rcpt=example.com:550").description == "rcpt=@example.com:550")
        #expect(try FaultRule(parsing: "data:delay 1500ms").action == .delay(.milliseconds(1500)))
        #expect(try FaultRule(parsing: "data:delay 2").action == .delay(.seconds(2)))
    }

    @Test(arguments: [
        ("", "empty rule"),
        ("rcpt 550", "missing ':'"),
        ("quit:550", "unknown stage 'quit'"),
        ("connect=a@b.c:554", "connect rules take no address pattern"),
        ("rcpt=a b:550", "not an address pattern"),
        ("rcpt:", "missing action"),
        ("rcpt:250 2.0.0", "reply code must be 400-599"),
        ("rcpt:550 4.1.1", "does not match the class"),
        ("rcpt:550 5.1", "must look like 5.1.1"),
        ("rcpt:bounce", "expected a reply code"),
        ("rcpt:drop now", "nothing may follow drop"),
        ("rcpt:delay", "delay needs a duration"),
        ("rcpt:delay soon", "delay must be a duration"),
        ("rcpt:delay 25h", "delay must be a duration"),
        ("rcpt:550 times=0", "times must be a whole number of at least 1"),
        ("rcpt:550 p=1.5", "p must be a probability"),
        ("rcpt:550 seed=-1", "seed must be a non-negative whole number"),
        ("rcpt:550 seed=1", "seed= only makes sense with p="),
        ("rcpt:550 colour=red", "unknown option 'colour'"),
        ("rcpt:550\nrcpt:451", "one line"),
        ("rcpt:550 5.1.1 " + String(repeating: "x", count: 501), "reply line of at most 512 octets"),
        ("rcpt:550 " + String(repeating: "x", count: 60_000), "at most 1024 octets"),
        ("rcpt:550 5.1.1 a\u{1}b", "control character U+0001"),
        ("rcpt:550 5.1.1 \u{1B}[31mred", "control character U+001B"),
        ("rcpt:550 5.1.1 a\u{7F}", "control character U+007F"),
        ("rcpt:550 5.1.1 a\u{85}", "control character"),
        ("rcpt=a\u{0}b:550", "control character U+0000"),
    ])
    func badTextIsRefusedWithAReason(_ text: String, _ reason: String) {
        #expect {
            _ = try FaultRule(parsing: text)
        } throws: { error in
            let description = (error as? FaultRuleSyntaxError)?.description ?? ""
            return description.contains(reason) && !description.contains("\n")
        }
    }

    /// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets, code and CRLF included.
    @Test func replyTextUpToTheLineLimitIsAccepted() throws {
        let text = String(repeating: "x", count: 500)
        let rule = try FaultRule(parsing: "rcpt:550 5.1.1 " + text)
        #expect(rule.action == FaultAction(.reply(FaultReply(550, "5.1.1", text))))
        // Without an enhanced status, 5.0.0 is sent: the same room.
        #expect(throws: FaultRuleSyntaxError.self) { try FaultRule(parsing: "rcpt:550 " + text + "y") }
    }

    @Test func listSplitsOnSemicolonsAndLines() throws {
        let rules = try FaultRule.parseList("rcpt=a@b.c:550; mail:451 times=1\n# a comment\n\ndata:drop;")
        #expect(rules.map(\.description) == ["rcpt=a@b.c:550", "mail:451 times=1", "data:drop"])
    }
}

/// Address patterns: exact, domain, glob; case-insensitive.
@Suite struct AddressPatternTests {
    @Test func exactMatchesOnlyThatAddress() throws {
        let pattern = try #require(AddressPattern("ana@example.com"))
        #expect(pattern.kind == .exact)
        #expect(pattern.matches("ANA@Example.com"))
        #expect(!pattern.matches("ana@example.com.evil"))
    }

    @Test func domainMatchesEveryAddressThere() throws {
        for text in ["@example.com", "example.com"] {
            let pattern = try #require(AddressPattern(text))
            #expect(pattern.kind == .domain)
            #expect(pattern.matches("bo@EXAMPLE.com"))
            #expect(!pattern.matches("bo@sub.example.com"))
            #expect(pattern.matches("example.com"), "a HELO name")
        }
    }

    @Test func globMatchesStarsAndQuestionMarks() throws {
        let pattern = try #require(AddressPattern("bounce*@*.example"))
        #expect(pattern.kind == .glob)
        #expect(pattern.matches("bounce@mx.example"))
        #expect(pattern.matches("Bounce-42@a.b.example"))
        #expect(!pattern.matches("bounce@example"))
        #expect(try #require(AddressPattern("a?c@x")).matches("abc@x"))
        #expect(!(try #require(AddressPattern("a?c@x")).matches("ac@x")))
        #expect(try #require(AddressPattern("*")).matches(""))
    }

    @Test func emptyOrSpacedPatternsAreRefused() {
        #expect(AddressPattern("") == nil)
        #expect(AddressPattern("a b@c") == nil)
        #expect(AddressPattern("@") == nil)
    }
}
