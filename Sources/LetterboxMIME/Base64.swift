/// Base64 decoding over bytes (RFC 2045 §6.8).
enum Base64 {
    /// Decodes a body leniently: characters outside the alphabet (line breaks, spaces, junk) are
    /// skipped, as RFC 2045 §6.8 asks; missing padding is tolerated; a `=` ends a quantum, and
    /// decoding resumes after it so that concatenated encodings still decode.
    static func decode(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var decoder = Decoder()
        for byte in bytes {
            if byte == UInt8(ascii: "=") {
                decoder.flush()
            } else if let value = sextet(byte) {
                decoder.append(value)
            }
        }
        decoder.flush()
        return decoder.output
    }

    /// Decodes strictly enough to tell text that is not Base64 apart (for RFC 2047 encoded words):
    /// returns nil on any byte outside the alphabet, padding and whitespace.
    static func decodeStrict(_ bytes: some Sequence<UInt8>) -> [UInt8]? {
        var decoder = Decoder()
        for byte in bytes {
            if byte == UInt8(ascii: "=") {
                decoder.flush()
            } else if let value = sextet(byte) {
                decoder.append(value)
            } else if byte != 0x20, byte != 0x09, byte != 0x0D, byte != 0x0A {
                return nil
            }
        }
        decoder.flush()
        return decoder.output
    }

    private struct Decoder {
        var output: [UInt8] = []
        private var accumulator: UInt32 = 0
        private var count = 0

        mutating func append(_ value: UInt8) {
            accumulator = accumulator << 6 | UInt32(value)
            count += 1
            if count == 4 {
                output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                output.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                count = 0
            }
        }

        /// Emits what a partial quantum holds: 2 sextets make 1 byte, 3 make 2; 1 makes none.
        mutating func flush() {
            switch count {
            case 2:
                output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
            case 3:
                output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
                output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
            default:
                break
            }
            accumulator = 0
            count = 0
        }
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
