import LetterboxNet

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads an SMTP DATA body from a connection: removes dot-stuffing and stops at the lone `.`
/// line (RFC 5321 §4.5.2). Works on the connection's buffer in place, one `memchr` per line.
///
/// Only `<CR><LF>.<CR><LF>` ends the data (RFC 5321 §4.1.1.4); the CRLF before the final `.`
/// belongs to the message. Ending also at `<LF>.<LF>`, `<LF>.<CR><LF>` or `<CR><LF>.<LF>` is what
/// SMTP smuggling (CVE-2023-51766 and its kin) exploits: one DATA then carries a second, forged
/// transaction. As Postfix does with `smtpd_forbid_bare_newline = normalize`, bare LFs are
/// accepted, but as a catcher Letterbox stores them as received rather than rewriting them.
///
/// Lines are CRLF-terminated: only a dot right after a CRLF (or at the start of the data) is a
/// line's first character. Such a dot is removed when more text follows on its line (a stuffed
/// dot); a dot followed by a bare LF or a bare CR was not stuffed by the client and is kept.
enum DotStuffedReader {
    /// Where the scan stands relative to CRLF line boundaries; carried across buffer refills.
    enum Position: Sendable {
        /// At the start of a line: the data's start, or just after a CRLF.
        case lineStart
        case midLine
        /// Mid-line, right after a CR: an LF next ends the line.
        case afterCR
    }

    /// Reads until the terminator. Past `limit` octets the rest is read and discarded. Room grows
    /// with the bytes that arrive (``Swift/Array/reserveForArrival(of:expected:)``) up to the size
    /// MAIL FROM declared (unstuffing only shrinks a message; a little more covers a client's
    /// estimate): a client that declares a large size and stalls makes us hold little.
    static func read(from connection: Connection, limit: Int, declaredSize: Int? = nil) async throws
        -> SMTPSession.DataOutcome
    {
        var body: [UInt8] = []
        // Bounded by the limit before adding, so a huge declared size cannot overflow.
        let declared = min(declaredSize ?? 0, limit)
        let expected = declaredSize == nil ? limit : min(limit, declared + declared / 64 + 1024)
        var position = Position.lineStart
        var tooLarge = false
        var transfer = connection.beginTransfer()  // the data must keep the minimum rate

        while true {
            let (consumed, finished) = connection.withBuffered { buffered in
                if !tooLarge { body.reserveForArrival(of: buffered.count, expected: expected) }
                return scan(buffered, into: &body, position: &position, limit: limit, tooLarge: &tooLarge)
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
        _ buffer: UnsafeBufferPointer<UInt8>, into body: inout [UInt8], position: inout Position, limit: Int,
        tooLarge: inout Bool
    ) -> (consumed: Int, finished: Bool) {
        guard let base = buffer.baseAddress else { return (0, false) }
        let end = buffer.count
        let cr: UInt8 = 0x0D
        let lf: UInt8 = 0x0A
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
            if position == .lineStart && base[index] == UInt8(ascii: ".") {
                guard index + 1 < end else { return (index, false) }
                switch base[index + 1] {
                case cr:
                    guard index + 2 < end else { return (index, false) }
                    if base[index + 2] == lf { return (index + 3, true) }
                // A dot before a bare CR or LF was not stuffed: it stays.
                case lf: break
                default: index += 1  // a stuffed dot: drop it, keep the rest of the line
                }
            }
            if let found = memchr(base + index, Int32(lf), end - index) {
                let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                let endsLine = newline > index ? base[newline - 1] == cr : position == .afterCR
                keep(index..<newline + 1)
                index = newline + 1
                position = endsLine ? .lineStart : .midLine
            } else {
                keep(index..<end)
                position = base[end - 1] == cr ? .afterCR : .midLine
                index = end
            }
        }
        return (index, false)
    }
}
