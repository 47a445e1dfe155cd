import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// CONDSTORE and QRESYNC (RFC 7162) answered by Letterbox and by Dovecot, compared: ENABLE,
/// `[HIGHESTMODSEQ]`, FETCH MODSEQ and CHANGEDSINCE, STORE UNCHANGEDSINCE with `[MODIFIED]`,
/// SEARCH MODSEQ, STATUS HIGHESTMODSEQ, `[CLOSED]`, VANISHED after EXPUNGE, `SELECT (QRESYNC …)`
/// and `UID FETCH (CHANGEDSINCE … VANISHED)`. Both servers hold the same three fixtures.
///
/// Mod-sequence values are each server's own: a command may name one the server gave before
/// (`{H0}` is the HIGHESTMODSEQ saved under that name), and in the comparison every value after
/// MODSEQ or HIGHESTMODSEQ is replaced by `M`. Otherwise compared as in
/// ``DovecotMailboxDifferentialTests``.
@Suite(.timeLimit(.minutes(3))) struct DovecotCondStoreDifferentialTests {
    /// Where Letterbox answers differently on purpose (both normalised), and why.
    static let acceptedDifferences: [(command: String, dovecot: String, letterbox: String, reason: String)] = [
        (
            "FETCH 2 (BODY[HEADER.FIELDS (SUBJECT)])",
            "    * 2 FETCH (FLAGS (\\Flagged \\Seen \\Recent) BODY[HEADER.FIELDS (SUBJECT)] {29}\r\nSubject: Lunch on Friday?\r\n\r\n)\n    * 2 FETCH (MODSEQ M))",
            "    * 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {29}\r\nSubject: Lunch on Friday?\r\n\r\n FLAGS (\\Flagged \\Seen \\Recent) MODSEQ M))",
            "the \\Seen a FETCH sets comes with its MODSEQ in the same response (RFC 7162 §3.1 asks only that"
                + " MODSEQ reach the client); Dovecot sends the MODSEQ in a second FETCH response"
        )
    ]

    /// The script: a command and, optionally, a name to save the HIGHESTMODSEQ it reports under.
    static let script: [(command: String, save: String?)] = [
        ("ENABLE CONDSTORE", nil),
        ("SELECT INBOX", "H0"),
        ("FETCH 1:* (UID MODSEQ)", nil),
        ("STORE 1 +FLAGS (\\Seen)", nil),
        ("STORE 2 +FLAGS.SILENT (\\Flagged)", nil),
        ("UID STORE 3 +FLAGS (\\Draft)", nil),
        ("FETCH 1:* (FLAGS) (CHANGEDSINCE {H0})", nil),
        ("FETCH 1 (FLAGS)", nil),
        ("STORE 1:3 (UNCHANGEDSINCE {H0}) +FLAGS (\\Answered)", nil),
        ("UID STORE 1:3 (UNCHANGEDSINCE 0) +FLAGS (\\Answered)", nil),
        ("SEARCH MODSEQ {H0}", nil),
        ("SEARCH MODSEQ 99999999", nil),
        ("UID SEARCH RETURN (COUNT) MODSEQ 1", nil),
        ("STATUS Sent (MESSAGES HIGHESTMODSEQ)", nil),
        ("FETCH 2 (BODY[HEADER.FIELDS (SUBJECT)])", nil),
        ("ENABLE QRESYNC", nil),
        ("SELECT INBOX", "H1"),
        ("STORE 2 +FLAGS.SILENT (\\Deleted)", nil),
        ("EXPUNGE", nil),
        ("STORE 1 -FLAGS (\\Seen)", nil),
        ("UNSELECT", nil),
        ("SELECT INBOX (QRESYNC ({V} {H1}))", nil),
        ("UID FETCH 1:* (FLAGS) (CHANGEDSINCE {H1} VANISHED)", nil),
        ("EXAMINE INBOX (QRESYNC ({V} {H1} 2:3))", nil),
        ("EXAMINE INBOX (QRESYNC (1 {H1}))", nil),
        ("FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)", nil),
        // Changes made by a second session (`2:`) reach the first as unsolicited responses.
        ("2:ENABLE CONDSTORE", nil),
        ("2:SELECT INBOX", nil),
        ("2:STORE 1 +FLAGS.SILENT (\\Flagged)", nil),
        ("NOOP", nil),
        ("2:STORE 2 +FLAGS.SILENT (\\Deleted)", nil),
        ("2:EXPUNGE", nil),
        ("NOOP", nil),
        ("UNSELECT", nil),
    ]

    @Test func condStoreAndQResyncAnswerLikeDovecot() async throws {
        _ = try DovecotIMAPServer.executable()
        let fixtures = try ["plain-7bit", "multipart-alternative", "mixed-attachments"].map(IMAPSyncClientTests.fixture)
        try await DovecotIMAPServer.withRunning(messages: fixtures) { dovecot in
            try await withCatcher({
                $0.smtpPort = nil; $0.pop3Port = nil; $0.httpPort = nil
            }) { catcher in
                for fixture in fixtures {
                    _ = try await catcher.store.append(
                        fixture,
                        envelope: Envelope(sender: "differential@example.com", recipients: ["test@example.com"]))
                }
                // Per server: the session the script speaks to, and a second one for `2:` commands.
                let servers = try [dovecot.port, catcher.ports.imap].map { port in
                    try [IMAPScriptClient(port: port), IMAPScriptClient(port: port)]
                }
                var saved: [[String: String]] = [[:], [:]]
                for (number, sessions) in servers.enumerated() {
                    for client in sessions.dropFirst() {
                        _ = try await client.greeting()
                        _ = try await client.send("LOGIN \(DovecotIMAPServer.user) \(DovecotIMAPServer.password)")
                    }
                    let client = sessions[0]
                    _ = try await client.greeting()
                    let login = try await client.send("LOGIN \(DovecotIMAPServer.user) \(DovecotIMAPServer.password)")
                    try #require(login.status == "OK", "LOGIN: \(login.completion)")
                    let status = try await client.send("STATUS INBOX (UIDVALIDITY)")
                    saved[number]["V"] = Self.value(after: "UIDVALIDITY ", in: status)
                }
                var differences: [String] = []
                var used: Set<Int> = []
                for (command, save) in Self.script {
                    var responses: [IMAPScriptClient.Response] = []
                    for (number, sessions) in servers.enumerated() {
                        let second = command.hasPrefix("2:")
                        let client = sessions[second ? 1 : 0]
                        var text = second ? String(command.dropFirst(2)) : command
                        for (name, value) in saved[number] {
                            text = text.replacingOccurrences(of: "{\(name)}", with: value)
                        }
                        let response = try await client.send(text)
                        if let save { saved[number][save] = Self.value(after: "HIGHESTMODSEQ ", in: response) }
                        responses.append(response)
                    }
                    var expected = Self.normalized(responses[0], command: command)
                    let actual = Self.normalized(responses[1], command: command)
                    for (index, accepted) in Self.acceptedDifferences.enumerated() where accepted.command == command {
                        let replaced = expected.replacingOccurrences(of: accepted.dovecot, with: accepted.letterbox)
                        if replaced != expected { used.insert(index) }
                        expected = replaced
                    }
                    if expected != actual {
                        differences.append("\(command.prefix(80)):\n  dovecot:\n\(expected)\n  letterbox:\n\(actual)")
                    }
                }
                for index in Self.acceptedDifferences.indices where !used.contains(index) {
                    differences.append("accepted difference no longer seen: \(Self.acceptedDifferences[index])")
                }
                for client in servers.joined() { await client.close() }
                if !differences.isEmpty {
                    Issue.record(
                        "\(differences.count) differences from Dovecot:\n\n\(differences.joined(separator: "\n\n"))\n\(dovecot.log.suffix(1000))"
                    )
                }
            }
        }
    }

    /// The digits after `prefix` in the response's lines (untagged first, then the completion).
    static func value(after prefix: String, in response: IMAPScriptClient.Response) -> String? {
        for line in response.untagged.map({ String(decoding: $0, as: UTF8.self) }) + [response.completion] {
            guard let range = line.range(of: prefix) else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            if !digits.isEmpty { return String(digits) }
        }
        return nil
    }

    /// ``DovecotMailboxDifferentialTests/normalized(_:command:)`` with mod-sequences as `M`.
    static func normalized(_ response: IMAPScriptClient.Response, command: String) -> String {
        DovecotMailboxDifferentialTests.normalized(response, command: command)
            .replacingOccurrences(of: #"(HIGHESTMODSEQ|MODSEQ) \(?\d+"#, with: "$1 M", options: .regularExpression)
    }
}
