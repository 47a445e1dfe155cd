import LetterboxFaults
import Testing

/// Which rule acts on an attempt, how hits are counted, and how rules expire.
@Suite struct FaultInjectorTests {
    @Test func firstMatchingRuleActsAndCountsAHit() throws {
        let faults = FaultInjector(rules: [
            try FaultRule(parsing: "rcpt=ana@example.com:550 5.1.1"),
            try FaultRule(parsing: "rcpt:451 4.3.0"),
        ])
        #expect(faults.decide(.rcpt, subjects: ["ana@example.com"])?.ruleID == 1)
        #expect(faults.decide(.rcpt, subjects: ["bo@example.com"])?.ruleID == 2)
        #expect(faults.decide(.mail, subjects: ["ana@example.com"]) == nil)
        #expect(faults.rules.map(\.hits) == [1, 1])
        #expect(faults.injectedByStage[.rcpt] == 2 && faults.injectedByStage[.mail] == 0)
    }

    @Test func dataMatchesWhenAnyRecipientMatches() throws {
        let faults = FaultInjector(rules: [try FaultRule(parsing: "data=@spam.example:554 5.7.1")])
        #expect(faults.decide(.data, subjects: ["a@ok.example", "b@spam.example"]) != nil)
        #expect(faults.decide(.data, subjects: ["a@ok.example"]) == nil)
    }

    @Test func ruleExpiresAfterItsTimes() throws {
        let faults = FaultInjector(rules: [try FaultRule(parsing: "mail:451 times=2")])
        #expect(faults.decide(.mail) != nil)
        #expect(faults.decide(.mail) != nil)
        #expect(faults.decide(.mail) == nil)
        #expect(faults.rules.first?.hits == 2 && faults.rules.first?.isExpired == true)
    }

    @Test func seededProbabilityRepeatsExactly() throws {
        func run() throws -> [Bool] {
            let faults = FaultInjector(rules: [try FaultRule(parsing: "rcpt:451 p=0.5 seed=1234")])
            return (0..<64).map { _ in faults.decide(.rcpt) != nil }
        }
        let first = try run()
        #expect(first == (try run()))
        #expect(first.contains(true) && first.contains(false))
    }

    @Test func removingRulesKeepsIdsAndTotals() throws {
        let faults = FaultInjector()
        let first = faults.add(FaultRule(.rcpt(), .mailboxUnavailable))
        let second = faults.add(FaultRule(.data(), .drop))
        _ = faults.decide(.rcpt)
        #expect(faults.remove(id: first))
        #expect(!faults.remove(id: first))
        #expect(faults.rules.map(\.id) == [second])
        #expect(faults.removeAll() == 1)
        #expect(faults.add(FaultRule(.connect, .serviceUnavailable)) == second + 1)
        #expect(faults.injectedByStage[.rcpt] == 1)
    }
}
