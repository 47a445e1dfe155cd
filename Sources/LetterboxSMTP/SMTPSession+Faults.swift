import LetterboxFaults
import LetterboxStore

/// Fault injection: where the session would accept, a matching rule of
/// ``SMTPConfiguration/faults`` may delay the reply, replace it with a failure, or drop the
/// connection. Only replies that accept are faulted, so sequence and syntax errors stay as they
/// are, and a faulted command has no effect on the session.
extension SMTPSession {
    /// The greeting, or what a `connect` rule does instead. A failure greeting closes the
    /// connection (clients such as smtplib give up on a non-220 greeting anyway).
    package mutating func opening() -> Action {
        let greeting = Action.reply(greeting)
        guard let decision = configuration.faults?.decide(.connect) else { return greeting }
        return apply(decision, to: greeting, closing: true)
    }

    /// Handles a command, letting a matching rule act on an accepting reply.
    mutating func handleWithFaults(_ command: SMTPCommand) -> Action {
        guard let faults = configuration.faults, faults.hasRules else { return handle(command) }
        let before = self
        let action = handle(command)
        guard case .reply(let reply) = action, reply.code < 400, let (stage, subject) = command.faultPoint,
            let decision = faults.decide(stage, subjects: subject.map { [$0] } ?? [])
        else { return action }
        if decision.action.outcome != .proceed { self = before }
        return apply(decision, to: action, closing: false)
    }

    /// The completion of a message, or what a `data` rule does instead; a faulted message is not stored.
    mutating func faulted(_ completion: Completion) -> Completion {
        guard let faults = configuration.faults, faults.hasRules, case .deliver(_, let envelope) = completion else {
            return completion
        }
        guard let decision = faults.decide(.data, subjects: envelope.recipients) else { return completion }
        var result = completion
        switch decision.action.outcome {
        case .proceed: break
        case .reply(let reply): result = .reply(smtpReply(reply, decision))
        case .drop: result = .drop
        }
        if let delay = decision.action.delay { result = .delayed(delay, result) }
        return result
    }

    private func apply(_ decision: FaultDecision, to action: Action, closing: Bool) -> Action {
        var result: Action
        switch decision.action.outcome {
        case .proceed: result = action
        case .reply(let reply):
            let smtp = smtpReply(reply, decision)
            // RFC 5321 §3.8: a 421 reply closes the connection.
            result = closing || reply.code == 421 ? .close(smtp) : .reply(smtp)
        case .drop: result = .drop
        }
        if let delay = decision.action.delay { result = .delayed(delay, result) }
        return result
    }

    private func smtpReply(_ reply: FaultReply, _ decision: FaultDecision) -> SMTPReply {
        SMTPReply(reply.code, reply.sentEnhanced, decision.text(for: reply))
    }
}

extension SMTPCommand {
    /// The stage a command belongs to and the address or name a rule's pattern is matched against.
    fileprivate var faultPoint: (FaultStage, String?)? {
        switch self {
        case .helo(let name), .ehlo(let name): (.helo, name)
        case .auth: (.auth, nil)
        case .mail(let from, _): (.mail, from)
        case .rcpt(let to, _): (.rcpt, to)
        default: nil
        }
    }
}
