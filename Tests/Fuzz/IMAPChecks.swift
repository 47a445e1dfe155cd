// Shared by the IMAP targets (compiled into each by run.sh): command framing as IMAPServer reads
// it (a line, and for each literal it announces, the literal and the next line), and the shape
// of what the server sends.

@testable import LetterboxIMAP

/// What reading one command gave.
enum IMAPRead {
    case command([UInt8])
    /// The server answers this and goes on (or closes, when `fatal`).
    case refused(String, fatal: Bool)
}

/// Reads one command as `IMAPServer.readCommand` does; nil when the peer closed first. Each
/// synchronizing literal's `+` continuation is passed to `continuation`.
func readIMAPCommand(
    _ connection: inout FuzzConnection, maxLiteralSize: Int, continuation: (String) -> Void
) -> IMAPRead? {
    var command: [UInt8] = []
    var literals = 0
    while true {
        let line: [UInt8]
        do {
            guard let read = try connection.readLine(maxLength: IMAPConfiguration.maxLineLength) else { return nil }
            line = read
        } catch {
            return .refused("* BAD command line too long\r\n", fatal: false)
        }
        command += line
        guard let (size, synchronizing) = IMAPServer.literalAnnouncement(line) else { return .command(command) }
        guard size >= 0, line.last == UInt8(ascii: "}") else {
            fuzzFailure("literal announcement \(size) in \(show(line))")
        }
        literals += 1
        guard size <= maxLiteralSize, literals <= IMAPConfiguration.maxLiterals else {
            // The refusal's tag as IMAPServer takes it: a word that cannot be a tag is echoed as `*`.
            let tag = IMAPCommandBudget.tag(of: line)
            if synchronizing {
                return .refused(
                    "\(tag) BAD [TOOBIG] literal of \(size) octets exceeds \(maxLiteralSize)\r\n", fatal: false)
            }
            return .refused("* BYE [TOOBIG] literal of \(size) octets exceeds \(maxLiteralSize)\r\n", fatal: true)
        }
        if synchronizing { continuation("+ ready for literal\r\n") }
        command += [0x0D, 0x0A]
        guard let literal = connection.readExactly(size) else { return nil }
        command += literal
    }
}

/// Checks a server response: CRLF-terminated lines (literals `{n}` skipped by count), each
/// response tagged with `tag`, untagged (`* `) or a continuation (`+ `); with `final`, the last
/// one is the tagged `OK`, `NO` or `BAD` and no other response is tagged. Returns the last
/// response line.
@discardableResult
func checkIMAPResponse(_ wire: [UInt8], tag: String?, final: Bool) -> String {
    var index = 0
    var last = ""
    var starts: [ArraySlice<UInt8>] = []
    while index < wire.count {
        // One response: text up to CRLF, with literals inside.
        let start = index
        while true {
            guard let lf = wire[index...].firstIndex(of: 0x0A) else {
                fuzzFailure("response without CRLF: \(show(wire[start...]))")
            }
            guard lf > index, wire[lf - 1] == 0x0D else { fuzzFailure("bare LF in response: \(show(wire[start...]))") }
            let text = wire[index..<(lf - 1)]
            if text.contains(0x0D) || text.contains(0) {
                fuzzFailure("CR or NUL inside a response line: \(show(text))")
            }
            index = lf + 1
            guard text.last == UInt8(ascii: "}"), let open = text.lastIndex(of: UInt8(ascii: "{")),
                let size = Int(String(decoding: text[(open + 1)..<(text.endIndex - 1)], as: UTF8.self))
            else { break }
            guard size >= 0, wire.count - index >= size else { fuzzFailure("literal {\(size)} runs past the response") }
            index += size
        }
        let line = wire[start..<index]
        starts.append(line)
        last = String(decoding: line.prefix(200), as: UTF8.self)
    }
    let tagPrefix = tag.map { Array("\($0) ".utf8) }
    for (position, line) in starts.enumerated() {
        let tagged = tagPrefix.map { line.starts(with: $0) } ?? false
        guard line.starts(with: Array("* ".utf8)) || line.starts(with: Array("+ ".utf8)) || tagged else {
            fuzzFailure("response is neither tagged, untagged nor a continuation: \(show(line))")
        }
        if final {
            let isLast = position == starts.count - 1
            guard tagged == isLast || (tagged && tag == "*") else {
                fuzzFailure("tagged response in the wrong place: \(show(line))")
            }
        }
    }
    if final, let tag, let line = starts.last {
        guard ["OK", "NO", "BAD"].contains(where: { line.starts(with: Array("\(tag) \($0)".utf8)) }) else {
            fuzzFailure("final response \(show(line))")
        }
    }
    return last
}
