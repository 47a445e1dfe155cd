/// What a matching fault rule does: optionally wait, then fail with a reply, drop the
/// connection, or let the server answer as usual.
///
/// ```swift
/// .mailboxUnavailable          // 550 5.1.1
/// .reply(451, "4.3.0")         // any failure reply
/// .delay(.seconds(30))         // the usual reply, 30 s late
/// .drop                        // close at once, no reply
/// ```
public struct FaultAction: Sendable, Hashable, CustomStringConvertible {
    /// What happens after the delay.
    public enum Outcome: Sendable, Hashable {
        /// The server's own reply (a pure delay).
        case proceed
        /// This reply instead of the server's; the command has no effect.
        case reply(FaultReply)
        /// The connection is closed without a reply.
        case drop
    }

    /// Waited before the outcome, without holding a thread.
    public let delay: Duration?
    /// What happens once the delay is over.
    public let outcome: Outcome

    /// `outcome`, after `delay` when given.
    public init(delay: Duration? = nil, _ outcome: Outcome) {
        self.delay = delay
        self.outcome = outcome
    }

    /// Closes the connection without a reply.
    public static let drop = FaultAction(.drop)

    /// Replies `code enhanced text` instead of the server's reply (see ``FaultReply``).
    public static func reply(_ code: Int, _ enhanced: String? = nil, _ text: String? = nil) -> FaultAction {
        FaultAction(.reply(FaultReply(code, enhanced, text)))
    }

    /// Sends the server's usual reply after `duration`.
    public static func delay(_ duration: Duration) -> FaultAction { FaultAction(delay: duration, .proceed) }

    /// This action, `duration` later: `.mailboxUnavailable.delayed(by: .seconds(5))`.
    public func delayed(by duration: Duration) -> FaultAction { FaultAction(delay: duration, outcome) }

    /// `421 4.3.2` and closes (RFC 5321 §3.8).
    public static let serviceUnavailable = FaultAction(.reply(.serviceUnavailable))
    /// `450 4.2.1`
    public static let mailboxBusy = FaultAction(.reply(.mailboxBusy))
    /// `451 4.3.0`
    public static let localError = FaultAction(.reply(.localError))
    /// `452 4.2.2`
    public static let insufficientStorage = FaultAction(.reply(.insufficientStorage))
    /// `535 5.7.8`
    public static let authenticationFailed = FaultAction(.reply(.authenticationFailed))
    /// `550 5.1.1`
    public static let mailboxUnavailable = FaultAction(.reply(.mailboxUnavailable))
    /// `552 5.3.4`
    public static let messageTooBig = FaultAction(.reply(.messageTooBig))
    /// `554 5.7.1`
    public static let rejected = FaultAction(.reply(.rejected))

    /// As in rule text: `550 5.1.1`, `delay 5s`, `delay 2s drop`, `drop`.
    public var description: String {
        var words: [String] = []
        if let delay { words.append("delay \(FaultDuration.format(delay))") }
        switch outcome {
        case .proceed: break
        case .reply(let reply): words.append(reply.description)
        case .drop: words.append("drop")
        }
        return words.joined(separator: " ")
    }
}
