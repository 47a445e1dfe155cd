import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// A message removed by another route after a session was told of it keeps its sequence number
/// until the session is sent its EXPUNGE (RFC 3501 §7.4.1, RFC 2180 §4.1).
@Suite(.timeLimit(.minutes(3))) struct IMAPRemovedMeanwhileTests {
    @Test func aFetchOfAMessageDeletedOverHTTPIsExpungeIssuedNotBad() async throws {
        try await MaildirIntegrationTests.withMaildir { _, configuration in
            try await MailCatcher.withRunning(configuration) { mail in
                let session = try await selectedSession(of: mail, delivering: ["one", "two"])
                let curl = try ExternalTool.path("curl", package: "curl")
                let first = try #require(mail.messages.first { $0.subject == "one" })
                let deleted = try await ExternalTool.run(
                    curl,
                    [
                        "--silent", "-X", "DELETE", "--write-out", "%{http_code}",
                        "http://127.0.0.1:\(mail.ports.http)/messages/\(first.id)",
                    ]
                ).stdout
                #expect(deleted.hasSuffix("200") || deleted.hasSuffix("204"), "\(deleted)")
                let fetch = try await session.command("FETCH 1:2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
                #expect(fetch.untagged.contains("Subject: two"), "the message still there is answered: \(fetch)")
                #expect(fetch.result.hasPrefix("NO [EXPUNGEISSUED]"), "\(fetch)")
                #expect(!fetch.untagged.contains { $0.hasSuffix(" EXPUNGE") }, "no EXPUNGE during FETCH: \(fetch)")
                let noop = try await session.command("NOOP")
                #expect(noop.untagged.first == "* 1 EXPUNGE", "\(noop)")
                let after = try await session.command("FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
                #expect(after.untagged.contains("Subject: two") && after.result.hasPrefix("OK"), "\(after)")
                await session.close()
            }
        }
    }

    @Test func retentionRemovingASelectedMessageKeepsItsNumberUntilTheNextNoop() async throws {
        var configuration = Configuration()
        configuration.retention = RetentionPolicy(maxMessages: 2)
        try await MailCatcher.withRunning(configuration) { mail in
            let session = try await selectedSession(of: mail, delivering: ["one", "two"])
            // A third arrival makes retention remove the first message.
            #expect(
                try await MaildirIntegrationTests.deliver(
                    sampleMessage(subject: "three"), to: ["bo@example.com"], port: mail.ports.smtp) == 250)
            #expect(mail.messages.map(\.subject) == ["two", "three"])
            let fetch = try await session.command("FETCH 1:2 (FLAGS)")
            #expect(fetch.result.hasPrefix("OK"), "\(fetch)")
            #expect(!fetch.untagged.contains { $0.hasSuffix(" EXPUNGE") }, "no EXPUNGE during FETCH: \(fetch)")
            let noop = try await session.command("NOOP")
            // The arrival was announced during FETCH (EXISTS may go out there, EXPUNGE may not).
            #expect(fetch.untagged.contains("* 3 EXISTS"), "\(fetch)")
            #expect(noop.untagged.first == "* 1 EXPUNGE", "\(noop)")
            let after = try await session.command("FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            #expect(after.untagged.contains("Subject: three") && after.result.hasPrefix("OK"), "\(after)")
            await session.close()
        }
    }

    /// Delivers messages with these subjects, then returns a session with INBOX selected.
    private func selectedSession(of mail: MailCatcher, delivering subjects: [String]) async throws -> IMAPTestSession {
        for subject in subjects {
            #expect(
                try await MaildirIntegrationTests.deliver(
                    sampleMessage(subject: subject), to: ["bo@example.com"], port: mail.ports.smtp) == 250)
        }
        let session = try await IMAPTestSession(port: mail.ports.imap)
        #expect(try await session.command("SELECT INBOX").untagged.contains("* \(subjects.count) EXISTS"))
        return session
    }
}
