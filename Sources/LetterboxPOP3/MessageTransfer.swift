import LetterboxStore

/// Turns a stored message into what RETR and TOP send: CRLF line endings, lines starting with
/// `.` byte-stuffed, ended by `.` CRLF (RFC 1939 §3).
enum MessageTransfer {
    /// What RETR or TOP sends of a message.
    enum Wire: Sendable {
        /// The message's bytes as they are, then the terminator (``isAlreadyCanonical(_:)``).
        case asIs([UInt8])
        /// The bytes ``encode(_:bodyLines:)`` made, terminator included.
        case encoded([UInt8])
    }

    /// The bytes as they are when they can go so (a whole message, already canonical), else encoded.
    static func wire(_ raw: [UInt8], bodyLines: Int?) -> Wire {
        bodyLines == nil && isAlreadyCanonical(raw) ? .asIs(raw) : .encoded(encode(raw, bodyLines: bodyLines))
    }

    /// The bytes to send, terminator included. `bodyLines` limits the body for TOP (RFC 1939 §7).
    static func encode(_ raw: [UInt8], bodyLines: Int?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count + raw.count / 64 + 5)
        var inBody = false
        var bodyLinesLeft = bodyLines ?? Int.max
        var stopped = false
        raw.withUnsafeBufferPointer { buffer in
            LineEndings.forEachLine(in: raw) { range, _, _ in
                guard !stopped else { return }
                if inBody {
                    if bodyLinesLeft == 0 {
                        stopped = true
                        return
                    }
                    bodyLinesLeft -= 1
                }
                if range.isEmpty && !inBody { inBody = true }
                if let first = range.first, buffer[first] == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[range]))
                out.append(contentsOf: [0x0D, 0x0A])
            }
        }
        out.append(contentsOf: [UInt8(ascii: "."), 0x0D, 0x0A])
        return out
    }

    /// Whether `raw` can be sent as it is: CRLF everywhere, ends with CRLF, no line starts with `.`.
    static func isAlreadyCanonical(_ raw: [UInt8]) -> Bool {
        guard raw.count >= 2, raw[raw.count - 2] == 0x0D, raw[raw.count - 1] == 0x0A else { return raw.isEmpty }
        var canonical = true
        raw.withUnsafeBufferPointer { buffer in
            LineEndings.forEachLine(in: raw) { range, hasCR, hasLF in
                if hasLF && !hasCR { canonical = false }
                if let first = range.first, buffer[first] == UInt8(ascii: ".") { canonical = false }
            }
        }
        return canonical
    }
}
