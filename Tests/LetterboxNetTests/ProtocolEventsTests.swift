import LetterboxNet
import Testing

@Suite("ProtocolEvents")
struct ProtocolEventsTests {
    @Test("the transcript logs each line in and out only when enabled")
    func transcript() {
        let (logger, lines) = capturingLogger(.info, .text)
        let on = ProtocolEvents(logger: logger, transcript: true).transcript(protocol: "SMTP", peer: "127.0.0.1:5000")
        on.received(Array("EHLO x".utf8))
        on.sent("250-hello\r\n250 OK\r\n")
        on.opened()  // debug: below the logger's level
        let texts = lines.all.map { $0.split(separator: " ", maxSplits: 2).last.map(String.init) ?? "" }
        #expect(
            texts == [
                "SMTP 127.0.0.1:5000 C: EHLO x", "SMTP 127.0.0.1:5000 S: 250-hello", "SMTP 127.0.0.1:5000 S: 250 OK",
            ])

        let (quietLogger, quietLines) = capturingLogger(.info, .text)
        let off = ProtocolEvents(logger: quietLogger, transcript: false).transcript(protocol: "SMTP", peer: "p")
        off.received(Array("EHLO x".utf8))
        off.sent("250 OK\r\n")
        #expect(quietLines.all.isEmpty)
    }

    @Test("protocol errors are counted")
    func protocolErrors() {
        let events = ProtocolEvents(logger: .silent, transcript: false)
        for _ in 0..<3 { events.protocolError() }
        #expect(events.protocolErrors == 3)
    }
}
