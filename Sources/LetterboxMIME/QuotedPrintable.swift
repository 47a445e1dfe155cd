/// Quoted-printable decoding over bytes (RFC 2045 §6.7).
enum QuotedPrintable {
    /// Decodes a quoted-printable body.
    ///
    /// - `=XX` with two hex digits (either case, RFC 2045 §6.7 note 1) becomes the byte.
    /// - `=` followed by optional spaces or tabs and a line break is a soft line break: removed.
    /// - Any other `=` is kept literally, as the RFC advises for robustness.
    /// - Spaces and tabs at the end of a line are transport padding (rule 3): removed.
    /// - Line breaks (CRLF or bare LF) are kept as they are.
    static func decode(_ input: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(input)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "="):
                if index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
                    let low = hexValue(bytes[index + 2])
                {
                    output.append(high << 4 | low)
                    index += 3
                } else if let next = softBreakEnd(bytes, after: index) {
                    index = next
                } else {
                    output.append(byte)
                    index += 1
                }
            case 0x20, 0x09:
                // Trailing whitespace before a line break (or the end) is padding.
                var end = index
                while end < bytes.count, bytes[end] == 0x20 || bytes[end] == 0x09 { end += 1 }
                if !isLineBreak(bytes, at: end) { output.append(contentsOf: bytes[index..<end]) }
                index = end
            default:
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// If `=` at `index` starts a soft line break (or ends the input), the index after it.
    private static func softBreakEnd(_ bytes: [UInt8], after index: Int) -> Int? {
        var cursor = index + 1
        while cursor < bytes.count, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 { cursor += 1 }
        if cursor == bytes.count { return cursor }
        if bytes[cursor] == 0x0A { return cursor + 1 }
        if bytes[cursor] == 0x0D, cursor + 1 < bytes.count, bytes[cursor + 1] == 0x0A { return cursor + 2 }
        return nil
    }

    private static func isLineBreak(_ bytes: [UInt8], at index: Int) -> Bool {
        if index == bytes.count { return true }
        if bytes[index] == 0x0A { return true }
        return bytes[index] == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
