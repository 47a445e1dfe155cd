import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A message whose file the Maildir store cannot rename or unlink keeps its flags or stays, in the
/// index as on disk: IMAP STORE and EXPUNGE answer what they did and NO for the rest (never a
/// server path), and a restart finds what the clients were told.
///
/// The file is bind-mounted onto itself (``MaildirIntegrationTests/whilePinned(_:_:)``); where
/// that needs root the tests are skipped, with that reason.
@Suite(.timeLimit(.minutes(3))) struct MaildirMessageFailureTests {
    /// The names of the files in `directory`, sorted.
    private func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Delivers a message and returns its file's name in `new/`.
    private func deliver(_ subject: String, folder: String, port: Int) async throws -> String {
        let before = Set(files(in: folder + "/new"))
        #expect(
            try await MaildirIntegrationTests.deliver(
                sampleMessage(subject: subject), to: ["bo@example.com"], port: port) == 250)
        let added = files(in: folder + "/new").filter { !before.contains($0) }
        try #require(added.count == 1, "\(added)")
        return added[0]
    }

    @Test func storeChangesTheFlagsItCanAndAnswersNOForAFileThatCannotBeRenamed() async throws {
        try await MaildirIntegrationTests.withMaildir { folder, configuration in
            try await MailCatcher.withRunning(configuration) { mail in
                _ = try await deliver("one", folder: folder, port: mail.ports.smtp)
                let second = try await deliver("two", folder: folder, port: mail.ports.smtp)
                try await MaildirIntegrationTests.whilePinned(folder + "/new/" + second) {
                    let session = try await IMAPTestSession(port: mail.ports.imap)
                    _ = try await session.command("SELECT INBOX")
                    let store = try await session.command("STORE 1:2 +FLAGS (\\Flagged)")
                    #expect(
                        store.untagged.contains { $0.hasPrefix("* 1 FETCH (FLAGS (\\Flagged") }, "\(store.untagged)")
                    #expect(
                        !store.untagged.contains { $0.hasPrefix("* 2 FETCH") }, "reported as changed: \(store.untagged)"
                    )
                    #expect(store.result.hasPrefix("NO"), "\(store.result)")
                    #expect(!store.result.contains(folder), "a reply names a server path: \(store.result)")
                    let fetch = try await session.command("FETCH 1:2 (FLAGS)")
                    #expect(
                        fetch.untagged.contains { $0.hasPrefix("* 1 FETCH (FLAGS (\\Flagged") }, "\(fetch.untagged)")
                    #expect(
                        fetch.untagged.contains { $0.hasPrefix("* 2 FETCH (FLAGS (") && !$0.contains("Flagged") },
                        "\(fetch.untagged)")
                    #expect(fetch.result.hasPrefix("OK"))
                    // Reading it sets \Seen implicitly (RFC 3501 §6.4.5): that fails the same way, and says so.
                    let read = try await session.command("FETCH 2 (BODY[HEADER.FIELDS (SUBJECT)])")
                    #expect(read.untagged.contains("Subject: two"), "\(read.untagged)")
                    #expect(!read.untagged.contains { $0.contains("\\Seen") }, "\(read.untagged)")
                    #expect(read.result.hasPrefix("NO") && !read.result.contains(folder), "\(read.result)")
                    #expect(
                        try await session.command("FETCH 2 (FLAGS)").untagged.allSatisfy { !$0.contains("\\Seen") })
                    await session.close()
                }
            }
            // A restart finds the flags the session was told.
            try await MailCatcher.withRunning(configuration) { mail in
                let flags = mail.messages.sorted { $0.id < $1.id }.map { mail.store.flags(of: $0.id) }
                #expect(flags == [MessageFlags([MessageFlags.flagged]), MessageFlags()], "\(flags)")
            }
        }
    }

    @Test func expungeRemovesWhatItCanAndAnswersNOForAFileThatCannotBeDeleted() async throws {
        try await MaildirIntegrationTests.withMaildir { folder, configuration in
            try await MailCatcher.withRunning(configuration) { mail in
                let first = try await deliver("stays", folder: folder, port: mail.ports.smtp)
                _ = try await deliver("goes", folder: folder, port: mail.ports.smtp)
                let session = try await IMAPTestSession(port: mail.ports.imap)
                _ = try await session.command("SELECT INBOX")
                #expect(try await session.command("STORE 1:2 +FLAGS.SILENT (\\Deleted)").result.hasPrefix("OK"))
                // The first message's file, now in cur/ with its flag letters.
                let base = String(first.prefix { $0 != ":" })
                let current = try #require(files(in: folder + "/cur").first { $0.hasPrefix(base) })
                try await MaildirIntegrationTests.whilePinned(folder + "/cur/" + current) {
                    let expunge = try await session.command("EXPUNGE")
                    #expect(expunge.untagged == ["* 2 EXPUNGE"], "\(expunge.untagged)")
                    #expect(expunge.result.hasPrefix("NO"), "\(expunge.result)")
                    #expect(!expunge.result.contains(folder), "a reply names a server path: \(expunge.result)")
                    // The message that stayed is still message 1, and no EXPUNGE for it follows.
                    let noop = try await session.command("NOOP")
                    #expect(!noop.untagged.contains { $0.hasSuffix("EXPUNGE") }, "\(noop.untagged)")
                    let fetch = try await session.command("FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
                    #expect(fetch.untagged.contains("Subject: stays"), "\(fetch.untagged)")
                    #expect(mail.messages.map(\.subject) == ["stays"])
                    await session.close()
                }
            }
            try await MailCatcher.withRunning(configuration) { mail in
                #expect(mail.messages.map(\.subject) == ["stays"])
            }
        }
    }

    @Test func pop3QuitSaysWhenADeletedMessageCouldNotBeRemoved() async throws {
        try await MaildirIntegrationTests.withMaildir { folder, configuration in
            try await MailCatcher.withRunning(configuration) { mail in
                let first = try await deliver("stays", folder: folder, port: mail.ports.smtp)
                _ = try await deliver("goes", folder: folder, port: mail.ports.smtp)
                try await MaildirIntegrationTests.whilePinned(folder + "/new/" + first) {
                    let client = try LineClient(port: mail.ports.pop3)
                    _ = try await client.line()
                    var replies: [String] = []
                    for command in ["USER u", "PASS p", "DELE 1", "DELE 2", "QUIT"] {
                        try await client.send(command + "\r\n")
                        replies.append(try await client.line())
                    }
                    #expect(replies.prefix(4).allSatisfy { $0.hasPrefix("+OK") }, "\(replies)")
                    // RFC 1939 §6: the UPDATE state says when some deleted messages were not removed.
                    #expect(replies[4].hasPrefix("-ERR [SYS/TEMP]"), "\(replies[4])")
                    #expect(!replies[4].contains(folder), "a reply names a server path: \(replies[4])")
                    #expect(mail.messages.map(\.subject) == ["stays"])
                    await client.close()
                }
            }
        }
    }
}
