/// Base64 decoding over bytes (RFC 2045 §6.8).
enum Base64 {
    /// Decodes a body leniently: characters outside the alphabet (line breaks, spaces, junk) are
    /// skipped, as RFC 2045 §6.8 asks; missing padding is tolerated; a `=` ends a quantum, and
    /// decoding resumes after it so that concatenated encodings still decode.
    static func decode(_ bytes: some Collection<UInt8>) -> [UInt8] {
        if let output = bytes.withContiguousStorageIfAvailable({ decode(buffer: $0) }) { return output }
        return Array(bytes).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    /// Decodes strictly enough to tell text that is not Base64 apart (for RFC 2047 encoded words):
    /// returns nil on any byte outside the alphabet, padding and whitespace.
    static func decodeStrict(_ bytes: some Collection<UInt8>) -> [UInt8]? {
        for byte in bytes where table[Int(byte)] == invalid {
            guard byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A || byte == UInt8(ascii: "=") else {
                return nil
            }
        }
        return decode(bytes)
    }

    /// How many bytes ``decode(_:)`` would return, without decoding.
    static func decodedCount(_ bytes: some Collection<UInt8>) -> Int {
        var total = 0
        var run = 0
        func flush() {
            total += run / 4 * 3 + [0, 0, 1, 2][run % 4]
            run = 0
        }
        for byte in bytes {
            if table[Int(byte)] != invalid {
                run += 1
            } else if byte == UInt8(ascii: "=") {
                flush()
            }
        }
        flush()
        return total
    }

    /// The decoder proper. The fast path takes four alphabet bytes at a time straight from the
    /// input (the shape of every well-formed line); anything else goes through the slow path
    /// one byte at a time, with the same result.
    private static func decode(buffer input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let capacity = input.count / 4 * 3 + 3
        return [UInt8](unsafeUninitializedCapacity: capacity) { output, initialized in
            var out = 0
            var accumulator: UInt32 = 0
            var pending = 0
            var index = 0
            let count = input.count
            table.withUnsafeBufferPointer { table in
                while index < count {
                    if pending == 0, index + 4 <= count {
                        let a = table[Int(input[index])]
                        let b = table[Int(input[index + 1])]
                        let c = table[Int(input[index + 2])]
                        let d = table[Int(input[index + 3])]
                        if (a | b | c | d) & 0x80 == 0 {
                            let word = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                            output[out] = UInt8(truncatingIfNeeded: word >> 16)
                            output[out + 1] = UInt8(truncatingIfNeeded: word >> 8)
                            output[out + 2] = UInt8(truncatingIfNeeded: word)
                            out += 3
                            index += 4
                            continue
                        }
                    }
                    let byte = input[index]
                    index += 1
                    let value = table[Int(byte)]
                    if value & 0x80 == 0 {
                        accumulator = accumulator << 6 | UInt32(value)
                        pending += 1
                        if pending == 4 {
                            output[out] = UInt8(truncatingIfNeeded: accumulator >> 16)
                            output[out + 1] = UInt8(truncatingIfNeeded: accumulator >> 8)
                            output[out + 2] = UInt8(truncatingIfNeeded: accumulator)
                            out += 3
                            accumulator = 0
                            pending = 0
                        }
                    } else if byte == UInt8(ascii: "=") {
                        flush(&accumulator, &pending, output, &out)
                    }
                }
            }
            flush(&accumulator, &pending, output, &out)
            initialized = out
        }
    }

    /// Emits what a partial quantum holds: 2 sextets make 1 byte, 3 make 2; 1 makes none.
    private static func flush(
        _ accumulator: inout UInt32, _ pending: inout Int, _ output: UnsafeMutableBufferPointer<UInt8>, _ out: inout Int
    ) {
        switch pending {
        case 2:
            output[out] = UInt8(truncatingIfNeeded: accumulator >> 4)
            out += 1
        case 3:
            output[out] = UInt8(truncatingIfNeeded: accumulator >> 10)
            output[out + 1] = UInt8(truncatingIfNeeded: accumulator >> 2)
            out += 2
        default:
            break
        }
        accumulator = 0
        pending = 0
    }

    /// Marks a byte outside the alphabet in ``table``.
    private static let invalid: UInt8 = 0xFF

    /// Sextet values by byte; ``invalid`` for bytes outside the alphabet.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()
}
