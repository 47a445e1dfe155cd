import LetterboxMIME

/// IMAP's views of a header section read with LetterboxMIME's scanner (``HeaderBytes``): the
/// lines of the fields `BODY[HEADER.FIELDS (…)]` asks for, and a SEARCH HEADER match, without a
/// string per field.
extension HeaderBytes {
    /// Names to look for, matched ignoring ASCII case without building a string per field.
    struct Names {
        private let names: [[UInt8]]
        private let lengths: Set<Int>

        init(_ names: [String]) {
            self.names = names.map { Array($0.utf8).map(HeaderBytes.asciiLowercased) }
            lengths = Set(self.names.map(\.count))
        }

        func contains(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
            guard lengths.contains(range.count) else { return false }
            return names.contains { name in
                name.count == range.count
                    && zip(name, buffer[range]).allSatisfy { $0 == HeaderBytes.asciiLowercased($1) }
            }
        }
    }

    /// The lines (with their continuation lines and line breaks) of the fields of the header
    /// section in `range` (the message's when nil) whose names are in `names`, or of every other field when
    /// `excluding`; then a blank line, as `BODY[HEADER.FIELDS (…)]` returns them (RFC 3501
    /// §6.4.5). Also where the body starts.
    static func fieldLines(
        of bytes: [UInt8], in range: Range<Int>? = nil, names: [String], excluding: Bool
    ) -> (lines: [UInt8], bodyStart: Int) {
        let wanted = Names(names)
        var out: [UInt8] = []
        let bodyStart = bytes.withUnsafeBufferPointer { buffer in
            var keep = false
            return scan(buffer, from: range?.lowerBound ?? 0, upTo: range?.upperBound) { line, lineStart, _, next in
                switch line {
                case .continuation: break
                case .field(let nameEnd, _): keep = wanted.contains(buffer, lineStart..<nameEnd) != excluding
                case .mboxFrom: keep = false
                }
                if keep { out.append(contentsOf: buffer[lineStart..<next]) }
                return true
            }
        }
        if let last = out.last, last != 0x0A { out += [0x0D, 0x0A] }  // a last field without a line break
        out += [0x0D, 0x0A]
        return (out, bodyStart)
    }

    /// Whether a field named `name` in the header section of `bytes` has a value (unfolded, raw)
    /// for which `matches` holds; stops at the first.
    static func anyField(named name: String, in bytes: [UInt8], where matches: (ArraySlice<UInt8>) -> Bool) -> Bool {
        let wanted = Names([name])
        var value: [UInt8] = []
        var inField = false
        var found = false
        bytes.withUnsafeBufferPointer { buffer in
            func finish() -> Bool {
                guard inField else { return true }
                inField = false
                found = matches(value[...])
                return !found
            }
            scan(buffer, from: 0) { line, lineStart, contentEnd, _ in
                switch line {
                case .continuation:
                    if inField { value.append(contentsOf: buffer[lineStart..<contentEnd]) }
                    return true
                case .field(let nameEnd, let colon):
                    guard finish() else { return false }
                    if wanted.contains(buffer, lineStart..<nameEnd) {
                        inField = true
                        value.removeAll(keepingCapacity: true)
                        value.append(contentsOf: buffer[(colon + 1)..<contentEnd])
                    }
                    return true
                case .mboxFrom:
                    return finish()
                }
            }
            _ = finish()
        }
        return found
    }

}
