import Foundation
import Letterbox

/// What a test waits for. Every criterion given must hold; text comparisons are case-insensitive
/// substrings. Mail that arrived before the wait began counts.
public struct MailCriteria: Sendable, CustomStringConvertible {
    /// An envelope recipient (Bcc included) or a `To:`/`Cc:` address.
    public var to: String?
    /// The envelope sender or the `From:` address.
    public var from: String?
    /// The decoded subject.
    public var subject: String?
    /// The decoded text or HTML body.
    public var body: String?
    /// A header that must contain a value: `(name, value)`.
    public var header: (name: String, value: String)?
    /// Any further condition.
    public var predicate: (@Sendable (CapturedMail) -> Bool)?

    public init(
        to: String? = nil, from: String? = nil, subject: String? = nil, body: String? = nil,
        header: (name: String, value: String)? = nil, where predicate: (@Sendable (CapturedMail) -> Bool)? = nil
    ) {
        self.to = to
        self.from = from
        self.subject = subject
        self.body = body
        self.header = header
        self.predicate = predicate
    }

    /// Any message.
    public static var any: MailCriteria { MailCriteria() }

    /// The part a catcher can check on its own (server-side for a remote catcher).
    var filter: MessageFilter { MessageFilter(to: to, from: from, subject: subject, contains: body) }

    public func matches(_ mail: CapturedMail) -> Bool {
        guard filter.matches(mail.message) else { return false }
        if let header, !(mail.header(header.name)?.localizedCaseInsensitiveContains(header.value) ?? false) {
            return false
        }
        return predicate?(mail) ?? true
    }

    public var description: String {
        var parts: [String] = []
        if let to { parts.append("to \(to)") }
        if let from { parts.append("from \(from)") }
        if let subject { parts.append("subject containing \"\(subject)\"") }
        if let body { parts.append("body containing \"\(body)\"") }
        if let header { parts.append("header \(header.name) containing \"\(header.value)\"") }
        if predicate != nil { parts.append("matching a predicate") }
        return parts.isEmpty ? "any message" : parts.joined(separator: ", ")
    }
}
