/// What a protocol server does to one attempt that a rule matched.
package struct FaultDecision: Sendable, Equatable {
    /// The id of the rule that acted.
    package let ruleID: Int
    package let action: FaultAction

    /// The reply text to send: the rule's own on one line, or one naming the rule so logs show the cause.
    ///
    /// Rule text is checked when parsed; a rule built in code is made safe here: a line break would
    /// end the reply early and desynchronise the client, and control characters become spaces;
    /// the line is cut to ``FaultReply/maxLineLength`` octets.
    package func text(for reply: FaultReply) -> String {
        guard let text = reply.text else { return "Fault injected by Letterbox (rule \(ruleID))" }
        let room = FaultReply.maxLineLength - (reply.lineLength - text.utf8.count)
        var safe = String.UnicodeScalarView()
        var octets = 0
        for scalar in text.unicodeScalars {
            let kept: Unicode.Scalar =
                scalar.properties.generalCategory == .control || scalar.properties.isNewlineLike ? " " : scalar
            octets += kept.utf8.count
            guard octets <= room else { break }
            safe.append(kept)
        }
        return String(safe)
    }
}

extension Unicode.Scalar.Properties {
    /// U+2028 and U+2029 end lines for some readers though they are not control characters.
    fileprivate var isNewlineLike: Bool { generalCategory == .lineSeparator || generalCategory == .paragraphSeparator }
}
