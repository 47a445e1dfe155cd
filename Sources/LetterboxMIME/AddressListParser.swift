import LetterboxText

/// A lenient recursive-descent parser for RFC 5322 §3.4 `address-list`, over lexical tokens.
///
/// Grammar (with the obsolete forms of §4.4 tolerated):
///
///     address-list = address *("," address)
///     address      = mailbox / group
///     group        = display-name ":" [mailbox-list] ";"
///     mailbox      = name-addr / addr-spec
///     name-addr    = [display-name] "<" [obs-route] addr-spec ">"
///
/// Each step consumes at least one token, so the parser always ends.
struct AddressListParser {
    /// One element of a parsed list, in order: a mailbox, or the start or end of a group.
    enum Item: Equatable {
        /// A mailbox; `phrase` is its display name as written (quotes removed, encoded words kept).
        case mailbox(phrase: String?, address: String)
        /// `display-name ":"` opening a group.
        case groupStart(phrase: String)
        /// The `;` closing a group (also emitted when the list ends inside one).
        case groupEnd
    }

    private let tokens: [Token]
    /// The comments, each with the number of tokens before it (see ``commentName(from:to:)``).
    private let comments: [(after: Int, text: String)]
    private let namesFromComments: Bool
    private var index = 0

    /// With `namesFromComments`, a bare addr-spec takes its comment as display name (IMAP's
    /// ENVELOPE, as Dovecot builds it); without, comments are ignored (as Python's `email` with
    /// the default policy does).
    init(_ value: String, namesFromComments: Bool = false) {
        (tokens, comments) = Tokenizer.tokensAndComments(in: Array(value.unicodeScalars))
        self.namesFromComments = namesFromComments
    }

    /// The mailboxes with their names decoded, groups flattened into their members.
    mutating func parseList() -> [MailAddress] {
        parseItems().compactMap { item in
            guard case .mailbox(let phrase, let address) = item else { return nil }
            return MailAddress(name: phrase.map(Self.decodedName), address: address)
        }
    }

    /// Every mailbox and group boundary, names as written.
    mutating func parseItems() -> [Item] {
        var result: [Item] = []
        while index < tokens.count { parseAddress(into: &result, inGroup: false) }
        return result
    }

    /// Parses one mailbox or group and consumes the comma after it. Inside a group it stops at
    /// the `;` that closes the group without consuming it.
    private mutating func parseAddress(into result: inout [Item], inGroup: Bool) {
        let start = index
        var phrase: [Token] = []
        while index < tokens.count {
            let token = tokens[index]
            guard token.kind == .special else {
                phrase.append(token)
                index += 1
                continue
            }
            switch token.text {
            case ",":
                index += 1
                appendAddrSpec(phrase, from: start, to: &result)
                return
            case ";":
                if !inGroup { index += 1 }
                appendAddrSpec(phrase, from: start, to: &result)
                return
            case "<":
                index += 1
                let address = parseAngleAddr()
                skipToEndOfAddress(inGroup: inGroup)
                // "<>" is kept only when named (a bounce's `MAILER-DAEMON <>`).
                let name = Self.phrase(phrase)
                if !address.isEmpty || name != nil { result.append(.mailbox(phrase: name, address: address)) }
                return
            case ">":
                index += 1  // stray: nothing to close
            case ":" where !inGroup:
                // A group (RFC 5322 §3.4): its name, then its members.
                index += 1
                result.append(.groupStart(phrase: Self.phrase(phrase) ?? ""))
                while index < tokens.count, !tokens[index].isSpecial(";") {
                    parseAddress(into: &result, inGroup: true)
                }
                result.append(.groupEnd)
                if index < tokens.count { index += 1 }
                skipToEndOfAddress(inGroup: false)
                return
            default:
                phrase.append(token)
                index += 1
            }
        }
        appendAddrSpec(phrase, from: start, to: &result)
    }

    /// Reads the addr-spec inside `<...>` (the `<` is consumed), dropping an obs-route
    /// (`<@relay1,@relay2:user@host>`, RFC 5322 §4.4). Stops at `>` or the end; stops early at a
    /// comma when an address is already complete, in case the `>` is missing.
    private mutating func parseAngleAddr() -> String {
        var parts: [Token] = []
        while index < tokens.count {
            let token = tokens[index]
            if token.isSpecial(">") {
                index += 1
                break
            }
            if token.isSpecial(",") && parts.contains(where: { $0.isSpecial("@") })
                && !parts.contains(where: { $0.isSpecial(":") })
            {
                break
            }
            if token.isSpecial(":") {
                parts.removeAll()
            } else {
                parts.append(token)
            }
            index += 1
        }
        return Self.addrSpec(parts)
    }

    /// Skips whatever follows an address up to and including the comma (or up to a group's `;`).
    private mutating func skipToEndOfAddress(inGroup: Bool) {
        while index < tokens.count {
            let token = tokens[index]
            if token.isSpecial(",") {
                index += 1
                return
            }
            if token.isSpecial(";") {
                if !inGroup { index += 1 }
                return
            }
            index += 1
        }
    }

    /// A bare addr-spec (no `<…>`), named by its last comment when asked to: the RFC 822 form
    /// `user@example.org (Real Name)` (RFC 5322 §3.4 keeps comments out of the address; Dovecot,
    /// Python's `email.utils` and most clients take such a comment as the display name).
    private func appendAddrSpec(_ tokens: [Token], from start: Int, to result: inout [Item]) {
        let address = Self.addrSpec(tokens)
        if !address.isEmpty { result.append(.mailbox(phrase: commentName(from: start, to: index), address: address)) }
    }

    /// The last comment after the first token at `start` and before the token at `end` (a
    /// comment before the address names nothing, as in Dovecot); nil when there is none or it is
    /// empty. Nested comments keep their parentheses; quoted pairs lose their backslash.
    private func commentName(from start: Int, to end: Int) -> String? {
        guard namesFromComments, let last = comments.last(where: { $0.after > start && $0.after <= end }) else {
            return nil
        }
        let name = last.text.trimmingWhitespace()
        return name.isEmpty ? nil : name
    }

    /// An addr-spec from its tokens: CFWS between them dropped (RFC 5322 §3.4.1), a quoted local
    /// part re-quoted only if it needs it. Without an `@`, the words keep their spacing.
    private static func addrSpec(_ tokens: [Token]) -> String {
        let hasAt = tokens.contains { $0.isSpecial("@") }
        var text = ""
        for (offset, token) in tokens.enumerated() {
            if !hasAt, offset > 0, token.spaceBefore { text += " " }
            if token.kind == .quoted {
                text +=
                    token.text.unicodeScalars.allSatisfy(Tokenizer.isAtext) && !token.text.isEmpty
                    ? token.text : Tokenizer.quote(token.text)
            } else {
                text += token.text
            }
        }
        return text
    }

    /// A display name from phrase tokens: words joined as written (one space where there was
    /// whitespace or a comment), quotes removed, encoded words kept; nil when empty.
    private static func phrase(_ tokens: [Token]) -> String? {
        var text = ""
        for (offset, token) in tokens.enumerated() {
            if offset > 0, token.spaceBefore { text += " " }
            text += token.text
        }
        let name = text.trimmingWhitespace()
        return name.isEmpty ? nil : name
    }

    /// A phrase with its encoded words decoded (RFC 2047 §5 (3)).
    static func decodedName(_ phrase: String) -> String {
        EncodedWords.decode(phrase).trimmingWhitespace()
    }
}

extension AddressListParser {
    /// A lexical token of RFC 5322 §3.2 structured header text.
    struct Token {
        enum Kind: Equatable {
            /// An atom, dot-atom piece, encoded word or domain literal.
            case atom
            /// A quoted-string; `text` holds its content, unescaped.
            case quoted
            /// One of `< > : ; @ , .`.
            case special
        }

        var kind: Kind
        var text: String
        /// Whether whitespace or a comment came before it (phrases keep one space there).
        var spaceBefore: Bool

        func isSpecial(_ character: String) -> Bool { kind == .special && text == character }
    }

    enum Tokenizer {
        /// The tokens, and the comments between them with the number of tokens before each.
        static func tokensAndComments(in scalars: [Unicode.Scalar]) -> (
            tokens: [Token], comments: [(after: Int, text: String)]
        ) {
            var tokens: [Token] = []
            var comments: [(after: Int, text: String)] = []
            var index = 0
            var spaceBefore = false
            while index < scalars.count {
                let scalar = scalars[index]
                switch scalar {
                case " ", "\t", "\r", "\n":
                    spaceBefore = true
                    index += 1
                case "(":
                    let (text, end) = comment(scalars, from: index)
                    comments.append((tokens.count, text))
                    index = end
                    spaceBefore = true
                case "\"":
                    let (text, end) = quotedString(scalars, from: index)
                    tokens.append(Token(kind: .quoted, text: text, spaceBefore: spaceBefore))
                    index = end
                    spaceBefore = false
                case "<", ">", ":", ";", "@", ",", ".":
                    tokens.append(Token(kind: .special, text: String(scalar), spaceBefore: spaceBefore))
                    index += 1
                    spaceBefore = false
                case "[":
                    // A domain literal (RFC 5322 §3.4.1), kept whole with its brackets.
                    var end = index + 1
                    while end < scalars.count, scalars[end] != "]" { end += 1 }
                    end = min(end + 1, scalars.count)
                    tokens.append(Token(kind: .atom, text: string(scalars[index..<end]), spaceBefore: spaceBefore))
                    index = end
                    spaceBefore = false
                default:
                    // An encoded word may hold characters that are specials elsewhere (a sloppy
                    // encoder's "." or ","), so take it whole when it is one.
                    var end = encodedWordEnd(scalars, from: index) ?? index
                    while end < scalars.count, isAtomScalar(scalars[end]) { end += 1 }
                    if end == index { end += 1 }  // a stray ")", "]" or "\": keep as text
                    tokens.append(Token(kind: .atom, text: string(scalars[index..<end]), spaceBefore: spaceBefore))
                    index = end
                    spaceBefore = false
                }
            }
            return (tokens, comments)
        }

        /// Reads a comment, nested comments and quoted pairs included; returns its text (without
        /// the outer parentheses, quoted pairs unescaped) and the index after it. An unterminated
        /// comment runs to the end.
        private static func comment(_ scalars: [Unicode.Scalar], from start: Int) -> (String, Int) {
            var text = String.UnicodeScalarView()
            var depth = 0
            var index = start
            while index < scalars.count {
                let scalar = scalars[index]
                switch scalar {
                case "\\":
                    index += 1
                    if index < scalars.count { text.append(scalars[index]) }
                case "(":
                    if depth > 0 { text.append(scalar) }
                    depth += 1
                case ")":
                    depth -= 1
                    if depth == 0 { return (String(text), index + 1) }
                    text.append(scalar)
                case "\r", "\n": break
                default: text.append(scalar)
                }
                index += 1
            }
            return (String(text), scalars.count)
        }

        /// Reads a quoted-string; returns its unescaped content and the index after it. An
        /// unterminated string runs to the end.
        private static func quotedString(_ scalars: [Unicode.Scalar], from start: Int) -> (String, Int) {
            var text = String.UnicodeScalarView()
            var index = start + 1
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "\"" { return (String(text), index + 1) }
                if scalar == "\\", index + 1 < scalars.count {
                    index += 1
                    text.append(scalars[index])
                } else if scalar != "\r" && scalar != "\n" {
                    text.append(scalar)
                }
                index += 1
            }
            return (String(text), scalars.count)
        }

        /// If an encoded word (`=?charset?X?text?=`, no whitespace) starts at `start`, its end.
        private static func encodedWordEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
            guard start + 1 < scalars.count, scalars[start] == "=", scalars[start + 1] == "?" else { return nil }
            var questionMarks = 0
            var index = start + 2
            while index < scalars.count, index - start < 256 {
                let scalar = scalars[index]
                if scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n" { return nil }
                if scalar == "?" {
                    questionMarks += 1
                    if questionMarks >= 3, index + 1 < scalars.count, scalars[index + 1] == "=" { return index + 2 }
                }
                index += 1
            }
            return nil
        }

        /// Characters of an atom: anything but whitespace, controls and specials (RFC 5322
        /// §3.2.3), with UTF-8 allowed (RFC 6532 §3.2).
        static func isAtomScalar(_ scalar: Unicode.Scalar) -> Bool {
            if scalar.value >= 0x80 { return true }
            return isAtext(scalar)
        }

        /// RFC 5322 `atext`, plus non-ASCII (RFC 6532).
        static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9": return true
            case "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~":
                return true
            default: return scalar.value >= 0x80
            }
        }

        static func quote(_ text: String) -> String {
            var quoted = "\""
            for scalar in text.unicodeScalars {
                if scalar == "\\" || scalar == "\"" { quoted.unicodeScalars.append("\\") }
                quoted.unicodeScalars.append(scalar)
            }
            return quoted + "\""
        }

        private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
            // Encoded into UTF-8 octets, then one String: appending scalar by scalar to a
            // UnicodeScalarView was most of the parse (a message's entry in /events parses its
            // From, To and Cc for every captured message).
            var bytes: [UInt8] = []
            bytes.reserveCapacity(scalars.count)
            for scalar in scalars {
                if scalar.isASCII {
                    bytes.append(UInt8(truncatingIfNeeded: scalar.value))
                } else {
                    UTF8.encode(scalar) { bytes.append($0) }
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
