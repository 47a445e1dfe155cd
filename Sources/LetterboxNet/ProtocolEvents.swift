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
}
