import Foundation
import LetterboxMIME
import LetterboxStore

/// Decides whether a message matches a SEARCH key (RFC 3501 §6.4.4). String keys match
/// case-insensitively on decoded header values and the decoded body text.
struct SearchEvaluator {
    /// A message as the session sees it.
    struct Candidate {
        let sequence: UInt64
        let message: Message
        let flags: MessageFlags
        let recent: Bool
    }

    let largestSequence: UInt64
    let largestUID: UInt64

    func matches(_ key: SearchKey, _ candidate: Candidate) -> Bool {
        let message = candidate.message
        switch key {
        case .all: return true
        case .and(let keys): return keys.allSatisfy { matches($0, candidate) }
        case .or(let first, let second): return matches(first, candidate) || matches(second, candidate)
        case .not(let inner): return !matches(inner, candidate)
        case .flag(let name, let set): return candidate.flags.contains(name) == set
        case .recent: return candidate.recent
        case .new: return candidate.recent && !candidate.flags.contains(MessageFlags.seen)
        case .old: return !candidate.recent
        case .header(let field, let value): return header(field, of: message, contains: value)
        case .body(let value): return contains(message.text, value)
        case .text(let value):
            // The body includes the header fields of the MIME parts (a file name, a
            // Content-Description), as in Dovecot and Cyrus.
            return fields(message.headers, contain: value) || contains(message.text, value)
                || partHeaders(of: message.partTree, contain: value)
        case .larger(let size): return message.canonicalSize > size
        case .smaller(let size): return message.canonicalSize < size
        case .before(let date): return IMAPDate.day(of: message.envelope.receivedAt) < date
        case .on(let date): return IMAPDate.day(of: message.envelope.receivedAt) == date
        case .since(let date): return IMAPDate.day(of: message.envelope.receivedAt) >= date
        case .sentBefore(let date): return sentDay(message).map { $0 < date } ?? false
        case .sentOn(let date): return sentDay(message) == date
        case .sentSince(let date): return sentDay(message).map { $0 >= date } ?? false
        case .sequence(let set): return set.contains(candidate.sequence, largest: largestSequence)
        case .uid(let set): return set.contains(message.id, largest: largestUID)
        }
    }

    private func fields(_ headers: MessageHeaders, contain value: String) -> Bool {
        headers.fields.contains { contains($0.value, value) || contains(EncodedWords.decode($0.value), value) }
    }

    /// Whether the header section of a part below `part` contains `value`.
    private func partHeaders(of part: MIMEPart, contain value: String) -> Bool {
        part.children.contains { fields($0.headers, contain: value) || partHeaders(of: $0, contain: value) }
    }

    private func sentDay(_ message: Message) -> SearchDate? {
        message.headers.date.flatMap(IMAPDate.day(ofHeader:))
    }

    /// A header field contains `value` in its raw or decoded form; an empty value matches any
    /// message that has the field (RFC 3501 §6.4.4 HEADER).
    private func header(_ field: String, of message: Message, contains value: String) -> Bool {
        let values = message.headers.values(field)
        if value.isEmpty { return !values.isEmpty }
        return values.contains { contains($0, value) || contains(EncodedWords.decode($0), value) }
    }

    private func contains(_ haystack: String, _ needle: String) -> Bool {
        haystack.range(of: needle, options: .caseInsensitive) != nil
    }
}
