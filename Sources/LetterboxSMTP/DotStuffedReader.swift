import LetterboxNet

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads an SMTP DATA body from a connection: removes dot-stuffing and stops at the lone `.`
/// line (RFC 5321 §4.5.2). Works on the connection's buffer in place, one `memchr` per line.
///
/// The CRLF before the final `.` belongs to the message (RFC 5321 §4.1.1.4). A bare LF is kept
/// as received, and `<LF>.<LF>` also ends the data, since real clients send it.
enum DotStuffedReader {
    /// Reads until the terminator. Past `limit` octets the rest is read and discarded. With the
    /// size MAIL FROM declared, room for it is reserved at once (unstuffing only shrinks a message;
    /// a little more covers a client's estimate), instead of growing and copying as it arrives.
    static func read(from connection: Connection, limit: Int, declaredSize: Int? = nil) async throws
        -> SMTPSession.DataOutcome
    {
        var body: [UInt8] = []
        body.reserveCapacity(min(limit, max(64 * 1024, declaredSize.map { $0 + $0 / 64 + 1024 } ?? 0)))
        var atLineStart = true
        var tooLarge = false
        var transfer = connection.beginTransfer()  // the data must keep the minimum rate

        while true {
            let (consumed, finished) = connection.withBuffered {
                scan($0, into: &body, atLineStart: &atLineStart, limit: limit, tooLarge: &tooLarge)
            }
            connection.consume(consumed)
            if finished { break }
            try await connection.fill(&transfer)
        }
        if tooLarge { return .tooLarge }
        // Growth may have left up to half the capacity unused; a stored message should not carry it.
        if body.capacity - body.count > body.count / 8 { body = Array(body[...]) }
        return .complete(body)
    }

    /// Processes as much of `buffer` as can be decided; returns the octets consumed and whether the
    /// terminator was found.
    static func scan(
        _ buffer: UnsafeBufferPointer<UInt8>, into body: inout [UInt8], atLineStart: inout Bool, limit: Int,
        tooLarge: inout Bool
    ) -> (consumed: Int, finished: Bool) {
        guard let base = buffer.baseAddress else { return (0, false) }
        let end = buffer.count
        var index = 0
        func keep(_ range: Range<Int>) {
            guard !tooLarge else { return }
            if body.count + range.count > limit {
                tooLarge = true
                body = []
                return
            }
            body.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[range]))
        }
        while index < end {
            if atLineStart && base[index] == UInt8(ascii: ".") {
                guard index + 1 < end else { return (index, false) }
                if base[index + 1] == 0x0A { return (index + 2, true) }
                if base[index + 1] == 0x0D {
                    guard index + 2 < end else { return (index, false) }
                    if base[index + 2] == 0x0A { return (index + 3, true) }
                }
                index += 1  // a stuffed dot: drop it, keep the rest of the line
            }
            if let found = memchr(base + index, 0x0A, end - index) {
                let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                keep(index..<newline + 1)
                index = newline + 1
                atLineStart = true
            } else {
                keep(index..<end)
                index = end
                atLineStart = false
            }
        }
        return (index, false)
    }
}
