/// Splits a multipart body into its parts at the boundary delimiters (RFC 2046 §5.1.1).
///
/// A delimiter is a line holding `--boundary`, optionally followed by `--` (the close
/// delimiter) and spaces or tabs. The line break before a delimiter belongs to it, not to the
/// part. Lenient: bare LF is accepted; a preamble and an epilogue are skipped; a missing close
/// delimiter ends the last part at the end of the body.
enum MultipartSplitter {
    /// The ranges of the parts (each one's header section and body) within `range`.
    static func parts(of raw: [UInt8], in range: Range<Int>, boundary: String) -> [Range<Int>] {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Range<Int>] = []
        var partStart: Int?
        var position = range.lowerBound
        var closed = false
        while position < range.upperBound {
            let line = ByteLine(raw, from: position, before: range.upperBound)
            if let isClose = match(raw, line.content, delimiter) {
                if let start = partStart {
                    parts.append(start..<lineBreakStart(raw, before: position, notBefore: start))
                }
                if isClose {
                    closed = true
                    break
                }
                partStart = line.next
            }
            position = line.next
        }
        if !closed, let start = partStart { parts.append(start..<range.upperBound) }
        return parts
    }

    /// nil when the line is no delimiter; otherwise whether it is the close delimiter.
    private static func match(_ raw: [UInt8], _ line: Range<Int>, _ delimiter: [UInt8]) -> Bool? {
        guard line.count >= delimiter.count,
            raw[line.lowerBound..<(line.lowerBound + delimiter.count)].elementsEqual(delimiter)
        else { return nil }
        var index = line.lowerBound + delimiter.count
        var isClose = false
        if index + 1 < line.upperBound, raw[index] == UInt8(ascii: "-"), raw[index + 1] == UInt8(ascii: "-") {
            isClose = true
            index += 2
        }
        // Only transport padding may follow (RFC 2046 §5.1.1).
        while index < line.upperBound {
            guard raw[index] == 0x20 || raw[index] == 0x09 else { return nil }
            index += 1
        }
        return isClose
    }

    /// Where the line break that ends the line before `position` starts (CRLF or LF).
    private static func lineBreakStart(_ raw: [UInt8], before position: Int, notBefore start: Int) -> Int {
        var end = position
        if end > start, raw[end - 1] == 0x0A { end -= 1 }
        if end > start, raw[end - 1] == 0x0D { end -= 1 }
        return max(end, start)
    }
}
