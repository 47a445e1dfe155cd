#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits a multipart body into its parts at the boundary delimiters (RFC 2046 §5.1.1).
///
/// A delimiter is a line holding `--boundary`, optionally followed by `--` (the close
/// delimiter) and spaces or tabs. The line break before a delimiter belongs to it, not to the
/// part. Lenient: bare LF is accepted; a missing close delimiter ends the last part at the end
/// of the body.
enum MultipartSplitter {
    /// Where a multipart body's pieces lie.
    struct Split: Equatable {
        /// Before the first delimiter, without the line break that belongs to it; the whole body
        /// when there is no delimiter.
        var preamble: Range<Int>
        /// Each part: its header section and body.
        var parts: [Range<Int>]
        /// After the close delimiter line; empty at the end of the body when it is missing.
        var epilogue: Range<Int>
    }

    /// Splits `body`, looking for `delimiter` (`--` and the boundary) only on the lines listed in
    /// `candidates` (ascending line starts, see ``candidateLines(in:)``). At most `limit` parts are
    /// made; the rest of the body then counts as epilogue.
    static func split(
        _ raw: [UInt8], candidates: [Int], body: Range<Int>, delimiter: [UInt8], limit: Int
    ) -> Split {
        var parts: [Range<Int>] = []
        var preambleEnd: Int?
        var partStart: Int?
        var index = firstIndex(in: candidates, notBefore: body.lowerBound)
        while index < candidates.count, candidates[index] < body.upperBound {
            let lineStart = candidates[index]
            index += 1
            guard let (isClose, next) = match(raw, at: lineStart, before: body.upperBound, delimiter) else { continue }
            let breakStart = lineBreakStart(raw, before: lineStart, notBefore: partStart ?? body.lowerBound)
            if let start = partStart {
                parts.append(start..<breakStart)
            } else {
                preambleEnd = breakStart
            }
            if isClose || parts.count >= limit {
                return Split(
                    preamble: body.lowerBound..<(preambleEnd ?? body.upperBound), parts: parts,
                    epilogue: (isClose ? next : breakStart)..<body.upperBound)
            }
            partStart = next
        }
        if let start = partStart { parts.append(start..<body.upperBound) }
        return Split(
            preamble: body.lowerBound..<(preambleEnd ?? body.upperBound), parts: parts,
            epilogue: body.upperBound..<body.upperBound)
    }

    /// The start of every line of `raw` that begins with `--`, ascending. One `memchr` per line.
    static func candidateLines(in raw: [UInt8]) -> [Int] {
        var found: [Int] = []
        raw.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let count = buffer.count
            var start = 0
            while start < count {
                if start + 1 < count, base[start] == 0x2D, base[start + 1] == 0x2D { found.append(start) }
                guard let newline = memchr(base + start, 0x0A, count - start) else { break }
                start = base.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
            }
        }
        return found
    }

    /// The index of the first candidate at or after `position` (binary search).
    private static func firstIndex(in candidates: [Int], notBefore position: Int) -> Int {
        var low = 0
        var high = candidates.count
        while low < high {
            let middle = (low + high) / 2
            if candidates[middle] < position { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// nil when the line at `start` is no delimiter; otherwise whether it is the close delimiter
    /// and where the next line starts. Reads no further than the delimiter and its padding, so a
    /// long line that is not a delimiter costs little.
    private static func match(
        _ raw: [UInt8], at start: Int, before limit: Int, _ delimiter: [UInt8]
    ) -> (isClose: Bool, next: Int)? {
        guard limit - start >= delimiter.count else { return nil }
        for offset in 0..<delimiter.count where raw[start + offset] != delimiter[offset] { return nil }
        var index = start + delimiter.count
        var isClose = false
        if index + 1 < limit, raw[index] == UInt8(ascii: "-"), raw[index + 1] == UInt8(ascii: "-") {
            isClose = true
            index += 2
        }
        // Only transport padding may follow (RFC 2046 §5.1.1), then the line break.
        while index < limit, raw[index] == 0x20 || raw[index] == 0x09 { index += 1 }
        if index == limit { return (isClose, limit) }
        if raw[index] == 0x0A { return (isClose, index + 1) }
        if raw[index] == 0x0D, index + 1 == limit { return (isClose, limit) }
        if raw[index] == 0x0D, raw[index + 1] == 0x0A { return (isClose, index + 2) }
        return nil
    }

    /// Where the line break that ends the line before `position` starts (CRLF or LF).
    private static func lineBreakStart(_ raw: [UInt8], before position: Int, notBefore start: Int) -> Int {
        var end = position
        if end > start, raw[end - 1] == 0x0A { end -= 1 }
        if end > start, raw[end - 1] == 0x0D { end -= 1 }
        return max(end, start)
    }
}
