import Foundation
import Letterbox
import Testing

/// Keywords under concurrency, over TCP with several real sessions: a keyword one session stores
/// is announced (`* FLAGS`, PERMANENTFLAGS) to every session with the mailbox selected before any
/// FETCH mentions it (RFC 3501 §7.2.6), in the memory and the Maildir store.
@Suite(.timeLimit(.minutes(3))) struct IMAPKeywordSessionsTests {
    static let system = "\\Answered \\Flagged \\Deleted \\Seen \\Draft"

    private func withStore(_ maildir: Bool, _ body: (MailCatcher) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-keywords-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withCatcher({ if maildir { $0.storage = .maildir(folder) } }, body)
    }

    private func deliver(_ mail: MailCatcher) async throws {
        let client = try LineClient(port: mail.ports.smtp)
        _ = try await client.reply()
        try await client.send("EHLO t\r\nMAIL FROM:<s@example.com>\r\nRCPT TO:<bo@example.com>\r\nDATA\r\n")
        for _ in 0..<4 { _ = try await client.reply() }
        try await client.send(sampleMessage() + ".\r\nQUIT\r\n")
        #expect(try await client.code() == 250)
        await client.close()
    }

    /// Reads lines up to the tagged reply; returns them all.
    private func lines(until tag: String, from client: LineClient) async throws -> [String] {
        var lines: [String] = []
        repeat { lines.append(try await client.line()) } while !(lines.last ?? "").hasPrefix("\(tag) ")
        return lines
    }

    @Test(arguments: [false, true])
    func aStoredKeywordReachesEverySessionBeforeItsFetch(maildir: Bool) async throws {
        try await withStore(maildir) { mail in
            try await deliver(mail)
            let sessions = try (0..<3).map { _ in try LineClient(port: mail.ports.imap) }
            for client in sessions {
                _ = try await client.line()
                try await client.send("a LOGIN x y\r\nb SELECT INBOX\r\n")
                _ = try await lines(until: "a", from: client)
                let select = try await lines(until: "b", from: client)
                #expect(select.first == "* FLAGS (\(Self.system))")
            }
            let (storer, idler, poller) = (sessions[0], sessions[1], sessions[2])
            try await idler.send("c IDLE\r\n")
            #expect(try await idler.line() == "+ idling")
            try await storer.send("d STORE 1 +FLAGS ($label1)\r\n")
            let announcement = [
                "* FLAGS (\(Self.system) $label1)",
                "* OK [PERMANENTFLAGS (\(Self.system) $label1 \\*)] flags permitted",
            ]
            let stored = try await lines(until: "d", from: storer)
            #expect(stored.prefix(2) == announcement[...])
            #expect(stored.dropFirst(2).first == "* 1 FETCH (FLAGS (\\Recent $label1))")
            #expect(try await idler.line() == announcement[0])
            #expect(try await idler.line() == announcement[1])
            #expect(try await idler.line() == "* 1 FETCH (FLAGS ($label1))")
            try await idler.send("DONE\r\n")
            #expect(try await idler.line() == "c OK IDLE terminated")
            try await poller.send("e NOOP\r\n")
            #expect(
                try await lines(until: "e", from: poller) == announcement + [
                    "* 1 FETCH (FLAGS ($label1))", "e OK NOOP completed",
                ])
            // A session that selects now finds the keyword in FLAGS.
            let late = try LineClient(port: mail.ports.imap)
            _ = try await late.line()
            try await late.send("a LOGIN x y\r\nb EXAMINE INBOX\r\n")
            _ = try await lines(until: "a", from: late)
            #expect(try await late.line() == announcement[0])
            for client in sessions + [late] { await client.close() }
        }
    }
}
