import LetterboxMIME

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One test a message passes or fails: the single implementation behind every ``MessageFilter``
/// criterion, whether it came from a query item (`?to=ana`) or a search token (`to:ana`, `-to:ana`).
///
/// Text comparisons are case-insensitive substring matches. A value type, safe to share.
public enum MessageCriterion: Sendable, Hashable {
    /// Envelope recipients (Bcc included) and the `To:`/`Cc:` headers contain the text.
    case to(String)
    /// The envelope sender or the `From:` header contains the text.
    case from(String)
    /// The decoded subject contains the text.
    case subject(String)
    /// The decoded text body or the decoded HTML source contains the text.
    case contains(String)
    /// The message has at least one attachment (see ``MessageBody/attachments(of:)``).
    case hasAttachment
    /// The message carries the IMAP `\Seen` flag (read).
    case seen
    /// The message arrived strictly before this instant.
    case receivedBefore(Date)
    /// The message arrived at or after this instant.
    case receivedSince(Date)
    /// The raw message is larger than this many octets (IMAP `LARGER`, RFC 3501 §6.4.4).
    case larger(Int)
    /// The raw message is smaller than this many octets (IMAP `SMALLER`).
    case smaller(Int)
    /// At least one of the terms holds (`from:a OR from:b`, IMAP `OR`).
    case anyOf([SearchTerm])

    /// Whether `message`, carrying `flags`, passes.
    public func matches(_ message: Message, flags: MessageFlags) -> Bool {
        switch self {
        case .to(let text):
            if message.envelope.recipients.contains(where: { $0.containsIgnoringCase(text) }) { return true }
            return message.searchFields.recipients.contains { $0.containsIgnoringCase(text) }
        case .from(let text):
            return message.envelope.sender.containsIgnoringCase(text)
                || message.searchFields.senders.contains { $0.containsIgnoringCase(text) }
        case .subject(let text):
            return message.searchFields.subject.containsIgnoringCase(text)
        case .contains(let text):
            return message.text.containsIgnoringCase(text) || (message.html?.containsIgnoringCase(text) ?? false)
        case .hasAttachment:
            return !MessageBody.attachments(of: message.partTree).isEmpty
        case .seen:
            return flags.contains(MessageFlags.seen)
        case .receivedBefore(let instant):
            return message.envelope.receivedAt < instant
        case .receivedSince(let instant):
            return message.envelope.receivedAt >= instant
        case .larger(let octets):
            return message.size > octets
        case .smaller(let octets):
            return message.size < octets
        case .anyOf(let terms):
            // Cheapest first: the body is decoded only when nothing cheaper has matched.
            return terms.sorted { $0.criterion.cost < $1.criterion.cost }.contains { $0.matches(message, flags: flags) }
        }
    }

    /// Whether the criterion reads the message's flags (the store must then supply them).
    var needsFlags: Bool {
        switch self {
        case .seen: true
        case .anyOf(let terms): terms.contains { $0.criterion.needsFlags }
        default: false
        }
    }

    /// How much testing costs, so a filter tests cheap criteria first: what the index holds, then
    /// the parsed header section, then the part tree, then the decoded body.
    var cost: Int {
        switch self {
        case .seen, .receivedBefore, .receivedSince, .larger, .smaller: 0
        case .to, .from, .subject: 1
        case .hasAttachment: 2
        case .contains: 3
        case .anyOf(let terms): terms.map(\.criterion.cost).max() ?? 0
        }
    }
}

/// A criterion a message must pass, or with `negated` fail (`-to:ana`).
public struct SearchTerm: Sendable, Hashable {
    public var criterion: MessageCriterion
    public var negated: Bool

    public init(_ criterion: MessageCriterion, negated: Bool = false) {
        self.criterion = criterion
        self.negated = negated
    }

    /// Whether `message`, carrying `flags`, satisfies the term.
    public func matches(_ message: Message, flags: MessageFlags) -> Bool {
        criterion.matches(message, flags: flags) != negated
    }
}
