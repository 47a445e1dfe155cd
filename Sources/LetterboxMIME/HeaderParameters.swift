/// Parsing of the `; name=value` parameters of Content-Type and Content-Disposition
/// (RFC 2045 §5.1, RFC 2183 §2), with RFC 2231 continuations and charsets.
enum HeaderParameters {
    /// Splits `value` at its first `;` into the leading token and the parameters. Parameter
    /// names are lowercased; values are unquoted and RFC 2231-decoded.
    static func split(_ value: String) -> (head: String, parameters: [String: String]) {
        let scalars = Array(value.unicodeScalars)
        var index = 0
        var head = String.UnicodeScalarView()
        while index < scalars.count, scalars[index] != ";" {
            if scalars[index] == "(" {
                index = skipComment(scalars, from: index)
                continue
            }
            head.append(scalars[index])
            index += 1
        }
        let raw = rawParameters(scalars, from: index)
        return (String(head).trimmingWhitespace(), assemble(raw))
    }

    /// One `name=value` as written.
    struct RawParameter {
        var name: String
        var value: String
    }

    /// Reads `; name=value` pairs leniently: quoted-strings may hold `;`, unquoted values run to
    /// the next `;` (spaces included, as sloppy mailers write file names), empty names skipped.
    static func rawParameters(_ scalars: [Unicode.Scalar], from start: Int) -> [RawParameter] {
        var parameters: [RawParameter] = []
        var index = start
        while index < scalars.count {
            // Skip separators and whitespace.
            while index < scalars.count, scalars[index] == ";" || isWhitespace(scalars[index]) { index += 1 }
            if index < scalars.count, scalars[index] == "(" {
                index = skipComment(scalars, from: index)
                continue
            }
            var name = String.UnicodeScalarView()
            while index < scalars.count, scalars[index] != "=", scalars[index] != ";" {
                name.append(scalars[index])
                index += 1
            }
            guard index < scalars.count, scalars[index] == "=" else { continue }
            index += 1
            while index < scalars.count, isWhitespace(scalars[index]) { index += 1 }
            var value = String.UnicodeScalarView()
            if index < scalars.count, scalars[index] == "\"" {
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    value.append(scalars[index])
                    index += 1
                }
                index += 1
                // Anything between the closing quote and the next ";" is ignored.
                while index < scalars.count, scalars[index] != ";" { index += 1 }
            } else {
                while index < scalars.count, scalars[index] != ";" {
                    value.append(scalars[index])
                    index += 1
                }
                value = withoutTrailingComment(String(value).trimmingWhitespace()).unicodeScalars
            }
            let key = String(name).trimmingWhitespace().lowercased()
            if !key.isEmpty { parameters.append(RawParameter(name: key, value: String(value))) }
        }
        return parameters
    }

    /// Joins RFC 2231 continuations (`name*0`, `name*1*`…) and decodes extended values
    /// (`charset'language'percent-encoded`, §4). An RFC 2231 form wins over a plain one of the
    /// same name; otherwise the first occurrence wins.
    static func assemble(_ raw: [RawParameter]) -> [String: String] {
        var plain: [String: String] = [:]
        var sections: [String: [(number: Int, extended: Bool, value: String)]] = [:]
        for parameter in raw {
            guard let star = parameter.name.firstIndex(of: "*") else {
                if plain[parameter.name] == nil { plain[parameter.name] = parameter.value }
                continue
            }
            let base = String(parameter.name[..<star])
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
        return result
    }

    /// `us-ascii (Plain text)` → `us-ascii` (RFC 2045 §5.1's own example). Only a comment
    /// that ends the value and follows whitespace counts, so `photo (1).jpg` stays whole.
    private static func withoutTrailingComment(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        guard scalars.last == ")" else { return value }
        var depth = 0
        var index = scalars.count - 1
        while index >= 0 {
            if scalars[index] == ")" { depth += 1 }
            if scalars[index] == "(" {
                depth -= 1
                if depth == 0 { break }
            }
            index -= 1
        }
        guard index > 0, isWhitespace(scalars[index - 1]) else { return value }
        return String(String.UnicodeScalarView(scalars[..<index])).trimmingWhitespace()
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

    private static func skipComment(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < scalars.count {
            switch scalars[index] {
            case "\\": index += 1
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth == 0 { return index + 1 }
            default: break
            }
            index += 1
        }
        return scalars.count
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n"
    }
}
