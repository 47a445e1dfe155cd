/// One line of a byte buffer, ending in LF or CRLF or at a limit.
struct ByteLine {
    /// The line without its line break.
    var content: Range<Int>
    /// Where the next line starts (the limit when this is the last line).
    var next: Int

    /// The line that starts at `start`, looking no further than `limit`.
    init(_ raw: [UInt8], from start: Int, before limit: Int) {
        var end = start
        while end < limit, raw[end] != 0x0A { end += 1 }
        next = end < limit ? end + 1 : limit
        var contentEnd = end
        if contentEnd > start, raw[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        content = start..<contentEnd
    }
}
