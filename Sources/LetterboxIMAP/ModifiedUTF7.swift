/// IMAP's modified UTF-7 for mailbox names (RFC 3501 §5.1.3): printable ASCII stands for itself
/// (`&` written `&-`); anything else is UTF-16BE in base64 with `,` for `/` and no padding,
/// between `&` and `-`. A client that enabled UTF8=ACCEPT (RFC 6855 §3) uses UTF-8 instead.
enum ModifiedUTF7 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    /// `name` in modified UTF-7.
    static func encode(_ name: String) -> String {
        var out: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            let bytes = pending.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            out.append(UInt8(ascii: "&"))
            var index = 0
            while index < bytes.count {
                let chunk = bytes[index..<min(index + 3, bytes.count)]
                let value = chunk.enumerated().reduce(0) { $0 | (Int($1.element) << (16 - 8 * $1.offset)) }
                for sextet in 0..<(chunk.count + 1) { out.append(alphabet[(value >> (18 - 6 * sextet)) & 0x3F]) }
                index += 3
            }
            out.append(UInt8(ascii: "-"))
            pending = []
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                out.append(UInt8(scalar.value))
                if scalar == "&" { out.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return String(decoding: out, as: UTF8.self)
    }

    /// `name` decoded from modified UTF-7; a name that is not valid modified UTF-7 comes back as
    /// it is (it was never encoded).
    static func decode(_ name: String) -> String {
        let bytes = Array(name.utf8)
        guard bytes.contains(UInt8(ascii: "&")) else { return name }
        var out = ""
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "&") else {
                guard byte >= 0x20 && byte <= 0x7E else { return name }
                out.unicodeScalars.append(Unicode.Scalar(byte))
                index += 1
                continue
            }
            guard let end = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "-")) else { return name }
            if end == index + 1 {
                out += "&"
            } else {
                guard let decoded = utf16(bytes[(index + 1)..<end]) else { return name }
                out += decoded
            }
            index = end + 1
        }
        return out
    }

    /// The text of a base64 run (modified alphabet, no padding) holding UTF-16BE; nil when invalid.
    private static func utf16(_ run: ArraySlice<UInt8>) -> String? {
        var bits = 0
        var count = 0
        var octets: [UInt8] = []
        for byte in run {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            bits = (bits << 6) | value
            count += 6
            if count >= 8 {
                count -= 8
                octets.append(UInt8((bits >> count) & 0xFF))
            }
        }
        guard octets.count % 2 == 0, !octets.isEmpty else { return nil }
        let units = stride(from: 0, to: octets.count, by: 2).map { UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]) }
        var text = ""
        var iterator = units.makeIterator()
        var decoder = UTF16()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                // RFC 3501 §5.1.3: printable ASCII must not be encoded.
                guard scalar.value < 0x20 || scalar.value > 0x7E else { return nil }
                text.unicodeScalars.append(scalar)
            case .emptyInput: return text
            case .error: return nil
            }
        }
    }
}
