import Foundation
import LetterboxNet
import Testing

@Suite("Logger")
struct LoggerTests {
    @Test("JSON lines escape quotes, backslashes, newlines and control characters, and parse back exactly")
    func jsonEscaping() throws {
        let (logger, lines) = capturingLogger(.trace, .json)
        let message = "say \"hi\"\\ then\nnext line\r\ttab \u{01}\u{1F} bell\u{07} é 📦"
        logger.log(.warning, message, ["peer": "127.0.0.1:25", "odd \"key\"": "line\nbreak\u{0}"])

        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1)
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\t"))
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 })
        #expect(line.contains(#"\u0001"#) && line.contains(#"\u001f"#) && line.contains(#"\u0007"#))
        #expect(line.contains(#"\"hi\""#) && line.contains(#"\\ then"#) && line.contains(#"\n"#))

        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["msg"] == message)
        #expect(object["level"] == "warning")
        #expect(object["peer"] == "127.0.0.1:25")
        #expect(object["odd \"key\""] == "line\nbreak\u{0}")
        let time = try #require(object["time"])
        #expect(time.count == "2026-11-27T06:12:13.123Z".count && time.hasSuffix("Z"))
    }

    @Test("text lines: time, level, message, then fields sorted by key")
    func textFormat() throws {
        let (logger, lines) = capturingLogger(.info, .text)
        logger.log(.info, "session opened", ["peer": "127.0.0.1:5000", "id": "7"])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix(" info session opened id=7 peer=127.0.0.1:5000"))
        #expect(line.split(separator: " ").first?.hasSuffix("Z") == true)
    }

    @Test("levels below the logger's are dropped, and their message is never built")
    func levelFiltering() {
        let (logger, lines) = capturingLogger(.warning, .text)
        let built = Recorder<Logger.Level>()
        func message(at level: Logger.Level) -> String {
            built.record(level)
            return "at \(level)"
        }
        for level in [Logger.Level.trace, .debug, .info, .warning, .error] {
            logger.log(level, message(at: level))
        }
        #expect(
            lines.all.map { $0.split(separator: " ").dropFirst().joined(separator: " ") } == [
                "warning at warning", "error at error",
            ])
        #expect(built.all == [.warning, .error])
        #expect(!logger.isEnabled(.info) && logger.isEnabled(.warning) && logger.isEnabled(.error))
        #expect(!logger.isEnabled(.off))
    }

    @Test("level off logs nothing, not even errors")
    func levelOff() {
        let (logger, lines) = capturingLogger(.off, .json)
        for level in Logger.Level.allCases { logger.log(level, "x") }
        #expect(lines.all.isEmpty)
        #expect(!Logger.silent.isEnabled(.error))
    }

    @Test("levels parse from names case-insensitively and order from trace to error")
    func levelNames() {
        #expect(Logger.Level(name: "WARNING") == .warning)
        #expect(Logger.Level(name: "debug") == .debug)
        #expect(Logger.Level(name: "Off") == .off)
        #expect(Logger.Level(name: "verbose") == nil)
        let ordered: [Logger.Level] = [.trace, .debug, .info, .warning, .error, .off]
        #expect(ordered.sorted() == ordered && ordered == Logger.Level.allCases)
    }
}
