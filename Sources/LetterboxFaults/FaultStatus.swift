/// A rule in a ``FaultInjector`` with its id and how often it has acted.
public struct FaultStatus: Sendable, Hashable, Identifiable {
    /// Assigned when the rule is added; never reused by the same injector.
    public let id: Int
    public let rule: FaultRule
    /// How many attempts the rule faulted.
    public let hits: Int

    package init(id: Int, rule: FaultRule, hits: Int) {
        self.id = id
        self.rule = rule
        self.hits = hits
    }

    /// Whether the rule has acted its ``FaultRule/times`` and no longer applies.
    public var isExpired: Bool { rule.times.map { hits >= $0 } ?? false }
}
