/// A JSON value with a compact, stable encoding (RFC 8259): object keys keep the order given.
///
/// Written by hand rather than with `JSONEncoder` so that key order is fixed and nothing is
/// escaped that need not be (`/` stays `/`).
package enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSONValue])
    /// Members in the order they are encoded.
    case object([(key: String, value: JSONValue)])

    /// A string, or `null` when `text` is nil.
    package static func stringOrNull(_ text: String?) -> JSONValue {
        text.map { .string($0) } ?? .null
    }

    /// The UTF-8 encoding, without insignificant whitespace.
    package func encoded() -> [UInt8] {
        var output: [UInt8] = []
        encode(into: &output)
        return output
    }

    /// Appends the UTF-8 encoding to `output`.
    package func encode(into output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value):
            output.append(contentsOf: String(value).utf8)
        case .string(let value):
            Self.encode(string: value, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.encode(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.encode(string: member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                member.value.encode(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// A quoted string: `"` and `\` escaped, control characters as `\n`, `\t`… or `\u00XX`
    /// (RFC 8259 §7). Other UTF-8 passes through unchanged (Swift strings are valid Unicode).
    private static func encode(string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            // Runs of bytes that need no escape (nearly all of them) are appended whole.
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                appendEscape(of: byte, to: &output)
                start = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// The escape of a quote, a backslash or a control character.
    private static func appendEscape(of byte: UInt8, to output: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
        case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        case 0x08: output += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
        case 0x0C: output += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
        default:
            let hex = Array("0123456789abcdef".utf8)
            output += "\\u00".utf8
            output.append(hex[Int(byte >> 4)])
            output.append(hex[Int(byte & 0x0F)])
        }
    }
}

extension JSONValue: CustomStringConvertible {
    /// The encoding as a string.
    package var description: String { String(decoding: encoded(), as: UTF8.self) }
}
