/// What a protocol server does to one attempt that a rule matched.
package struct FaultDecision: Sendable, Equatable {
    /// The id of the rule that acted.
    package let ruleID: Int
    package let action: FaultAction

    /// The reply text to send: the rule's own on one line, or one naming the rule so logs show the cause.
    package func text(for reply: FaultReply) -> String {
        guard let text = reply.text else { return "Fault injected by Letterbox (rule \(ruleID))" }
        // A line break in the text would end the reply early and desynchronise the client.
        return String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}
