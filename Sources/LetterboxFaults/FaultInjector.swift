import Synchronization

/// The fault rules in force, shared by every session and the HTTP API; thread-safe.
///
/// Rules are tried in the order they were added; the first that matches an attempt (and, with a
/// probability, draws a hit) acts, and its hit count grows. A rule with ``FaultRule/times`` stops
/// acting once it has acted that often and stays listed, expired, until removed.
public final class FaultInjector: Sendable {
    private struct Entry {
        let id: Int
        let rule: FaultRule
        var hits = 0
        var generator: SeededGenerator

        var isExpired: Bool { rule.times.map { hits >= $0 } ?? false }
    }

    private struct State {
        var entries: [Entry] = []
        var nextID = 1
        var injected: [FaultStage: Int] = [:]
    }

    private let state = Mutex(State())
    /// How many rules are listed, readable without the lock (sessions check it on every command).
    private let ruleCount = Atomic<Int>(0)
    /// Added before every SMTP reply, faulted or not (the `--latency` option); nil for none.
    public let latency: Duration?

    /// - Parameters: `rules` in force from the start; `latency` added to every SMTP reply.
    public init(rules: [FaultRule] = [], latency: Duration? = nil) {
        self.latency = latency
        for rule in rules { add(rule) }
    }

    /// Adds a rule after the others; returns its id.
    @discardableResult
    public func add(_ rule: FaultRule) -> Int {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            let seed = rule.seed ?? UInt64.random(in: .min ... .max)
            state.entries.append(Entry(id: id, rule: rule, generator: SeededGenerator(seed: seed)))
            ruleCount.store(state.entries.count, ordering: .releasing)
            return id
        }
    }

    /// Removes the rule with `id`; false if there is none.
    @discardableResult
    public func remove(id: Int) -> Bool {
        state.withLock { state in
            guard let index = state.entries.firstIndex(where: { $0.id == id }) else { return false }
            state.entries.remove(at: index)
            ruleCount.store(state.entries.count, ordering: .releasing)
            return true
        }
    }

    /// Removes every rule; returns how many there were. Ids are not reused.
    @discardableResult
    public func removeAll() -> Int {
        state.withLock { state in
            defer {
                state.entries.removeAll()
                ruleCount.store(0, ordering: .releasing)
            }
            return state.entries.count
        }
    }

    /// Every rule with its id and hits, in the order they are tried.
    public var rules: [FaultStatus] {
        state.withLock { $0.entries.map { FaultStatus(id: $0.id, rule: $0.rule, hits: $0.hits) } }
    }

    /// The rule with `id`, if present.
    public func rule(id: Int) -> FaultStatus? { rules.first { $0.id == id } }

    /// Faults injected since start, by stage, every stage present (for `/metrics`); removing a
    /// rule does not lower them.
    public var injectedByStage: [FaultStage: Int] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: FaultStage.allCases.map { ($0, state.injected[$0, default: 0]) })
        }
    }

    /// Whether any rule is listed (expired ones included); when not, a session need not snapshot its state.
    public var hasRules: Bool { ruleCount.load(ordering: .acquiring) > 0 }

    /// Decides an attempt at `stage`: the first live rule whose trigger matches one of `subjects`
    /// and whose probability draws a hit acts; its hit is counted.
    ///
    /// - Parameter subjects: the address or HELO name of the attempt; every recipient for ``FaultStage/data``.
    package func decide(_ stage: FaultStage, subjects: [String] = []) -> FaultDecision? {
        let folded = subjects.map(AddressPattern.fold)
        return state.withLock { state in
            for index in state.entries.indices {
                let entry = state.entries[index]
                guard !entry.isExpired, entry.rule.trigger.matches(stage, folded: folded) else { continue }
                if let probability = entry.rule.probability,
                    Double.random(in: 0..<1, using: &state.entries[index].generator) >= probability
                {
                    continue
                }
                state.entries[index].hits += 1
                state.injected[stage, default: 0] += 1
                return FaultDecision(ruleID: entry.id, action: entry.rule.action)
            }
            return nil
        }
    }
}
