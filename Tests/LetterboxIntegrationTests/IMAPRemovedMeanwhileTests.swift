import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// A message removed by another route after a session was told of it keeps its sequence number
/// until the session is sent its EXPUNGE (RFC 3501 §7.4.1, RFC 2180 §4.1).
@Suite(.timeLimit(.minutes(3))) struct IMAPRemovedMeanwhileTests {
    private func command(_ client: LineClient, _ tag: String, _ text: String) async throws -> [String] {
        try await client.command(tag, text)
    }

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

    /// MOVE answers like COPY when another session expunged one of the messages (RFC 5530
    /// EXPUNGEISSUED): nothing moves, and the session is told of the other session's expunge.
    @Test(arguments: [false, true]) func aMoveOfAMessageAnotherSessionExpungedIsExpungeIssued(maildir: Bool)
        async throws
    {
        let folder = try MaildirIntegrationTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var configuration = Configuration()
        if maildir { configuration.storage = .maildir(folder) }
        try await MailCatcher.withRunning(configuration) { mail in
            for subject in ["one", "two"] {
                #expect(
                    try await MaildirIntegrationTests.deliver(
                        sampleMessage(subject: subject), to: ["bo@example.com"], port: mail.ports.smtp) == 250)
            }
            let mover = try LineClient(port: mail.ports.imap)
            let other = try LineClient(port: mail.ports.imap)
            for client in [mover, other] {
                _ = try await client.line()
                _ = try await command(client, "a", "LOGIN u p")
                #expect(try await command(client, "b", "SELECT INBOX").contains("* 2 EXISTS"))
            }
            let expunge = try await command(other, "c", "STORE 1 +FLAGS.SILENT (\\Deleted)")
            #expect(expunge.last?.hasPrefix("c OK") == true, "\(expunge)")
            #expect(try await command(other, "d", "EXPUNGE").contains("* 1 EXPUNGE"))
            let move = try await command(mover, "e", "MOVE 1:2 Trash")
            #expect(move.last?.hasPrefix("e NO [EXPUNGEISSUED]") == true, "\(move)")
            // Only the other session's expunge is announced (MOVE may carry it): nothing moved.
            #expect(move.filter { $0.hasSuffix(" EXPUNGE") } == ["* 1 EXPUNGE"], "\(move)")
            #expect(!move.contains { $0.contains("COPYUID") }, "nothing moved: \(move)")
            let left = try await command(mover, "g", "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            #expect(left.contains("Subject: two") && left.last?.hasPrefix("g OK") == true, "\(left)")
            let trash = try await command(mover, "h", "STATUS Trash (MESSAGES)")
            #expect(trash.contains("* STATUS Trash (MESSAGES 0)"), "\(trash)")
            await mover.close()
            await other.close()
        }
    }

    /// A COPY of a message whose file is gone for good (a removal under way unlinked it) answers
    /// `NO [EXPUNGEISSUED]` (RFC 5530), not `NO [SERVERBUG] link failed` (found by imapcheck).
    @Test func aCopyOfAMessageWhoseFileIsGoneIsExpungeIssued() async throws {
        let folder = try MaildirIntegrationTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var configuration = Configuration()
        configuration.storage = .maildir(folder)
        try await MailCatcher.withRunning(configuration) { mail in
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            _ = try await command(client, "a", "LOGIN u p")
            let message = sampleMessage(subject: "gone")
            let append = try await command(client, "b", "APPEND Archive {\(message.utf8.count)+}\r\n\(message)")
            #expect(append.last?.hasPrefix("b OK") == true, "\(append)")
            #expect(try await command(client, "c", "SELECT Archive").contains("* 1 EXISTS"))
            for directory in ["cur", "new"] {
                let path = "\(folder)/.Archive/\(directory)"
                for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                    try FileManager.default.removeItem(atPath: "\(path)/\(name)")
                }
            }
            let copy = try await command(client, "d", "COPY 1 Trash")
            #expect(copy.last?.hasPrefix("d NO [EXPUNGEISSUED]") == true, "\(copy)")
            await client.close()
        }
    }

    /// A message moved away and back by another session (same message, new UID) is in a session's
    /// view twice until the old entry's EXPUNGE goes out; expunging the new one must not silently
    /// drop the old one too, or the client's numbers no longer match (found by imapcheck).
    @Test func expungingAMessageMovedAwayAndBackRemovesOnlyWhatItReports() async throws {
        try await withCatcher { mail in
            let viewer = try LineClient(port: mail.ports.imap)
            let mover = try LineClient(port: mail.ports.imap)
            for client in [viewer, mover] {
                _ = try await client.line()
                _ = try await command(client, "a", "LOGIN u p")
            }
            let message = sampleMessage(subject: "roundtrip")
            _ = try await command(mover, "b", "APPEND Archive {\(message.utf8.count)+}\r\n\(message)")
            #expect(try await command(viewer, "c", "SELECT Archive").contains("* 1 EXISTS"))
            _ = try await command(mover, "d", "SELECT Archive")
            #expect(try await command(mover, "e", "MOVE 1 Trash").last?.hasPrefix("e OK") == true)
            _ = try await command(mover, "f", "SELECT Trash")
            #expect(try await command(mover, "g", "MOVE 1 Archive").last?.hasPrefix("g OK") == true)
            // FETCH may announce the arrival but not the old UID's expunge: the view holds both.
            let fetch = try await command(viewer, "h", "FETCH 1:* (UID)")
            #expect(fetch.contains("* 2 EXISTS"), "\(fetch)")
            _ = try await command(viewer, "i", "STORE 2 +FLAGS.SILENT (\\Deleted)")
            let expunge = try await command(viewer, "j", "EXPUNGE")
            #expect(expunge.filter { $0.hasSuffix(" EXPUNGE") }.count == 2, "both entries are reported: \(expunge)")
            let status = try await command(viewer, "l", "STATUS Archive (MESSAGES)")
            #expect(status.contains("* STATUS Archive (MESSAGES 0)"), "\(status)")
            await viewer.close()
            await mover.close()
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
