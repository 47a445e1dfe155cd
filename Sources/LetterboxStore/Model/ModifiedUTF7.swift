/// IMAP's modified UTF-7 for mailbox names (RFC 3501 §5.1.3): printable US-ASCII stands for
/// itself except `&`, which is `&-`; any other run of characters is `&`, its UTF-16 code units
/// in modified base64 (`,` for `/`, no padding), then `-`. So "Entwürfe" is `Entw&APw-rfe` on
/// the wire. IMAP keeps mailbox names in this form; HTTP shows and takes them in UTF-8.
package enum ModifiedUTF7 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    /// `name` (UTF-8) in modified UTF-7.
    package static func encode(_ name: String) -> String {
        var output: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for unit in pending { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
            output.append(UInt8(ascii: "&"))
            var index = 0
            while index < bytes.count {
                let chunk = bytes[index..<min(index + 3, bytes.count)]
                let value = chunk.enumerated().reduce(UInt32(0)) {
                    $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset))
                }
                for position in 0..<(chunk.count + 1) {
                    output.append(alphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3F)])
                }
                index += 3
            }
            output.append(UInt8(ascii: "-"))
            pending.removeAll()
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                output.append(UInt8(scalar.value))
                if scalar == "&" { output.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return String(decoding: output, as: UTF8.self)
    }

    /// `name` from modified UTF-7 to UTF-8; nil when it is not valid modified UTF-7 (a stray
    /// `&`, a bad base64 run, a lone surrogate), in which case callers show it as it is.
    package static func decode(_ name: String) -> String? {
        guard name.utf8.contains(UInt8(ascii: "&")) else { return name }
        var output = ""
        var bytes = Array(name.utf8)[...]
        while let first = bytes.first {
            bytes = bytes.dropFirst()
            guard first == UInt8(ascii: "&") else {
                guard first >= 0x20 && first <= 0x7E else { return nil }
                output.unicodeScalars.append(Unicode.Scalar(first))
                continue
            }
            guard let end = bytes.firstIndex(of: UInt8(ascii: "-")) else { return nil }
            let run = bytes[bytes.startIndex..<end]
            bytes = bytes[(end + 1)...]
            if run.isEmpty {
                output += "&"
                continue
            }
            var decoded: [UInt8] = []
            var accumulator: UInt32 = 0
            var bits = 0
            for byte in run {
                guard let value = alphabet.firstIndex(of: byte) else { return nil }
                accumulator = accumulator << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    decoded.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
                }
            }
            guard decoded.count % 2 == 0, !decoded.isEmpty else { return nil }
            let units = stride(from: 0, to: decoded.count, by: 2).map {
                UInt16(decoded[$0]) << 8 | UInt16(decoded[$0 + 1])
            }
            // RFC 3501 §5.1.3: printable US-ASCII represents itself; encoded, it is not this form.
            guard !units.contains(where: { (0x20...0x7E).contains($0) }) else { return nil }
            var text = ""
            var iterator = units.makeIterator()
            var codec = UTF16()
            decoding: while true {
                switch codec.decode(&iterator) {
                case .scalarValue(let scalar): text.unicodeScalars.append(scalar)
                case .emptyInput: break decoding
                case .error: return nil
                }
            }
            output += text
        }
        return output
    }
}
