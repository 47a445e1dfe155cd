import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// Mailbox commands answered by Letterbox and by Dovecot, compared: LIST/LSUB with CHILDREN and
/// SPECIAL-USE attributes, CREATE/RENAME/DELETE/SUBSCRIBE, STATUS with every item, APPEND, COPY
/// and MOVE with their UIDPLUS codes (RFC 4315), UID EXPUNGE, ESEARCH (RFC 4731) and INBOX renaming. Both servers hold
/// the same three fixtures in INBOX and have the same default folders (see ``DovecotIMAPServer``).
///
/// What is compared: untagged lines (LIST and LSUB as sets, since servers order them freely),
/// and each completion's status and response code; the human-readable text after a response code
/// is the server's own. UIDVALIDITY values differ by nature and are replaced by `V`.
@Suite(.timeLimit(.minutes(3))) struct DovecotMailboxDifferentialTests {
    /// Where Letterbox answers differently on purpose: the command, what Dovecot says and what
    /// Letterbox says instead (both normalised), and why.
    static let acceptedDifferences: [(command: String, dovecot: String, letterbox: String, reason: String)] = [
        (
            "STATUS Nowhere (MESSAGES)", "    NO", "    NO [NONEXISTENT]",
            "Letterbox names the reason with the RFC 5530 code; Dovecot's STATUS gives none"
        ),
        (
            "STATUS INBOX (MESSAGES UIDNEXT UNSEEN)", "OK [CLIENTBUG]", "OK",
            "Dovecot flags STATUS on the selected mailbox (RFC 9051 §6.3.11 discourages it); Letterbox just answers"
        ),
        (
            "UID MOVE 2 Trash", "\n    * 3 RECENT", "",
            "Dovecot restates RECENT after expunges; RFC 3501 §7.3.2 asks for it when messages arrive"
        ),
        (
            "MOVE 1 Projects/2024", "\n    * 2 RECENT", "",
            "Dovecot restates RECENT after expunges; RFC 3501 §7.3.2 asks for it when messages arrive"
        ),
        (
            "UID EXPUNGE 4", "\n    * 1 RECENT", "",
            "Dovecot restates RECENT after expunges; RFC 3501 §7.3.2 asks for it when messages arrive"
        ),
        (
            "SEARCH CHARSET X-NO-SUCH-CHARSET ALL", "NO [BADCHARSET]", "NO [BADCHARSET (UTF-8 US-ASCII)]",
            "Letterbox lists the charsets it supports, as RFC 3501 §7.1 allows, so a client can retry in one"
        ),
        // RFC 3501 §6.3.5: renaming INBOX moves its messages to the new mailbox and leaves INBOX
        // empty. Dovecot's Maildir++ layout refuses to rename INBOX at all.
        ("RENAME INBOX Old", "    NO [CANNOT]", "    OK", "Dovecot (Maildir++) cannot rename INBOX"),
        ("STATUS INBOX (MESSAGES)", "MESSAGES 1", "MESSAGES 0", "Dovecot (Maildir++) cannot rename INBOX"),
        (
            "STATUS Old (MESSAGES UIDNEXT)", "    NO", "    * STATUS Old (MESSAGES 1 UIDNEXT 2)\n    OK",
            "Dovecot (Maildir++) cannot rename INBOX"
        ),
        (
            "LIST \"\" O*", "    OK", "    * LIST (\\HasNoChildren) \"/\" Old\n    OK",
            "Dovecot (Maildir++) cannot rename INBOX"
        ),
    ]

    static let message = "From: ana@example.com\r\nSubject: appended\r\n\r\nHello\r\n"

    /// The script, run in order on both servers.
    static let script: [String] = [
        "LIST \"\" *",
        "LIST \"\" %",
        "LIST \"\" \"\"",
        "LSUB \"\" *",
        "CREATE Projects",
        "CREATE Projects/2024",
        "CREATE Projects",
        "CREATE Projects/2024/",
        "LIST \"\" Projects*",
        "LIST Projects/ %",
        "LIST \"\" %/%",
        "STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE)",
        "STATUS Nowhere (MESSAGES)",
        "SELECT INBOX",
        "STORE 1 +FLAGS.SILENT (\\Seen)",
        "APPEND Sent (\\Seen) \"21-Nov-1997 09:55:06 -0600\" {\(message.utf8.count)+}\r\n\(message)",
        "APPEND INBOX {\(message.utf8.count)+}\r\n\(message)",
        "APPEND Nowhere {\(message.utf8.count)+}\r\n\(message)",
        "STATUS Sent (MESSAGES RECENT UIDNEXT UNSEEN SIZE)",
        "COPY 1:2 Archive",
        "UID COPY 3,4 Archive",
        "COPY 1 Nowhere",
        "STATUS Archive (MESSAGES RECENT UIDNEXT UNSEEN)",
        "UID MOVE 2 Trash",
        "MOVE 1 Projects/2024",
        "STATUS Trash (MESSAGES UIDNEXT)",
        "STATUS INBOX (MESSAGES UIDNEXT UNSEEN)",
        "FETCH 1:* (UID FLAGS)",
        "SEARCH RETURN (MIN MAX COUNT) UNSEEN",
        "UID SEARCH RETURN () ALL",
        "UID SEARCH RETURN (COUNT ALL) SUBJECT nothing",
        "STORE 1:* +FLAGS.SILENT (\\Deleted)",
        "UID EXPUNGE 4",
        "FETCH 1:* (UID)",
        // A new keyword is announced (FLAGS, PERMANENTFLAGS) before the FETCH showing it (RFC 3501 §7.2.6).
        "STORE 1 +FLAGS ($label1)",
        "STORE 1 +FLAGS.SILENT (Work)",
        "FETCH 1 (FLAGS)",
        // RFC 3501 §6.4.4: an unknown charset is a tagged NO [BADCHARSET], not BAD.
        "SEARCH CHARSET X-NO-SUCH-CHARSET ALL",
        "SUBSCRIBE Projects/2024",
        "LSUB \"\" Projects*",
        "UNSUBSCRIBE Projects/2024",
        "LSUB \"\" Projects*",
        "RENAME Projects Work",
        "LIST \"\" Work*",
        "STATUS Work/2024 (MESSAGES UIDNEXT)",
        "RENAME Nowhere Else",
        "RENAME Work Archive",
        "DELETE Work/2024",
        "DELETE Work",
        "DELETE Nowhere",
        "UNSELECT",
        "RENAME INBOX Old",
        "STATUS INBOX (MESSAGES)",
        "STATUS Old (MESSAGES UIDNEXT)",
        "LIST \"\" O*",
        // RFC 3501 §6.3.9: `%` lists the unsubscribed parent of a subscribed name as \Noselect.
        "CREATE Lists/swift",
        "SUBSCRIBE Lists/swift",
        "LSUB \"\" %",
        "LSUB Lists/ %",
        "LSUB \"\" L*",
        // RFC 3501 §6.3.2: EXAMINE reports RECENT without claiming it; no permanent flags.
        "STATUS Sent (RECENT)",
        "EXAMINE Sent",
        "UNSELECT",
        "SELECT Sent",
        "UNSELECT",
    ]

    @Test func mailboxCommandsAnswerLikeDovecot() async throws {
        let fixtures = try ["plain-7bit", "multipart-alternative", "mixed-attachments"].map(IMAPSyncClientTests.fixture)
        try await Self.compareWithDovecot(Self.script, accepted: Self.acceptedDifferences, messages: fixtures)
    }

    /// Runs `script` on a Dovecot and a Letterbox that both hold `messages` in INBOX, and records
    /// an issue listing the differences `accepted` does not explain (see ``differences(running:on:and:accepted:)``).
    /// - Parameter store: Letterbox's store: `memory`, or `maildir` (in a temporary folder).
    static func compareWithDovecot(
        _ script: [String], accepted: [(command: String, dovecot: String, letterbox: String, reason: String)],
        messages: [[UInt8]], store: String = "memory"
    ) async throws {
        _ = try DovecotIMAPServer.executable()
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-differential-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await DovecotIMAPServer.withRunning(messages: messages) { dovecot in
            try await withCatcher({
                $0.smtpPort = nil; $0.pop3Port = nil; $0.httpPort = nil
                if store == "maildir" { $0.storage = .maildir(folder) }
            }) { catcher in
                for message in messages {
                    _ = try await catcher.store.append(
                        message,
                        envelope: Envelope(sender: "differential@example.com", recipients: ["test@example.com"]))
                }
                let reference = try await loggedIn(port: dovecot.port)
                let candidate = try await loggedIn(port: catcher.ports.imap)
                let differences: [String]
                do {
                    differences = try await self.differences(
                        running: script, on: reference, and: candidate, accepted: accepted)
                } catch {
                    throw ExchangeFailure(description: "\(error)\nDovecot's log:\n\(dovecot.log.suffix(3000))")
                }
                await reference.close()
                await candidate.close()
                if !differences.isEmpty {
                    Issue.record(
                        "\(differences.count) differences from Dovecot:\n\n\(differences.joined(separator: "\n\n"))\n\(dovecot.log.suffix(1000))"
                    )
                }
            }
        }
    }

    /// A script client logged in to the server on `port` as the differential user.
    static func loggedIn(port: Int) async throws -> IMAPScriptClient {
        let client = try IMAPScriptClient(port: port)
        _ = try await client.greeting()
        let login = try await client.send("LOGIN \(DovecotIMAPServer.user) \(DovecotIMAPServer.password)")
        try #require(login.status == "OK", "LOGIN: \(login.completion)")
        return client
    }

    /// Runs `script` on both servers, command by command, and describes every difference between
    /// the normalised answers that `accepted` does not explain, and every accepted difference no
    /// longer seen.
    static func differences(
        running script: [String], on reference: IMAPScriptClient, and candidate: IMAPScriptClient,
        accepted: [(command: String, dovecot: String, letterbox: String, reason: String)]
    ) async throws -> [String] {
        var differences: [String] = []
        var used: Set<Int> = []
        for command in script {
            var expected = normalized(try await answer(from: reference, "Dovecot", to: command), command: command)
            let actual = normalized(try await answer(from: candidate, "Letterbox", to: command), command: command)
            for (index, difference) in accepted.enumerated() where difference.command == command {
                let replaced = expected.replacingOccurrences(of: difference.dovecot, with: difference.letterbox)
                if replaced != expected { used.insert(index) }
                expected = replaced
            }
            if expected != actual {
                differences.append("\(command.prefix(80)):\n  dovecot:\n\(expected)\n  letterbox:\n\(actual)")
            }
        }
        for index in accepted.indices where !used.contains(index) {
            differences.append("accepted difference no longer seen: \(accepted[index])")
        }
        return differences
    }

    /// Which server failed to answer which command, and how.
    struct ExchangeFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// `client`'s answer to `command`; a failure names the server and the command.
    private static func answer(
        from client: IMAPScriptClient, _ server: String, to command: String
    ) async throws -> IMAPScriptClient.Response {
        do {
            return try await client.send(command)
        } catch {
            throw ExchangeFailure(description: "\(server) did not answer \(command.prefix(80)): \(error)")
        }
    }

    /// The response as comparable text: untagged lines (sorted for LIST/LSUB) with UIDVALIDITY
    /// values as `V` and the text after a response code dropped, then `status [code]`.
    static func normalized(_ response: IMAPScriptClient.Response, command: String) -> String {
        func clean(_ line: String) -> String {
            var line = line.replacingOccurrences(
                of: #"(UIDVALIDITY|APPENDUID|COPYUID) \d+"#, with: "$1 V", options: .regularExpression)
            // "* OK [CODE ...] text" → "* OK [CODE ...]": the text is the server's own.
            if let close = line.firstIndex(of: "]"),
                line.contains(" OK [") || line.contains(" NO [") || line.contains(" BAD [")
            {
                line = String(line[...close])
            } else if line.hasPrefix("* OK ") || line.hasPrefix("* NO ") {
                line = String(line.prefix(4))
            }
            return line
        }
        var lines = response.untagged.map { clean(String(decoding: $0, as: UTF8.self)) }
        let verb = command.split(separator: " ").first.map(String.init) ?? ""
        if verb == "LIST" || verb == "LSUB" { lines.sort() }
        var completion = clean(response.completion).split(separator: " ", maxSplits: 2).dropFirst().joined(
            separator: " ")
        if let close = completion.firstIndex(of: "]"), completion.contains("[") {
            completion = String(completion[...close])
        } else {
            completion = String(completion.split(separator: " ").first ?? "")
        }
        return (lines + [completion]).map { "    " + $0 }.joined(separator: "\n")
    }
}
