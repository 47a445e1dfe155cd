import Synchronization

/// What protocol drivers report while they run: session events, the `--verbose` transcript,
/// and counters for `/metrics`. Shared by every protocol so none of them logs its own way.
package final class ProtocolEvents: Sendable {
    package let logger: Logger
    /// Whether every line in and out is logged (the `--verbose` transcript).
    package let transcriptEnabled: Bool
    private let errors = Atomic<Int>(0)

    package init(logger: Logger, transcript: Bool) {
        self.logger = logger
        self.transcriptEnabled = transcript
    }

    /// Counts a client mistake answered with a protocol error.
    package func protocolError() { errors.add(1, ordering: .relaxed) }

    /// Protocol errors answered since start.
    package var protocolErrors: Int { errors.load(ordering: .relaxed) }

    package func transcript(protocol name: String, peer: String) -> Transcript {
        Transcript(events: self, prefix: "\(name) \(peer)")
    }
}

/// Logs one session: opened/closed at debug, each line at debug when the transcript is on.
package struct Transcript: Sendable {
    let events: ProtocolEvents
    let prefix: String

    package func opened() { events.logger.log(.debug, "\(prefix) session opened") }
    package func closed() { events.logger.log(.debug, "\(prefix) session closed") }
    package func note(_ text: @autoclosure () -> String) { events.logger.log(.debug, "\(prefix) \(text())") }
    /// A failure the operator should see (with the paths replies leave out), at warning level.
    package func warn(_ text: @autoclosure () -> String) { events.logger.log(.warning, "\(prefix) \(text())") }

    package func received(_ line: [UInt8]) {
        guard events.transcriptEnabled else { return }
        events.logger.log(.info, "\(prefix) C: \(String(decoding: line, as: UTF8.self))")
    }

    package func sent(_ text: String) {
        guard events.transcriptEnabled else { return }
        for line in text.split(separator: "\r\n") { events.logger.log(.info, "\(prefix) S: \(line)") }
    }

    /// A literal the client sent (RFC 3501 §4.3), after the line that announced it: `C: {N bytes}`,
    /// its content only at trace level (a message, a password). As Dovecot's rawlog, the
    /// transcript shows where a literal was; unlike it, not the bytes unless asked for.
    package func receivedLiteral(_ bytes: [UInt8]) {
        guard events.transcriptEnabled else { return }
        events.logger.log(.info, "\(prefix) C: {\(bytes.count) bytes}")
        guard events.logger.isEnabled(.trace) else { return }
        for line in Self.lines(bytes) { events.logger.log(.trace, "\(prefix) C: \(line)") }
    }

    /// The lines of a multi-line reply after its status line (a POP3 CAPA, LIST, UIDL, RETR or
    /// TOP; dot-stuffing and the final `.` left out): every line when the reply is short (at most
    /// ``fullBlockLines`` lines, such as CAPA), else the first of them and `(N lines, M octets)`
    /// for the rest; the whole content at trace level. So `--verbose` shows what was answered
    /// without copying every message into the log, much as Postfix's verbose logging shows the
    /// dialogue and not the DATA.
    package func sentBlock(_ lines: [String]) {
        guard events.transcriptEnabled else { return }
        let octets = lines.reduce(0) { $0 + $1.utf8.count + 2 }
        sentBlock(lines, count: lines.count, octets: octets)
    }

    /// ``sentBlock(_:)`` for a message sent as bytes (CRLF lines, already dot-stuffed).
    package func sentBlock(_ bytes: [UInt8]) {
        guard events.transcriptEnabled else { return }
        let lines = Self.lines(bytes)
        sentBlock(lines, count: lines.count, octets: bytes.count)
    }

    /// Lines of a multi-line reply logged whole at info level; a longer reply is summarized.
    package static let fullBlockLines = 20

    private func sentBlock(_ lines: [String], count: Int, octets: Int) {
        let shown = count <= Self.fullBlockLines ? lines : []
        for line in shown { events.logger.log(.info, "\(prefix) S: \(line)") }
        if shown.isEmpty { events.logger.log(.info, "\(prefix) S: (\(count) lines, \(octets) octets)") }
        if events.logger.isEnabled(.trace), shown.isEmpty {
            for line in lines { events.logger.log(.trace, "\(prefix) S: \(line)") }
        }
        events.logger.log(.info, "\(prefix) S: .")
    }

    private static func lines(_ bytes: [UInt8]) -> [String] {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\r\n") { text.removeLast() }
        return text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
    }
}
