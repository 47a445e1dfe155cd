import LetterboxMIME

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The search syntax of `GET /messages?q=` and of the web inbox's search box: whitespace-separated
/// tokens, all of which must hold, or alternatives joined by `OR`.
///
/// Grammar (ABNF, RFC 5234; `WSP` is any run of Unicode whitespace):
///
///     query       = [group *(WSP group)]           ; every group must hold (AND)
///     group       = term *(WSP "OR" WSP term)      ; at least one term must hold
///     term        = ["-"] (phrase / key ":" value / word)
///     phrase      = DQUOTE *(%x20-21 / %x23-5B / %x5D-10FFFF / "\" DQUOTE / "\\") DQUOTE
///     value       = phrase / 1*non-WSP
///     word        = 1*non-WSP                      ; not "OR"; searched as text
///
/// As in Gmail, `OR` binds tighter than the implicit AND: `to:ana from:a OR from:b` is
/// `to:ana AND (from:a OR from:b)`, and `a OR b OR c` is one group. `OR` is a keyword only in
/// capitals and unquoted (`or` and `"OR"` are text to search for); there are no parentheses,
/// and `-` negates the one term it precedes, not a group.
///
/// | Token | Matches |
/// | --- | --- |
/// | `word`, `"a phrase"` | the text or HTML body contains it (as `contains=`) |
/// | `to:ana`, `from:shop`, `subject:"your order"` | as the `to=`, `from=`, `subject=` filters |
/// | `has:attachment` | messages with an attachment |
/// | `is:unread`, `is:read` | without / with the IMAP `\Seen` flag |
/// | `before:2026-12-07`, `after:2026-12-07` | arrival before that day (UTC) / on or after it |
/// | `before:2026-12-07T10:00:00Z`, `after:2h` | an instant; or `m`, `h`, `d`, `w` ago |
/// | `larger:10k`, `smaller:1M` | raw size above / below (`k` = 1024 octets, `M`, `G`) |
/// | `-token` | negates any token |
///
/// Keys are case-insensitive; a value with spaces is quoted (`\"` and `\\` escape inside quotes).
/// Dates follow IMAP `SINCE`/`BEFORE` (RFC 3501 §6.4.4) and Gmail: `after:` includes its day,
/// `before:` excludes it, so `after:2026-12-07 before:2026-12-08` is that day. Anything else is
/// an error that says what is wrong, never silently a text search: a word with a colon
/// (`https://…`) is searched as text when quoted.
public enum SearchQuery {
    /// The terms of `text` (none for blank text). Relative dates count back from `now`.
    ///
    /// - Throws: ``SearchQueryError`` naming the token at fault and what would be valid.
    public static func parse(_ text: String, now: Date = Date()) throws(SearchQueryError) -> [SearchTerm] {
        var scanner = Scanner(text: Array(text.unicodeScalars))
        var terms: [SearchTerm] = []
        while true {
            if scanner.atOr() {
                throw orError
            }
            guard let term = try scanner.nextTerm(now: now) else { break }
            var alternatives = [term]
            while scanner.takeOr() {
                guard !scanner.atOr(), let next = try scanner.nextTerm(now: now) else {
                    throw orError
                }
                alternatives.append(next)
            }
            terms.append(alternatives.count == 1 ? term : SearchTerm(.anyOf(alternatives)))
        }
        return terms
    }

    /// The query that parses back to `terms` (dates as RFC 3339 UTC instants).
    /// A negated ``MessageCriterion/anyOf(_:)`` (which the syntax cannot write: it has no
    /// parentheses) is written as the equivalent AND of its negated terms.
    public static func text(of terms: [SearchTerm]) -> String {
        terms.map(token).joined(separator: " ")
    }

    /// The text of one term (an `OR` group for ``MessageCriterion/anyOf(_:)``).
    private static func token(_ term: SearchTerm) -> String {
        var negated = term.negated
        let body: String
        switch term.criterion {
        case .anyOf(let alternatives):
            if negated {
                return text(of: alternatives.map { SearchTerm($0.criterion, negated: !$0.negated) })
            }
            return alternatives.map(token).joined(separator: " OR ")
        case .to(let value): body = "to:" + quotedIfNeeded(value)
        case .from(let value): body = "from:" + quotedIfNeeded(value)
        case .subject(let value): body = "subject:" + quotedIfNeeded(value)
        case .contains(let value):
            let needsQuotes = value.first == "-" || value.contains(":") || value == "OR"
            body = needsQuotes ? quoted(value) : quotedIfNeeded(value)
        case .hasAttachment: body = "has:attachment"
        case .seen:
            body = negated ? "is:unread" : "is:read"
            negated = false
        case .receivedBefore(let instant): body = "before:" + rfc3339(instant)
        case .receivedSince(let instant): body = "after:" + rfc3339(instant)
        case .larger(let octets): body = "larger:\(octets)"
        case .smaller(let octets): body = "smaller:\(octets)"
        }
        return (negated ? "-" : "") + body
    }

    private static let orError = SearchQueryError(
        "OR needs a term on each side, as in from:a OR from:b; to search for the word, quote it: \"OR\"")

    /// The keys a token may start with, for error messages.
    static let keys = "to:, from:, subject:, has:attachment, is:unread, is:read, before:, after:, larger:, smaller:"

    // MARK: Values

    /// `2026-12-07` (midnight UTC), `2026-12-07T10:00:00Z` / `…+01:00` / `2026-12-07T10:00`
    /// (UTC), or a span ago: `30m`, `2h`, `3d`, `1w`.
    static func instant(_ text: String, now: Date) -> Date? {
        if let last = text.last, let unit = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800][last.lowercased()],
            let count = digits(text.dropLast())
        {
            let seconds = count.multipliedReportingOverflow(by: unit)
            return seconds.overflow ? .distantPast : now.addingTimeInterval(-Double(seconds.partialValue))
        }
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 10, scalars[4] == "-", scalars[7] == "-",
            let year = digits(scalars[0..<4]), let month = digits(scalars[5..<7]), let day = digits(scalars[8..<10]),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var seconds = MessageDate.daysSince1970(year: year, month: month, day: day) * 86_400
        var rest = scalars[10...]
        if !rest.isEmpty {
            guard rest.first == "T" || rest.first == "t", rest.count >= 6, rest[rest.startIndex + 3] == ":",
                let hour = digits(rest.dropFirst().prefix(2)), let minute = digits(rest.dropFirst(4).prefix(2)),
                hour < 24, minute < 60
            else { return nil }
            seconds += hour * 3600 + minute * 60
            rest = rest.dropFirst(6)
            if rest.first == ":" {
                guard let second = digits(rest.dropFirst().prefix(2)), second < 61 else { return nil }
                seconds += second
                rest = rest.dropFirst(3)
            }
            if rest.first == "Z" || rest.first == "z" {
                rest = rest.dropFirst()
            } else if let sign = rest.first, sign == "+" || sign == "-" {
                guard rest.count == 6, rest[rest.startIndex + 3] == ":", let hours = digits(rest.dropFirst().prefix(2)),
                    let minutes = digits(rest.suffix(2)), hours < 24, minutes < 60
                else { return nil }
                let offset = hours * 3600 + minutes * 60
                seconds += sign == "+" ? -offset : offset
                rest = []
            }
            guard rest.isEmpty else { return nil }
        }
        return Date(timeIntervalSince1970: Double(seconds))
    }

    /// `1500`, `10k`, `10kb`, `1M`, `1G` (powers of 1024), case-insensitive; clamped to `Int.max`.
    static func octets(_ text: String) -> Int? {
        var number = Substring(text.lowercased())
        if number.hasSuffix("b") { number = number.dropLast() }
        var unit = 1
        if let last = number.last, let power = ["k": 1, "m": 2, "g": 3][String(last)] {
            unit = 1 << (10 * power)
            number = number.dropLast()
        }
        guard let count = digits(number.unicodeScalars) else { return nil }
        let size = count.multipliedReportingOverflow(by: unit)
        return size.overflow ? Int.max : size.partialValue
    }

    /// The value of a run of ASCII digits (clamped to `Int.max`); nil for anything else.
    private static func digits(_ text: some Collection<Unicode.Scalar>) -> Int? {
        guard !text.isEmpty, text.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        var value = 0
        for scalar in text {
            let next = value.multipliedReportingOverflow(by: 10)
            let sum = next.partialValue.addingReportingOverflow(Int(scalar.value) - 48)
            if next.overflow || sum.overflow { return Int.max }
            value = sum.partialValue
        }
        return value
    }

    private static func digits(_ text: Substring) -> Int? { digits(text.unicodeScalars) }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func rfc3339(_ instant: Date) -> String {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let date = MessageDate.civilDate(daysSince1970: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(date.year)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year
            + "-\(two(date.month))-\(two(date.day))T\(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60))Z"
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        value.isEmpty || value.contains(where: { $0.isWhitespace || $0 == "\"" }) ? quoted(value) : value
    }

    private static func quoted(_ value: String) -> String {
        var text = "\""
        for character in value {
            if character == "\"" || character == "\\" { text.append("\\") }
            text.append(character)
        }
        return text + "\""
    }

    // MARK: Tokens

    /// Reads one token at a time from the query.
    private struct Scanner {
        let text: [Unicode.Scalar]
        var position = 0

        mutating func nextTerm(now: Date) throws(SearchQueryError) -> SearchTerm? {
            while position < text.count, text[position].properties.isWhitespace { position += 1 }
            guard position < text.count else { return nil }
            let start = position
            var negated = false
            if text[position] == "-" {
                negated = true
                position += 1
                guard position < text.count, !text[position].properties.isWhitespace else {
                    throw SearchQueryError("a lone \"-\" must be followed by the token it negates, such as -is:read")
                }
            }
            if text[position] == "\"" {
                let phrase = try quotedValue()
                guard !phrase.isEmpty else {
                    throw SearchQueryError("an empty phrase (\"\") matches nothing; remove it")
                }
                return SearchTerm(.contains(phrase), negated: negated)
            }
            var keyEnd = position
            while keyEnd < text.count, text[keyEnd].isASCII, text[keyEnd].properties.isAlphabetic { keyEnd += 1 }
            guard keyEnd > position, keyEnd < text.count, text[keyEnd] == ":" else {
                return SearchTerm(.contains(word()), negated: negated)
            }
            let key = String(String.UnicodeScalarView(text[position..<keyEnd])).lowercased()
            position = keyEnd + 1
            let value = position < text.count && text[position] == "\"" ? try quotedValue() : word()
            let token = String(String.UnicodeScalarView(text[start..<position]))
            guard !value.isEmpty else {
                throw SearchQueryError("\(key): needs a value, as in \(Self.example(key)) (in \"\(token)\")")
            }
            let term = try Self.term(key: key, value: value, token: token, now: now)
            return SearchTerm(term.criterion, negated: term.negated != negated)
        }

        /// The criterion `key:value` stands for (`is:unread` is a negated `\Seen`).
        private static func term(key: String, value: String, token: String, now: Date) throws(SearchQueryError)
            -> SearchTerm
        {
            switch key {
            case "to": return SearchTerm(.to(value))
            case "from": return SearchTerm(.from(value))
            case "subject": return SearchTerm(.subject(value))
            case "has":
                guard ["attachment", "attachments"].contains(value.lowercased()) else {
                    throw SearchQueryError("has: takes attachment, got \"\(token)\"")
                }
                return SearchTerm(.hasAttachment)
            case "is":
                switch value.lowercased() {
                case "unread", "unseen": return SearchTerm(.seen, negated: true)
                case "read", "seen": return SearchTerm(.seen)
                default: throw SearchQueryError("is: takes unread or read, got \"\(token)\"")
                }
            case "before", "after":
                guard let instant = SearchQuery.instant(value, now: now) else {
                    throw SearchQueryError(
                        "\(key): takes a date such as 2026-12-07, an instant such as 2026-12-07T10:00:00Z, "
                            + "or a time ago such as 30m, 2h, 3d, 1w; got \"\(token)\"")
                }
                return SearchTerm(key == "before" ? .receivedBefore(instant) : .receivedSince(instant))
            case "larger", "smaller":
                guard let octets = SearchQuery.octets(value) else {
                    throw SearchQueryError(
                        "\(key): takes a size in octets such as 5000, 10k or 1M (k = 1024), got \"\(token)\"")
                }
                return SearchTerm(key == "larger" ? .larger(octets) : .smaller(octets))
            default:
                throw SearchQueryError(
                    "unknown search key \"\(key):\" in \"\(token)\"; keys are \(SearchQuery.keys); "
                        + "to search for text with a colon, quote it: \"\\\"\(token)\\\"\"")
            }
        }

        private static func example(_ key: String) -> String {
            switch key {
            case "has": "has:attachment"
            case "is": "is:unread"
            case "before", "after": "\(key):2026-12-07"
            case "larger", "smaller": "\(key):10k"
            default: "\(key):ana@example.com"
            }
        }

        /// Whether the next token is the keyword `OR` (without consuming it).
        mutating func atOr() -> Bool {
            while position < text.count, text[position].properties.isWhitespace { position += 1 }
            guard position + 2 <= text.count, text[position] == "O", text[position + 1] == "R" else { return false }
            return position + 2 == text.count || text[position + 2].properties.isWhitespace
        }

        /// Consumes the keyword `OR` if it comes next.
        mutating func takeOr() -> Bool {
            guard atOr() else { return false }
            position += 2
            return true
        }

        /// The run of non-whitespace from here.
        private mutating func word() -> String {
            let start = position
            while position < text.count, !text[position].properties.isWhitespace { position += 1 }
            return String(String.UnicodeScalarView(text[start..<position]))
        }

        /// The quoted text from the `"` here to the closing one, `\"` and `\\` unescaped.
        private mutating func quotedValue() throws(SearchQueryError) -> String {
            let opening = position
            position += 1
            var value = String.UnicodeScalarView()
            while position < text.count {
                let scalar = text[position]
                position += 1
                if scalar == "\"" { return String(value) }
                if scalar == "\\", position < text.count, text[position] == "\"" || text[position] == "\\" {
                    value.append(text[position])
                    position += 1
                } else {
                    value.append(scalar)
                }
            }
            throw SearchQueryError("the quote opened at character \(opening + 1) is never closed")
        }
    }
}

/// Why a search query cannot be parsed, in words a user can act on.
public struct SearchQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
