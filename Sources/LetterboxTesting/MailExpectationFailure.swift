/// A wait that ended without the mail it expected. The description says what was expected, how
/// long it waited, and summarises every message that was there instead, one per line.
public struct MailExpectationFailure: Error, CustomStringConvertible {
    public let expected: String
    public let waited: Duration
    public let found: Int
    public let wanted: Int
    public let seen: [String]

    public var description: String {
        var text =
            wanted == 1
            ? "expected a message \(expected) within \(waited.formatted)"
            : "expected \(wanted) messages \(expected) within \(waited.formatted), got \(found)"
        if seen.isEmpty {
            text += "; no messages were captured"
        } else {
            text += "; \(seen.count) message(s) captured:"
            for line in seen.prefix(25) { text += "\n  " + line }
            if seen.count > 25 { text += "\n  … and \(seen.count - 25) more" }
        }
        return text
    }
}

extension Duration {
    /// `5s`, `250ms`.
    var formatted: String {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
