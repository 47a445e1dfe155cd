/// One fault to inject: when it applies, what it does, and how often.
///
/// In text (the form the `--fault` flag, `LETTERBOX_FAULTS` and `POST /faults` take):
/// ```
/// rcpt=bounce@*:550 5.1.1              every RCPT to bounce@… is refused
/// mail=@example.com:451 4.3.0 times=2  the first two MAIL FROM …@example.com are deferred, then accepted
/// data:delay 30s                       every message is acknowledged 30 s late
/// data=ana@example.com:drop            the connection closes before a message to ana is stored
/// connect:421 4.3.2 p=0.5 seed=7       half the connections (reproducibly) are turned away
/// ```
/// See ``init(parsing:)`` for the grammar.
public struct FaultRule: Sendable, Hashable, CustomStringConvertible {
    /// Which SMTP stage and which attempts the rule matches.
    public var trigger: FaultTrigger
    /// What happens to a matching attempt: a reply instead of the server's, a delay, or a drop.
    public var action: FaultAction
    /// The rule expires after acting this many times; nil for never. With a failure action this
    /// is "fail the first N attempts, then succeed".
    public var times: Int?
    /// The chance (0 < p ≤ 1) that a matching attempt is faulted; nil for always.
    public var probability: Double?
    /// Seeds the rule's own random sequence, so a probability gives the same faults on every run;
    /// nil for a random seed.
    public var seed: UInt64?

    /// - Precondition: `times` is at least 1 and `probability` is in (0, 1] when given.
    public init(
        _ trigger: FaultTrigger, _ action: FaultAction, times: Int? = nil, probability: Double? = nil,
        seed: UInt64? = nil
    ) {
        precondition(times.map { $0 >= 1 } ?? true, "times must be at least 1")
        precondition(probability.map { $0 > 0 && $0 <= 1 } ?? true, "probability must be in (0, 1]")
        self.trigger = trigger
        self.action = action
        self.times = times
        self.probability = probability
        self.seed = seed
    }

    /// The rule as one line of text that ``init(parsing:)`` reads back to an equal rule.
    public var description: String {
        var text = "\(trigger):\(action)"
        if let times { text += " times=\(times)" }
        if let probability { text += " p=\(probability)" }
        if let seed { text += " seed=\(seed)" }
        return text
    }
}
