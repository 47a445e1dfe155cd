/// What a protocol server does to one attempt that a rule matched.
package struct FaultDecision: Sendable, Equatable {
    /// The id of the rule that acted.
    package let ruleID: Int
    package let action: FaultAction

    /// The reply text to send: the rule's own, or one naming the rule so logs show the cause.
    package func text(for reply: FaultReply) -> String {
        reply.text ?? "Fault injected by Letterbox (rule \(ruleID))"
    }
}
