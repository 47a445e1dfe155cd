#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one scanner of a header section's bytes (RFC 5322 §2.2, §3.5): in one pass with `memchr`
/// and no string per field, it says what each line is and where the section ends. The parsed
/// header (``HeaderSection``, behind every ``MessageHeaders`` and ``MIMEPart``) and IMAP's views
/// of a header section with two million fields (`BODY[HEADER]`, `HEADER.FIELDS`, ENVELOPE, which
/// cost a scan of its bytes, not a parse of every field) both read lines through it, so they
/// agree on where the body starts.
///
/// The section ends at a blank line, or at the first line that is neither a field (RFC 5322
/// §3.6.8 field name, then a colon) nor a continuation; an mbox `From ` line at the very start
/// belongs to it. Lines end in LF or CRLF.
package enum HeaderBytes {
    /// What a line of a header section is.
    package enum Line {
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
    package static func scan(
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
    package static func bodyStart(of bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { scan($0, from: 0) }
    }

    /// Whether the header section of `bytes` runs past its first `limit` octets.
    package static func headerIsLonger(than limit: Int, in bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var longer = false
            scan(buffer, from: 0) { _, _, _, next in
                longer = next > limit
                return !longer
            }
            return longer
        }
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

    package static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }
}
