import Foundation
import LetterboxSMTP
import Testing

/// The inputs libFuzzer found crashing the SMTP parser or session (`Fixtures/fuzz/crashes/smtp-*/`,
/// see Tests/Fuzz/run.sh), replayed without libFuzzer: each line is parsed and played through a
/// session, and every reply must be a reply.
@Suite struct SMTPFuzzCrashRegressionTests {
    /// Every line of every file in `Fixtures/fuzz/crashes/<target>/`, without its line ending.
    private static func crashLines(_ target: String) throws -> [[UInt8]] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz/crashes/\(target)")
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        var lines: [[UInt8]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where !name.hasPrefix(".")
        {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                lines.append(Array(line.last == 0x0D ? line.dropLast() : line))
            }
        }
        return lines
    }

    @Test("every SMTP command line libFuzzer crashed on is answered")
    func crashingCommandLines() throws {
        let lines = try Self.crashLines("smtp-command") + Self.crashLines("smtp-session")
        var session = SMTPSession(configuration: SMTPConfiguration(), peer: "fuzz")
        _ = session.receive(Array("EHLO client".utf8))
        for line in lines {
            if case .failure(let reply) = SMTPCommand.parse(line) { #expect((500...599).contains(reply.code)) }
            switch session.receive(line) {
            case .reply(let reply), .close(let reply), .receiveData(let reply), .startTLS(let reply):
                #expect((200...599).contains(reply.code))
            case .drop, .delayed, .receiveChunk: break
            }
            _ = session.receive(Array("RSET".utf8))
        }
    }

    @Test("a MAIL or RCPT parameter made only of '=' is a syntax error, not a crash")
    func parameterOfOnlyEquals() {
        for line in [
            "MAIL FROM:<> =", "MAIL FROM:<a@b> SIZE=10 =", "MAIL FROM:<a@b> = =", "RCPT TO:<a@b> ==",
            "MAIL FROM:<a@b> BODY=8BITMIME ===",
        ] {
            guard case .failure(let reply) = SMTPCommand.parse(Array(line.utf8)) else {
                // Accepting the line (ignoring the empty parameter) is also an answer; crashing is not.
                continue
            }
            #expect(reply.code == 501 || reply.code == 555, "\(line): \(reply)")
        }
    }
}
