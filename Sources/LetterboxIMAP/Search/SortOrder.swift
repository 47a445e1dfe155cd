import LetterboxMIME
import LetterboxStore
import LetterboxText

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A SORT criterion (RFC 5256 §3), possibly reversed.
package struct SortCriterion: Sendable, Equatable {
    package enum Key: String, Sendable, Equatable {
        case arrival = "ARRIVAL", cc = "CC", date = "DATE", from = "FROM", size = "SIZE", subject = "SUBJECT", to = "TO"
        /// The display name of the first From or To address (RFC 5957 SORT=DISPLAY).
        case displayFrom = "DISPLAYFROM", displayTo = "DISPLAYTO"
    }
    package var key: Key
    package var reverse: Bool

    package init(_ key: Key, reverse: Bool = false) {
        self.key = key
        self.reverse = reverse
    }
}

/// Orders messages for SORT (RFC 5256): by each criterion in turn, strings compared with
/// i;ascii-casemap, ties broken by sequence number (§3).
enum SortOrder {
    struct Item {
        let sequence: Int
        let message: Message
    }

    static func sorted(_ items: [Item], by criteria: [SortCriterion]) -> [Item] {
        // Keys are computed once per message, not once per comparison.
        let readsHeaders = criteria.contains { $0.key != .arrival && $0.key != .size }
        let keys = items.map { item in
            let views = readsHeaders ? SearchEvaluator.views(of: item.message) : .empty
            return criteria.map { key(of: item.message, views: views, $0.key) }
        }
        let order = items.indices.sorted { left, right in
            for (index, criterion) in criteria.enumerated() {
                let a = keys[left][index], b = keys[right][index]
                if a == b { continue }
                return criterion.reverse ? b < a : a < b
            }
            return items[left].sequence < items[right].sequence
        }
        return order.map { items[$0] }
    }

    /// A comparable value for one criterion.
    enum Value: Comparable {
        case number(Int64)
        case text(String)
    }

    static func key(of message: Message, views: MessageViews, _ key: SortCriterion.Key) -> Value {
        switch key {
        case .arrival: return .number(Int64(message.envelope.receivedAt.timeIntervalSince1970))
        case .size: return .number(Int64(message.canonicalSize))
        case .date:
            // The sent date in UTC; the internal date when there is no valid Date: (§2.2).
            let sent = views.headers(named: ["date"]).parsedDate?.secondsSince1970
            return .number(sent ?? Int64(message.envelope.receivedAt.timeIntervalSince1970))
        case .from: return .text(mailbox(views.imapEnvelope.from))
        case .to: return .text(mailbox(views.imapEnvelope.to))
        case .cc: return .text(mailbox(views.imapEnvelope.cc))
        case .subject: return .text(asciiUppercased(baseSubject(views.headers(named: ["subject"]).subject)))
        case .displayFrom: return .text(asciiUppercased(displayName(views.imapEnvelope.from)))
        case .displayTo: return .text(asciiUppercased(displayName(views.imapEnvelope.to)))
        }
    }

    /// The addr-mailbox of the first address as in ENVELOPE (§3): a group's start names the
    /// group; "" when there is none.
    private static func mailbox(_ addresses: [EnvelopeAddress]) -> String {
        switch addresses.first {
        case .mailbox(_, let mailbox, _)?: return asciiUppercased(mailbox)
        case .groupStart(let name)?: return asciiUppercased(name)
        default: return ""
        }
    }

    /// The display name of the first address, its encoded words decoded; when it has none (or an
    /// empty one), the address `mailbox@host` (RFC 5957 §3); a group's start names the group.
    private static func displayName(_ addresses: [EnvelopeAddress]) -> String {
        switch addresses.first {
        case .mailbox(let name, let mailbox, let host)?:
            let display = EncodedWords.decode(name ?? "").trimmingWhitespace()
            guard display.isEmpty else { return display }
            return host.map { "\(mailbox)@\($0)" } ?? mailbox
        case .groupStart(let name)?: return name
        default: return ""
        }
    }

    /// i;ascii-casemap (RFC 4790 §9.2), the comparator SORT uses (RFC 5256 §2.1): a–z as A–Z,
    /// every other character, accented letters included, as it is.
    static func asciiUppercased(_ text: String) -> String {
        String(decoding: text.utf8.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    /// The base subject (RFC 5256 §2.1): whitespace collapsed, then trailing `(fwd)`, leading
    /// `Re:`/`Fw:`/`Fwd:` (with `[blob]`s) and a `[Fwd: …]` wrapper removed until nothing changes.
    static func baseSubject(_ subject: String) -> String {
        baseSubjectAndMark(subject).subject
    }

    /// ``baseSubject(_:)``, and whether extracting it removed a `Re:`/`Fw:`/`Fwd:` leader, a
    /// `(fwd)` trailer or a `[Fwd: …]` wrapper: the message is then "a reply or forward", which
    /// THREAD=REFERENCES weighs when it merges threads by subject (RFC 5256 §4, step 5).
    static func baseSubjectAndMark(_ subject: String) -> (subject: String, isReplyOrForward: Bool) {
        var replyOrForward = false
        var text = subject.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            .joined(separator: " ")
        while true {
            let before = text
            // (2) trailing subj-trailer: "(fwd)" and whitespace.
            while true {
                let trimmed = text.trimmingWhitespace()
                if trimmed.lowercased().hasSuffix("(fwd)") {
                    text = String(trimmed.dropLast(5))
                    replyOrForward = true
                } else {
                    text = trimmed
                    break
                }
            }
            // (3–5) leading subj-leader and subj-blob, repeated.
            while true {
                let start = text
                text = removingLeadingBlob(text, keepIfEmpty: true)
                let lower = text.lowercased()
                for prefix in ["re", "fwd", "fw"] where lower.hasPrefix(prefix) {
                    var rest = Substring(text.dropFirst(prefix.count)).drop { $0 == " " }
                    rest = Substring(removingLeadingBlob(String(rest), keepIfEmpty: false)).drop { $0 == " " }
                    if rest.hasPrefix(":") {
                        text = String(rest.dropFirst()).trimmingWhitespace()
                        replyOrForward = true
                        break
                    }
                }
                if text == start { break }
            }
            // (6) "[fwd:" … "]" around the whole subject.
            if text.lowercased().hasPrefix("[fwd:") && text.hasSuffix("]") {
                text = String(text.dropFirst(5).dropLast()).trimmingWhitespace()
                replyOrForward = true
            }
            if text == before { return (text, replyOrForward) }
        }
    }

    /// Drops one leading `[…]` (and the whitespace after it) unless that would leave nothing
    /// and `keepIfEmpty` is set (§2.1 step 4).
    private static func removingLeadingBlob(_ text: String, keepIfEmpty: Bool) -> String {
        guard text.hasPrefix("["), let close = text.firstIndex(of: "]"),
            !text[text.index(after: text.startIndex)..<close].contains(Character("["))
        else { return text }
        let rest = text[text.index(after: close)...].trimmingWhitespace()
        return rest.isEmpty && keepIfEmpty ? text : rest
    }
}
