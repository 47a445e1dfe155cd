/// Parsing of the `; name=value` parameters of Content-Type and Content-Disposition
/// (RFC 2045 §5.1, RFC 2183 §2), with RFC 2231 continuations and charsets.
enum HeaderParameters {
    /// Splits `value` at its first `;` into the leading token and the parameters, in the order
    /// they first appear. Parameter names are lowercased; values are unquoted and RFC 2231-decoded.
    static func split(_ value: String) -> (head: String, parameters: [HeaderParameter]) {
        // Every delimiter is ASCII, so the UTF-8 bytes can be scanned directly; text between
        // delimiters is copied whole, multi-byte characters included.
        let bytes = Array(value.utf8)
        var index = 0
        var head: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: ";") {
            if bytes[index] == UInt8(ascii: "(") {
                index = skipComment(bytes, from: index)
                continue
            }
            head.append(bytes[index])
            index += 1
        }
        let raw = rawParameters(bytes, from: index)
        return (text(trimmed(head[...])), raw.isEmpty ? [] : assemble(raw))
    }

    /// One `name=value` as written.
    struct RawParameter {
        var name: String
        var value: String
    }

    /// Reads `; name=value` pairs leniently: quoted-strings may hold `;`, unquoted values run to
    /// the next `;` (spaces included, as sloppy mailers write file names), empty names skipped.
    static func rawParameters(_ bytes: [UInt8], from start: Int) -> [RawParameter] {
        var parameters: [RawParameter] = []
        var index = start
        while index < bytes.count {
            // Skip separators and whitespace.
            while index < bytes.count, bytes[index] == UInt8(ascii: ";") || isWhitespace(bytes[index]) { index += 1 }
            if index < bytes.count, bytes[index] == UInt8(ascii: "(") {
                index = skipComment(bytes, from: index)
                continue
            }
            let nameStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: ";") {
                index += 1
            }
            let name = bytes[nameStart..<index]
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            while index < bytes.count, isWhitespace(bytes[index]) { index += 1 }
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                    value.append(bytes[index])
                    index += 1
                }
                index += 1
                // Anything between the closing quote and the next ";" is ignored.
                while index < bytes.count, bytes[index] != UInt8(ascii: ";") { index += 1 }
            } else {
                let valueStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: ";") { index += 1 }
                value = Array(withoutTrailingComment(trimmed(bytes[valueStart..<index])))
            }
            let key = text(trimmed(name)).lowercased()
            if !key.isEmpty { parameters.append(RawParameter(name: key, value: text(value[...]))) }
        }
        return parameters
    }

    /// Joins RFC 2231 continuations (`name*0`, `name*1*`…) and decodes extended values
    /// (`charset'language'percent-encoded`, §4). An RFC 2231 form wins over a plain one of the
    /// same name; otherwise the first occurrence wins. Names keep the order they first appear in.
    static func assemble(_ raw: [RawParameter]) -> [HeaderParameter] {
        var plain: [String: String] = [:]
        var order: [String] = []
        var named: Set<String> = []
        var sections: [String: [(number: Int, extended: Bool, value: String)]] = [:]
        for parameter in raw {
            guard let star = parameter.name.firstIndex(of: "*") else {
                if plain[parameter.name] == nil { plain[parameter.name] = parameter.value }
                if named.insert(parameter.name).inserted { order.append(parameter.name) }
                continue
            }
            let base = String(parameter.name[..<star])
            if named.insert(base).inserted { order.append(base) }
            var rest = parameter.name[parameter.name.index(after: star)...]
            let extended = rest.hasSuffix("*") || rest.isEmpty
            if rest.hasSuffix("*") { rest = rest.dropLast() }
            let number = rest.isEmpty ? 0 : Int(rest)
            guard let number, number >= 0, !base.isEmpty else { continue }
            sections[base, default: []].append((number, extended, parameter.value))
        }
        var result = plain
        for (base, parts) in sections {
            let ordered = parts.sorted { $0.number < $1.number }
            var bytes: [UInt8] = []
            var charset: String?
            var seen: Set<Int> = []
            for part in ordered where seen.insert(part.number).inserted {
                guard part.extended else {
                    bytes.append(contentsOf: part.value.utf8)
                    continue
                }
                var value = Substring(part.value)
                if part.number == 0 {
                    // charset'language'value; both may be empty, the quotes must be there.
                    let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                    if pieces.count == 3 {
                        charset = pieces[0].isEmpty ? nil : String(pieces[0])
                        value = pieces[2]
                    }
                }
                bytes.append(contentsOf: percentDecoded(value))
            }
            result[base] = Charset.decode(bytes, charset: charset ?? "utf-8")
        }
        return order.compactMap { name in result[name].map { HeaderParameter(name: name, value: $0) } }
    }

    /// `us-ascii (Plain text)` → `us-ascii` (RFC 2045 §5.1's own example). Only a comment
    /// that ends the value and follows whitespace counts, so `photo (1).jpg` stays whole.
    private static func withoutTrailingComment(_ value: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard value.last == UInt8(ascii: ")") else { return value }
        var depth = 0
        var index = value.endIndex - 1
        while index >= value.startIndex {
            if value[index] == UInt8(ascii: ")") { depth += 1 }
            if value[index] == UInt8(ascii: "(") {
                depth -= 1
                if depth == 0 { break }
            }
            index -= 1
        }
        guard index > value.startIndex, isWhitespace(value[index - 1]) else { return value }
        return trimmed(value[value.startIndex..<index])
    }

    /// The bytes without leading and trailing spaces, tabs, CR and LF.
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    /// UTF-8 bytes as text (they came from a String, so they are valid unless cut mid-character,
    /// which the ASCII delimiters never do).
    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private static func percentDecoded(_ value: Substring) -> [UInt8] {
        let utf8 = Array(value.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
                let high = QuotedPrintable.hexValue(utf8[index + 1]),
                let low = QuotedPrintable.hexValue(utf8[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(utf8[index])
                index += 1
            }
        }
        return output
    }

    private static func skipComment(_ bytes: [UInt8], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 1
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return index + 1 }
            default: break
            }
            index += 1
        }
        return bytes.count
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
