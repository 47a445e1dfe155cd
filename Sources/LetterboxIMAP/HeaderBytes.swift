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
    /// Where the body starts in `bytes`: after the blank line that ends the header section, at
    /// the first line that cannot be part of it, or at the end.
    static func bodyStart(of bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var position = 0
            var found: Int?
            forEachLine(buffer, in: 0..<buffer.count) { start, contentEnd, next in
                if contentEnd == start {
                    found = next
                    return false
                }
                let first = buffer[start]
                let inSection =
                    first == 0x20 || first == 0x09 || fieldNameEnd(buffer, start..<contentEnd) != nil
                    || (start == 0 && isMboxFromLine(buffer, start..<contentEnd))
                if !inSection {
                    found = start
                    return false
                }
                position = next
                return true
            }
            return found ?? position
        }
    }

    /// The lines (with their continuation lines and line breaks) of the fields in `range` whose
    /// names are in `names`, or of every other field when `excluding`; then a blank line, as
    /// `BODY[HEADER.FIELDS (…)]` returns them (RFC 3501 §6.4.5). Names match ignoring ASCII case.
    static func fieldLines(of bytes: [UInt8], in range: Range<Int>, names: [String], excluding: Bool) -> [UInt8] {
        let wanted = Set(names.map { Array($0.utf8).map(asciiLowercased) })
        var out: [UInt8] = []
        var name: [UInt8] = []
        bytes.withUnsafeBufferPointer { buffer in
            var keep = false
            forEachLine(buffer, in: range) { start, contentEnd, next in
                let first = buffer[start..<max(start, contentEnd)].first
                if first == 0x20 || first == 0x09 {
                    if keep { out.append(contentsOf: buffer[start..<next]) }
                } else if let colon = fieldNameEnd(buffer, start..<contentEnd) {
                    var end = colon
                    while end > start, buffer[end - 1] == 0x20 || buffer[end - 1] == 0x09 { end -= 1 }
                    name.removeAll(keepingCapacity: true)
                    for byte in buffer[start..<end] { name.append(asciiLowercased(byte)) }
                    keep = wanted.contains(name) != excluding
                    if keep { out.append(contentsOf: buffer[start..<next]) }
                } else {
                    keep = false
                }
                return true
            }
        }
        if let last = out.last, last != 0x0A { out += [0x0D, 0x0A] }  // a last field without a line break
        out += [0x0D, 0x0A]
        return out
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
        return content.count >= prefix.count && buffer[content.lowerBound..<(content.lowerBound + prefix.count)].elementsEqual(prefix)
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }
}
