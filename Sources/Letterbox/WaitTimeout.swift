public import LetterboxStore

/// Thrown when a wait ends without the messages it awaited: by ``MailCatcher``'s waits, and by
/// `LetterboxTesting`'s inboxes and `RemoteMailCatcher` alike. Its description says what was
/// awaited, for how long, how many arrived, and summarises every message that was there instead:
///
/// ```
/// no message matching to=bo@example.com subject=Invoice arrived within 200ms; 1 message(s) there instead:
///   #1 from sender@example.com to ana@example.com "Welcome"
/// ```
public struct WaitTimeout: Error, CustomStringConvertible {
    /// What was awaited.
    public let wait: MessageWait
    /// The matching messages that did arrive, fewer than ``MessageWait/count``.
    public let found: [Message]
    /// One line per message stored when the wait ended.
    public let seen: [String]

    /// The criteria awaited.
    public var filter: MessageFilter { wait.filter }
    /// How long the wait lasted.
    public var timeout: Duration { wait.timeout }

    /// A timeout of `wait`, which found `found`, while the catcher held `stored`.
    public init(_ wait: MessageWait, found: [Message], stored: [Message]) {
        self.init(wait, found: found, seen: stored.map(\.summary))
    }

    /// A timeout of `wait`, which found `found`, with ``seen`` already summarised (by
    /// ``summary(id:sender:recipients:subject:)``, from a list a remote catcher sent).
    package init(_ wait: MessageWait, found: [Message], seen: [String]) {
        self.wait = wait
        self.found = found
        self.seen = seen
    }

    /// One line of ``seen``: `#3 from a@example.com to b@example.com "Subject"`.
    package static func summary(id: UInt64, sender: String, recipients: [String], subject: String) -> String {
        "#\(id) from \(sender.isEmpty ? "<>" : sender) to \(recipients.joined(separator: ", ")) \"\(subject)\""
    }

    public var description: String {
        var text =
            wait.count == 1
            ? "no message\(wait.condition) arrived within \(wait.timeout.shortDescription)"
            : "expected \(wait.count) messages\(wait.condition) within \(wait.timeout.shortDescription), \(found.count) arrived"
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
        WaitTimeout.summary(id: id, sender: envelope.sender, recipients: envelope.recipients, subject: subject)
    }
}

extension Duration {
    /// `5s`, `250ms`.
    var shortDescription: String {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
