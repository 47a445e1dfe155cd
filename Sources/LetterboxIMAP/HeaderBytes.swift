#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A message's header section read straight from its bytes, in one pass with no string per
/// field: where the section ends, and the lines of the fields a view asks for. What IMAP serves
/// of a header section with two million fields (`BODY[HEADER]`, `HEADER.FIELDS`, ENVELOPE) then
/// costs a scan of its bytes, not a parse of every field.
///
/// The section ends where LetterboxMIME ends it (`HeaderSection`), so that `BODY[HEADER]`,
/// `BODY[TEXT]` and the sizes in BODYSTRUCTURE agree: at a blank line, or at the first line
/// that is neither a field (RFC 5322 §3.6.8 field name, then a colon) nor a continuation; an mbox
/// `From ` line at the very start belongs to it. Lines end in LF or CRLF.
enum HeaderBytes {
    /// What a line of a header section is.
    enum Line {
        /// A field whose name ends at `nameEnd` (trailing whitespace removed) and whose colon is
        /// at `colon`.
        case field(nameEnd: Int, colon: Int)
        /// A folded continuation of the field before it (or of nothing, at the very start).
        case continuation
        /// An mbox `From ` separator at the very start.
        case mboxFrom
    }

    /// Visits the lines of the header section that starts at `start` (and ends by `limit` at the
    /// latest), stopping where it ends or when `visit` says stop; returns where the body starts
    /// (where the scan stopped, when `visit` stopped it).
    @discardableResult
    static func scan(
        _ buffer: UnsafeBufferPointer<UInt8>, from start: Int, upTo limit: Int? = nil,
        _ visit: (_ line: Line, _ start: Int, _ contentEnd: Int, _ next: Int) -> Bool = { _, _, _, _ in true }
    ) -> Int {
        var found: Int?
        var position = start
        forEachLine(buffer, in: start..<min(limit ?? buffer.count, buffer.count)) { lineStart, contentEnd, next in
            if contentEnd == lineStart {
                found = next
                return false
            }
            let first = buffer[lineStart]
            let line: Line
            if first == 0x20 || first == 0x09 {
                line = .continuation
            } else if let colon = fieldNameEnd(buffer, lineStart..<contentEnd) {
                var end = colon
                while end > lineStart, buffer[end - 1] == 0x20 || buffer[end - 1] == 0x09 { end -= 1 }
                line = .field(nameEnd: end, colon: colon)
            } else if lineStart == start, isMboxFromLine(buffer, lineStart..<contentEnd) {
                line = .mboxFrom
            } else {
                found = lineStart
                return false
            }
            position = next
            return visit(line, lineStart, contentEnd, next)
        }
        return found ?? position
    }

    /// Where the body starts in `bytes`: after the blank line that ends the header section, at
    /// the first line that cannot be part of it, or at the end.
    static func bodyStart(of bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { scan($0, from: 0) }
    }

    /// Whether the header section of `bytes` runs past its first `limit` octets.
    static func headerIsLonger(than limit: Int, in bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var longer = false
            scan(buffer, from: 0) { _, _, _, next in
                longer = next > limit
                return !longer
            }
            return longer
        }
    }

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

    /// Calls `body(start, contentEnd, next)` for each line of `range`: the line's first byte, the
    /// end of its content (before CRLF or LF) and where the next line starts, until `body` says
    /// stop. Lines are found with `memchr`.
    private static func forEachLine(
        _ buffer: UnsafeBufferPointer<UInt8>, in range: Range<Int>, _ body: (Int, Int, Int) -> Bool
    ) {
        guard let base = buffer.baseAddress else { return }
        var start = range.lowerBound
        let limit = min(range.upperBound, buffer.count)
        while start < limit {
            let end: Int
            if let found = memchr(base + start, 0x0A, limit - start) {
                end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
            } else {
                end = limit
            }
            let next = end < limit ? end + 1 : limit
            var contentEnd = end
            if contentEnd > start, buffer[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            guard body(start, contentEnd, next) else { return }
            start = next
        }
    }

    /// The index of the colon when the line starts with a field name: printable US-ASCII but the
    /// colon (RFC 5322 §3.6.8), optionally followed by whitespace (obsolete syntax, §4.5).
    private static func fieldNameEnd(_ buffer: UnsafeBufferPointer<UInt8>, _ content: Range<Int>) -> Int? {
        var index = content.lowerBound
        while index < content.upperBound {
            let byte = buffer[index]
            if byte == UInt8(ascii: ":") { break }
            if byte < 33 || byte > 126 {
                guard byte == 0x20 || byte == 0x09 else { return nil }
                var cursor = index
                while cursor < content.upperBound, buffer[cursor] == 0x20 || buffer[cursor] == 0x09 { cursor += 1 }
                guard cursor < content.upperBound, buffer[cursor] == UInt8(ascii: ":") else { return nil }
                return index > content.lowerBound ? cursor : nil
            }
            index += 1
        }
        guard index < content.upperBound, index > content.lowerBound else { return nil }
        return index
    }

    private static func isMboxFromLine(_ buffer: UnsafeBufferPointer<UInt8>, _ content: Range<Int>) -> Bool {
        let prefix = "From ".utf8
        return content.count >= prefix.count
            && buffer[content.lowerBound..<(content.lowerBound + prefix.count)].elementsEqual(prefix)
    }

    static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }
}
