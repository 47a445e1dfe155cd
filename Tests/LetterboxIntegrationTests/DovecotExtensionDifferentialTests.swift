import Foundation
import Letterbox
import Testing

/// The smaller IMAP extensions answered by Letterbox and by Dovecot, compared as in
/// ``DovecotMailboxDifferentialTests`` (same normalisation): LIST-EXTENDED (RFC 5258), LIST-STATUS
/// (RFC 5819), SPECIAL-USE selection (RFC 6154), STATUS=SIZE (RFC 8438), ESORT (RFC 5267) and
/// SEARCHRES (RFC 5182).
@Suite(.timeLimit(.minutes(3))) struct DovecotExtensionDifferentialTests {
    /// Where Letterbox answers differently on purpose: the command, what Dovecot says and what
    /// Letterbox says instead (both normalised), and why.
    static let acceptedDifferences: [(command: String, dovecot: String, letterbox: String, reason: String)] = [
        (
            "APPEND Multi {\(message("one").utf8.count)+}\r\n\(message("one")) {0+}\r\n", "    NO", "    NO [CANNOT]",
            "Letterbox names the reason with the RFC 5530 code; Dovecot gives none"
        ),
        (
            "EXPUNGE", "\n    * 3 RECENT", "",
            "Dovecot restates RECENT after expunges; RFC 3501 §7.3.2 asks for it when messages arrive"
        ),
    ]

    static func message(_ subject: String) -> String {
        "From: ana@example.com\r\nSubject: \(subject)\r\n\r\nbody \(subject)\r\n"
    }

    static func append(_ subject: String, to mailbox: String) -> String {
        let text = message(subject)
        return "APPEND \(mailbox) {\(text.utf8.count)+}\r\n\(text)"
    }

    /// The script, run in order on both servers.
    static let script: [String] =
        [
            // Parents made explicitly: Dovecot's Maildir++ layout does not make them by itself.
            "CREATE Lists", "CREATE Lists/swift", "CREATE Fruit", "CREATE Fruit/Banana", "CREATE Veg",
            "CREATE Veg/Kale", "SUBSCRIBE Lists/swift", "SUBSCRIBE Fruit", "SUBSCRIBE Fruit/Banana",
            "SUBSCRIBE Veg/Kale",
            // A subscription outlives its mailbox (RFC 3501 §6.3.4): \NonExistent (RFC 5258 §3.4).
            "CREATE Ghost", "SUBSCRIBE Ghost", "DELETE Ghost",
            "LIST (SUBSCRIBED) \"\" *",
            "LIST (SUBSCRIBED) \"\" %",
            "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %",
            "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" * RETURN (CHILDREN SPECIAL-USE)",
            "LIST \"\" * RETURN (SPECIAL-USE SUBSCRIBED CHILDREN)",
            "LIST (SPECIAL-USE) \"\" *",
            "LIST (SPECIAL-USE RECURSIVEMATCH) \"\" %",
            "LIST (SUBSCRIBED SPECIAL-USE) \"\" %",
            "LIST () \"\" %",
            "LIST (REMOTE) \"\" L*",
            "LIST \"\" (Lists Fruit/*) RETURN (STATUS (MESSAGES UNSEEN SIZE))",
            "LIST (SUBSCRIBED) \"\" (Fruit* Veg/% G*) RETURN (CHILDREN STATUS (MESSAGES))",
            "LIST \"\" (INBOX) RETURN (STATUS (MESSAGES UIDNEXT SIZE))",
            "LIST (RECURSIVEMATCH) \"\" %",
            "LIST (BOGUS) \"\" %",
            "LIST \"\" % RETURN (BOGUS)",
            "LIST \"\" % RETURN (STATUS (BOGUS))",
            // MULTIAPPEND (RFC 3502): all or none; APPENDUID with a UID set (RFC 4315 §3).
            "CREATE Multi",
            "APPEND Multi (\\Seen) {\(message("one").utf8.count)+}\r\n\(message("one")) \"21-Nov-1997 09:55:06 -0600\" "
                + "{\(message("two").utf8.count)+}\r\n\(message("two"))",
            "APPEND Multi {\(message("one").utf8.count)+}\r\n\(message("one")) {0+}\r\n",
            "APPEND Nowhere {\(message("one").utf8.count)+}\r\n\(message("one")) {\(message("two").utf8.count)+}\r\n"
                + message("two"),
            "APPEND Multi {\(message("one").utf8.count)+}\r\n\(message("one")) ()",
            "STATUS Multi (MESSAGES UIDNEXT UNSEEN)",
            "CREATE Sorted",
        ] + ["delta", "alpha", "charlie", "bravo"].map { append($0, to: "Sorted") } + [
            "STATUS Sorted (MESSAGES SIZE)",
            "SELECT Sorted",
            "SORT RETURN (ALL) (SUBJECT) UTF-8 ALL",
            "SORT RETURN (MIN MAX COUNT ALL) (SUBJECT) UTF-8 ALL",
            "UID SORT RETURN () (REVERSE ARRIVAL) UTF-8 ALL",
            "SORT RETURN (ALL) (REVERSE SUBJECT) UTF-8 ALL",
            "SORT RETURN (MIN) (SUBJECT) UTF-8 NOT SUBJECT alpha",
            "SORT RETURN (COUNT) (SUBJECT) UTF-8 NOT ALL",
            "FETCH $ (UID)",
            "SEARCH RETURN (SAVE) SUBJECT a",
            "FETCH $ (UID)",
            "SEARCH $",
            "UID SEARCH UID $",
            "SEARCH RETURN (SAVE MIN) 2:4",
            "FETCH $ (UID)",
            "SEARCH RETURN (SAVE MIN MAX) 2:4",
            "FETCH $ (UID)",
            "SEARCH RETURN (SAVE COUNT MIN) 2:4",
            "FETCH $ (UID)",
            "SORT RETURN (SAVE) (SUBJECT) UTF-8 1:2",
            "SEARCH RETURN (ALL) $",
            "FETCH $,1 (UID)",
            "SEARCH RETURN (SAVE) SUBJECT nothing",
            "FETCH $ (UID)",
            "SEARCH RETURN (SAVE ALL) 3:4",
            "STORE 3 +FLAGS.SILENT (\\Deleted)",
            "EXPUNGE",
            "FETCH $ (UID)",
            "UID STORE $ +FLAGS.SILENT (\\Seen)",
            "UID FETCH $ (FLAGS)",
            "UNSELECT",
        ]

    @Test func extensionsAnswerLikeDovecot() async throws {
        _ = try DovecotIMAPServer.executable()
        try await DovecotIMAPServer.withRunning(messages: []) { dovecot in
            try await withCatcher({
                $0.smtpPort = nil; $0.pop3Port = nil; $0.httpPort = nil
            }) { catcher in
                let reference = try IMAPScriptClient(port: dovecot.port)
                let candidate = try IMAPScriptClient(port: catcher.ports.imap)
                for client in [reference, candidate] {
                    _ = try await client.greeting()
                    let login = try await client.send("LOGIN \(DovecotIMAPServer.user) \(DovecotIMAPServer.password)")
                    try #require(login.status == "OK", "LOGIN: \(login.completion)")
                }
                var differences: [String] = []
                var used: Set<Int> = []
                for command in Self.script {
                    let normalize = DovecotMailboxDifferentialTests.normalized
                    var expected = normalize(try await reference.send(command), command)
                    let actual = normalize(try await candidate.send(command), command)
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
}
