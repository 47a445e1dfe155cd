import LetterboxStore

/// Thrown when no message matching a filter arrived in time. Its description says what was
/// awaited, for how long, and summarises every message that was there instead.
public struct WaitTimeout: Error, CustomStringConvertible {
    public let filter: MessageFilter
    public let timeout: Duration
    /// One line per message stored when the wait ended.
    public let seen: [String]

    public var description: String {
        var text = "no message matching \(filter) arrived within \(timeout)"
        if seen.isEmpty {
            text += "; the catcher holds no messages"
        } else {
            text += "; \(seen.count) message(s) there instead:"
            for line in seen.prefix(20) { text += "\n  " + line }
            if seen.count > 20 { text += "\n  … and \(seen.count - 20) more" }
        }
        return text
    }
}

extension Message {
    /// `#3 from a@example.com to b@example.com "Subject"`.
    var summary: String {
        "#\(id) from \(envelope.sender.isEmpty ? "<>" : envelope.sender) to \(envelope.recipients.joined(separator: ", ")) \"\(subject)\""
    }
}
