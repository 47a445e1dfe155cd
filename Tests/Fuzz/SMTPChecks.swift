// Checks shared by the SMTP targets (compiled into each SMTP target by run.sh).

@testable import LetterboxSMTP

/// An SMTP reply on the wire: every line `ddd-text` but the last `ddd text`, one code, CRLF ends
/// each line and nothing else (RFC 5321 §4.2).
func checkSMTPReply(_ reply: SMTPReply) {
    let wire = Array(reply.wire.utf8)
    let lines = crlfLines(wire, what: "SMTP reply")
    guard !lines.isEmpty, (200...599).contains(reply.code) else { fuzzFailure("malformed reply \(show(wire))") }
    for (index, line) in lines.enumerated() {
        let bytes = Array(line)
        guard bytes.count >= 4, bytes[0..<3].allSatisfy({ (0x30...0x39).contains($0) }),
            bytes[0..<3] == wire[0..<3],
            bytes[3] == (index == lines.count - 1 ? 0x20 : 0x2D)
        else { fuzzFailure("malformed reply line \(show(bytes))") }
        guard !bytes.contains(0) else { fuzzFailure("NUL in reply \(show(bytes))") }
    }
}
