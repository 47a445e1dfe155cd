import Foundation
import Letterbox
import LetterboxNet
import Testing

/// The `--verbose` transcript shows every exchange: an IMAP literal as `{N bytes}` (its content
/// at trace level), a POP3 multi-line reply's lines (a long one summarized).
@Suite(.timeLimit(.minutes(2))) struct VerboseTranscriptTests {
    private func transcript(_ log: SessionLog) -> [String] {
        log.all.compactMap { line in
            guard let range = line.range(of: " C: ") ?? line.range(of: " S: ") else { return nil }
            return String(line[line.index(range.lowerBound, offsetBy: 1)...])
        }
    }

    @Test(arguments: [Logger.Level.info, .trace]) func anIMAPLiteralIsLoggedAsItsSize(level: Logger.Level) async throws
    {
        let log = SessionLog()
        try await withCatcher({ configuration in
            configuration.transcript = true
            configuration.logger = Logger(level: level, sink: { log.record($0) })
        }) { mail in
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            let message = sampleMessage(subject: "literal")
            try await client.send("a LOGIN {1}\r\n")
            _ = try await client.line()
            try await client.send("u {6}\r\n")
            _ = try await client.line()
            try await client.send("secret\r\nb APPEND INBOX {\(message.utf8.count)+}\r\n\(message)\r\nc LOGOUT\r\n")
            while try await !client.line().hasPrefix("c OK") {}
            await client.close()
            let lines = transcript(log)
            #expect(lines.contains("C: a LOGIN {1}"), "\(lines)")
            #expect(lines.contains("C: {1 bytes}"), "\(lines)")
            #expect(lines.contains("C: {6 bytes}"), "\(lines)")
            #expect(lines.contains("C: {\(message.utf8.count) bytes}"), "\(lines)")
            #expect(lines.contains("S: + ready for literal"), "\(lines)")
            #expect(lines.contains("C: Subject: literal") == (level == .trace), "content only at trace: \(lines)")
            #expect(lines.contains("C: secret") == (level == .trace), "content only at trace: \(lines)")
        }
    }

    @Test func POP3MultiLineRepliesAreLogged() async throws {
        let log = SessionLog()
        try await withCatcher({ configuration in
            configuration.transcript = true
            configuration.logger = Logger(level: .info, sink: { log.record($0) })
        }) { mail in
            let body = (1...30).map { "line \($0)" }.joined(separator: "\r\n")
            #expect(
                try await MaildirIntegrationTests.deliver(
                    sampleMessage(subject: "long", body: body), to: ["bo@example.com"], port: mail.ports.smtp) == 250)
            let client = try LineClient(port: mail.ports.pop3)
            _ = try await client.line()
            try await client.send("CAPA\r\nUSER u\r\nPASS p\r\nRETR 1\r\nQUIT\r\n")
            while try await !client.line().hasPrefix("+OK Letterbox POP3 signing off") {}
            await client.close()
            let lines = transcript(log)
            #expect(lines.contains("S: UIDL"), "CAPA's lines: \(lines)")
            #expect(lines.contains("S: USER"), "CAPA's lines: \(lines)")
            #expect(lines.contains { $0.hasPrefix("S: (3") && $0.hasSuffix(" octets)") }, "RETR summarized: \(lines)")
            #expect(!lines.contains("S: line 30"), "the message is not copied into the log: \(lines)")
            #expect(lines.filter { $0 == "S: ." }.count == 2, "\(lines)")
        }
    }
}
