import Foundation
import Letterbox
import Testing

/// The smaller IMAP extensions over TCP, in the memory and the Maildir store: MULTIAPPEND
/// (RFC 3502), UTF8=ACCEPT (RFC 6855), SEARCHRES (RFC 5182), LIST-EXTENDED with LIST-STATUS
/// (RFC 5258, RFC 5819). Their answers are compared with Dovecot's in
/// ``DovecotExtensionDifferentialTests``; UTF8=ACCEPT is not in Dovecot 2.3.
@Suite(.timeLimit(.minutes(3))) struct IMAPSmallExtensionsTests {
    static let message = "From: ana@example.com\r\nSubject: appended\r\n\r\nHello\r\n"

    private func withSessions(
        _ maildir: Bool, _ count: Int = 1, _ body: ([IMAPScriptClient]) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-small-ext-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withCatcher({
            $0.smtpPort = nil; $0.pop3Port = nil; $0.httpPort = nil
            if maildir { $0.storage = .maildir(folder) }
        }) { mail in
            var clients: [IMAPScriptClient] = []
            for _ in 0..<count {
                let client = try IMAPScriptClient(port: mail.ports.imap)
                _ = try await client.greeting()
                #expect(try await client.send("LOGIN x y").status == "OK")
                clients.append(client)
            }
            try await body(clients)
            for client in clients { await client.close() }
        }
    }

    private func literal(_ text: String, binary: Bool = false) -> String {
        "\(binary ? "~" : ""){\(text.utf8.count)+}\r\n\(text)"
    }

    private func lines(_ response: IMAPScriptClient.Response) -> [String] {
        response.untagged.map { String(decoding: $0, as: UTF8.self) } + [response.completion]
    }

    @Test(arguments: [false, true])
    func multiAppendStoresAllOrNone(maildir: Bool) async throws {
        try await withSessions(maildir) { clients in
            let client = clients[0]
            let both = try await client.send(
                "APPEND Sent (\\Seen) \(literal(Self.message)) \"21-Nov-1997 09:55:06 -0600\" \(literal(Self.message))")
            #expect(both.status == "OK")
            #expect(both.completion.contains(" 1:2] "), "APPENDUID names both UIDs: \(both.completion)")
            let refused = try await client.send("APPEND Sent \(literal(Self.message)) {0+}\r\n")
            #expect(refused.status == "NO", "an empty second message: \(refused.completion)")
            // The budget covers the whole command (IMAPCommandBudget): a literal8, or a later
            // message that would take the command past one message's limit, is refused first.
            #expect(try await client.send("APPEND Sent ~{999999999}").completion.contains("NO [TOOBIG]"))
            let large = "Subject: large\r\n\r\n" + String(repeating: "0123456789abcdef\r\n", count: 4096)
            let tooMuch = try await client.send("APPEND Sent \(literal(large)) (\\Seen) {\(32 * 1024 * 1024)}")
            #expect(tooMuch.completion.contains("NO [TOOBIG]"), "\(tooMuch.completion)")
            let nowhere = try await client.send("APPEND Nowhere \(literal(Self.message)) \(literal(Self.message))")
            #expect(nowhere.completion.contains("NO [TRYCREATE]"))
            #expect(try await client.send("SELECT Sent").untagged.contains(Array("* 2 EXISTS".utf8)), "nothing more")
            let fetched = lines(try await client.send("FETCH 1:* (FLAGS INTERNALDATE)"))
            #expect(fetched.first?.hasPrefix("* 1 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE") == true, "\(fetched)")
            // The same instant; Letterbox keeps no zone and writes it in UTC.
            #expect(
                fetched.dropFirst().first == "* 2 FETCH (FLAGS (\\Recent) INTERNALDATE \"21-Nov-1997 15:55:06 +0000\")")
        }
    }

    /// RFC 3502 §3: when a later message cannot be stored (here: the disk fills up), the ones
    /// stored before it are removed again.
    @Test func multiAppendUndoesWhatItStoredWhenALaterMessageFails() async throws {
        try await MaildirIntegrationTests.withTmpfs(size: "1m") { folder in
            try await withCatcher({
                $0.smtpPort = nil; $0.pop3Port = nil; $0.httpPort = nil
                $0.storage = .maildir(folder)
            }) { mail in
                let client = try IMAPScriptClient(port: mail.ports.imap)
                _ = try await client.greeting()
                _ = try await client.send("LOGIN x y")
                let big = "Subject: big\r\n\r\n" + String(repeating: "0123456789abcdef\r\n", count: 96 * 1024)
                let failed = try await client.send("APPEND Archive \(literal(Self.message)) \(literal(big))")
                #expect(failed.completion.contains("NO [OVERQUOTA]"), "\(failed.completion)")
                #expect(
                    lines(try await client.send("STATUS Archive (MESSAGES)")).first == "* STATUS Archive (MESSAGES 0)")
                let retried = try await client.send("APPEND Archive \(literal(Self.message)) \(literal(Self.message))")
                #expect(retried.status == "OK", "the space is free again: \(retried.completion)")
                await client.close()
            }
        }
    }

    @Test(arguments: [false, true])
    func utf8AcceptNamesMailboxesInUTF8(maildir: Bool) async throws {
        try await withSessions(maildir, 2) { clients in
            let (modern, legacy) = (clients[0], clients[1])
            #expect(
                try await modern.send("APPEND INBOX UTF8 (\(literal(Self.message, binary: true)))").completion
                    .contains("BAD"), "UTF8 APPEND needs ENABLE first (RFC 6855 §4)")
            #expect(lines(try await modern.send("ENABLE UTF8=ACCEPT")).first == "* ENABLED UTF8=ACCEPT")
            #expect(try await modern.send("CREATE \"Entwürfe/Ä\"").status == "OK")
            #expect(
                lines(try await legacy.send("LIST \"\" Entw*")).dropLast() == [
                    "* LIST (\\HasChildren) \"/\" Entw&APw-rfe", "* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe/&AMQ-",
                ], "a client that did not enable it sees modified UTF-7")
            #expect(
                lines(try await modern.send("LIST \"\" \"Entwürfe/*\"")).dropLast() == [
                    "* LIST (\\HasNoChildren) \"/\" {\("Entwürfe/Ä".utf8.count)}\r\nEntwürfe/Ä"
                ])
            let appended = try await modern.send("APPEND \"Entwürfe\" UTF8 (\(literal(Self.message, binary: true)))")
            #expect(appended.status == "OK", "\(appended.completion)")
            #expect(
                lines(try await legacy.send("STATUS Entw&APw-rfe (MESSAGES)")).first
                    == "* STATUS Entw&APw-rfe (MESSAGES 1)")
            #expect(
                lines(try await modern.send("STATUS \"Entwürfe\" (MESSAGES)")).first
                    == "* STATUS {\("Entwürfe".utf8.count)}\r\nEntwürfe (MESSAGES 1)")
            #expect(
                try await legacy.send("SELECT \"Entwürfe\"").status == "NO",
                "without UTF8=ACCEPT a UTF-8 name is another name")
        }
    }

    /// BINARY (RFC 3516): decoded parts, their sizes, a literal8 for octets with NUL, APPEND of a
    /// literal8 and UNKNOWN-CTE.
    @Test(arguments: [false, true])
    func binaryFetchesDecodedParts(maildir: Bool) async throws {
        try await withSessions(maildir) { clients in
            let client = clients[0]
            for message in DovecotExtensionDifferentialTests.binaryMessages {
                #expect(try await client.send("APPEND Archive \(literal(message))").status == "OK")
            }
            let withNUL = "Subject: nul\r\n\r\na\u{0}b\r\n"
            #expect(try await client.send("APPEND Archive \(literal(withNUL, binary: true))").status == "OK")
            _ = try await client.send("SELECT Archive")
            #expect(
                lines(try await client.send("FETCH 1 (BINARY.SIZE[1] BINARY.SIZE[2] BINARY.PEEK[2]<1.3>)")).first
                    == "* 1 FETCH (BINARY.SIZE[1] 12 BINARY.SIZE[2] 7 BINARY[2]<1> ~{3}\r\nb\u{0}c)")
            #expect(
                lines(try await client.send("FETCH 1 (BINARY[1])")).first
                    == "* 1 FETCH (BINARY[1] {12}\r\nGrüße Welt FLAGS (\\Seen \\Recent))")
            #expect(lines(try await client.send("FETCH 2 (BINARY.PEEK[1])")).first?.hasPrefix("d") == true)
            #expect(try await client.send("FETCH 2 (BINARY.PEEK[1])").completion.contains("NO [UNKNOWN-CTE]"))
            #expect(
                lines(try await client.send("FETCH 3 (BINARY.PEEK[])")).first
                    == "* 3 FETCH (BINARY[] ~{\(withNUL.utf8.count)}\r\n\(withNUL))")
        }
    }

    @Test(arguments: [false, true])
    func savedSearchResultAndListStatus(maildir: Bool) async throws {
        try await withSessions(maildir) { clients in
            let client = clients[0]
            for _ in 0..<3 { _ = try await client.send("APPEND Archive \(literal(Self.message))") }
            #expect(
                lines(try await client.send("LIST \"\" (Archive Sent) RETURN (STATUS (MESSAGES SIZE))")).dropLast() == [
                    "* LIST () \"/\" Archive", "* STATUS Archive (MESSAGES 3 SIZE \(3 * Self.message.utf8.count))",
                    "* LIST () \"/\" Sent", "* STATUS Sent (MESSAGES 0 SIZE 0)",
                ])
            _ = try await client.send("SELECT Archive")
            #expect(try await client.send("UID SEARCH RETURN (SAVE) 2:*").untagged.isEmpty)
            #expect(try await client.send("STORE $ +FLAGS.SILENT (\\Deleted)").status == "OK")
            #expect(lines(try await client.send("EXPUNGE")).dropLast() == ["* 3 EXPUNGE", "* 2 EXPUNGE"])
            #expect(try await client.send("UID FETCH $ (UID)").untagged.isEmpty, "the saved messages are gone")
        }
    }
}
