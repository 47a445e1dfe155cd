/// Decoding of RFC 2047 encoded words (`=?charset?B?...?=`, `=?charset?Q?...?=`) in header text.
package enum EncodedWords {
    /// Decodes every encoded word in `value` and returns the text a person reads.
    ///
    /// - The charset and encoding letter are case-insensitive; an RFC 2231 §5 language suffix
    ///   (`=?utf-8*en?Q?...?=`) is ignored.
    /// - Whitespace between two adjacent encoded words is dropped (RFC 2047 §6.2); words of the
    ///   same charset are joined as bytes first, so a character split across words survives.
    /// - In Q encoding `_` is a space and `=XX` a byte (§4.2).
    /// - A malformed word (bad Base64, unknown encoding letter, no `?=`) is left as written.
    /// - An unknown charset decodes as UTF-8 when valid, else ISO-8859-1. Never fails.
    package static func decode(_ value: String) -> String {
        let bytes = Array(value.utf8)
        guard bytes.count >= 8, containsWordStart(bytes) else { return value }

        var output = ""
        var pending: (charset: String, bytes: [UInt8])?
        var textStart = 0
        var afterWord = false
        var index = 0

        func flushPending() {
            if let word = pending { output += Charset.decode(word.bytes, charset: word.charset) }
            pending = nil
        }

        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "="), let word = word(in: bytes, at: index) else {
                index += 1
                continue
            }
            let between = bytes[textStart..<index]
            if !(afterWord && between.allSatisfy(isLinearWhitespace)) {
                flushPending()
                output += String(decoding: between, as: UTF8.self)
            }
            if let current = pending, Self.sameCharset(current.charset, word.charset) {
                pending?.bytes.append(contentsOf: word.bytes)
            } else {
                flushPending()
                pending = (word.charset, word.bytes)
            }
            index = word.end
            textStart = index
            afterWord = true
        }
        flushPending()
        output += String(decoding: bytes[textStart...], as: UTF8.self)
        return output
    }

    /// One decoded encoded word.
    struct Word {
        var charset: String
        var bytes: [UInt8]
        /// The index just after the closing `?=`.
        var end: Int
    }

    /// Parses the encoded word starting at `start` (which holds `=`), or nil if there is none.
    static func word(in bytes: [UInt8], at start: Int) -> Word? {
        guard start + 1 < bytes.count, bytes[start] == UInt8(ascii: "="), bytes[start + 1] == UInt8(ascii: "?")
        else { return nil }
        // charset: a token up to the next "?" (RFC 2047 §2), at most a sane length.
        var cursor = start + 2
        while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "?") {
            let byte = bytes[cursor]
            if byte <= 0x20 || byte >= 0x7F || cursor - start > 64 { return nil }
            cursor += 1
        }
        guard cursor > start + 2, cursor + 2 < bytes.count, bytes[cursor + 2] == UInt8(ascii: "?") else { return nil }
        var charset = String(decoding: bytes[(start + 2)..<cursor], as: UTF8.self)
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        let encoding = bytes[cursor + 1] | 0x20
        let textStart = cursor + 3
        // The text runs to the first "?=" (it may not contain "?", §2); line breaks end the search.
        var textEnd = textStart
        while textEnd + 1 < bytes.count {
            if bytes[textEnd] == UInt8(ascii: "?") {
                guard bytes[textEnd + 1] == UInt8(ascii: "=") else { return nil }
                break
            }
            if bytes[textEnd] == 0x0D || bytes[textEnd] == 0x0A { return nil }
            textEnd += 1
        }
        guard textEnd + 1 < bytes.count, bytes[textEnd] == UInt8(ascii: "?") else { return nil }
        let text = bytes[textStart..<textEnd]
        let decoded: [UInt8]
        switch encoding {
        case UInt8(ascii: "b"):
            guard let bytes = Base64.decodeStrict(text) else { return nil }
            decoded = bytes
        case UInt8(ascii: "q"):
            decoded = decodeQ(text)
        default:
            return nil
        }
        return Word(charset: charset, bytes: decoded, end: textEnd + 2)
    }

    /// The "Q" encoding (RFC 2047 §4.2): `_` is a space, `=XX` a byte; a stray `=` stays.
    private static func decodeQ(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "_") {
                output.append(0x20)
            } else if byte == UInt8(ascii: "="), index + 2 < text.endIndex,
                let high = QuotedPrintable.hexValue(text[index + 1]),
                let low = QuotedPrintable.hexValue(text[index + 2])
            {
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    private static func containsWordStart(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "="), bytes[index + 1] == UInt8(ascii: "?") { return true }
            index += 1
        }
        return false
    }

    private static func sameCharset(_ lhs: String, _ rhs: String) -> Bool {
        MessageHeaders.sameName(lhs, rhs)
    }

    private static func isLinearWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
