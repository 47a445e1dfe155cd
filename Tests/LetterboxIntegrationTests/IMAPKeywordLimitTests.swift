import Letterbox
import Testing

/// A mailbox's keywords are bounded (every session is told all of them in FLAGS): 256 per
/// mailbox, 50 octets each. Once the set is full PERMANENTFLAGS drops `\*` (RFC 3501 §7.1), and a
/// command that would make a new keyword is answered `NO [LIMIT]` (RFC 5530 §3) and changes nothing.
@Suite(.timeLimit(.minutes(3))) struct IMAPKeywordLimitTests {
    @Test func aFullKeywordSetRefusesNewKeywordsAndSaysSo() async throws {
        try await MailCatcher.withRunning(Configuration()) { mail in
            #expect(
                try await MaildirIntegrationTests.deliver(
                    sampleMessage(), to: ["bo@example.com"], port: mail.ports.smtp)
                    == 250)
            let session = try await IMAPTestSession(port: mail.ports.imap)
            let selected = try await session.command("SELECT INBOX")
            #expect(selected.untagged.contains { $0.hasPrefix("* OK [PERMANENTFLAGS") && $0.contains("\\*)]") })

            let long = String(repeating: "k", count: 51)
            #expect(try await session.command("STORE 1 +FLAGS (\(long))").result.hasPrefix("NO [LIMIT]"))
            let fifty = String(repeating: "k", count: 50)
            #expect(try await session.command("STORE 1 +FLAGS (\(fifty))").result.hasPrefix("OK"))

            let keywords = (1...255).map { "kw\($0)" }
            let filled = try await session.command("STORE 1 +FLAGS.SILENT (\(keywords.joined(separator: " ")))")
            #expect(filled.result.hasPrefix("OK"), "\(filled.result)")
            let permanent = filled.untagged.filter { $0.hasPrefix("* OK [PERMANENTFLAGS") }
            #expect(permanent.count == 1 && !permanent[0].contains("\\*"), "full: no \\* any more: \(permanent)")

            let refused = try await session.command("STORE 1 +FLAGS (kw256)")
            #expect(refused.result.hasPrefix("NO [LIMIT]"), "\(refused.result)")
            #expect(refused.untagged.isEmpty, "\(refused.untagged)")
            let raw = sampleMessage(subject: "appended")
            let appended = try await session.command("APPEND INBOX (kw257) {\(raw.utf8.count)+}\r\n\(raw)")
            #expect(appended.result.hasPrefix("NO [LIMIT]"), "\(appended.result)")
            #expect(mail.messages.count == 1)
            // The keywords the mailbox has stay usable, alone or with system flags.
            #expect(try await session.command("STORE 1 FLAGS (\\Seen kw7 \(fifty))").result.hasPrefix("OK"))
            let fetched = try await session.command("FETCH 1 (FLAGS)")
            #expect(fetched.untagged == ["* 1 FETCH (FLAGS (\\Seen \\Recent \(fifty) kw7))"], "\(fetched.untagged)")

            // A session that selects the mailbox later is told no new keyword can be made.
            let other = try await IMAPTestSession(port: mail.ports.imap)
            let later = try await other.command("SELECT INBOX").untagged.filter { $0.hasPrefix("* OK [PERMANENTFLAGS") }
            #expect(later.count == 1 && !later[0].contains("\\*"), "\(later)")
            await session.close()
            await other.close()
        }
    }
}
