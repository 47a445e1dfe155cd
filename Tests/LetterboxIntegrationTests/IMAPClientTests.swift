import Foundation
import Letterbox
import LetterboxSMTP
import LetterboxStore
import TestSupport
import Testing

/// IMAP against a live catcher, read by clients we did not write: Python's imaplib, imapclient,
/// imap-tools, and curl; plus raw-socket checks of literals and IDLE.
@Suite struct IMAPClientTests {
    private func deliver(_ raw: String, to recipients: [String], mail: MailCatcher) async throws {
        let client = try LineClient(port: mail.ports.smtp)
        _ = try await client.reply()
        var script = "EHLO t\r\nMAIL FROM:<sender@example.com>\r\n"
        for recipient in recipients { script += "RCPT TO:<\(recipient)>\r\n" }
        try await client.send(script + "DATA\r\n")
        for _ in 0..<(3 + recipients.count) { _ = try await client.reply() }
        try await client.send(raw + ".\r\nQUIT\r\n")
        #expect(try await client.code() == 250)
        await client.close()
    }

    private func python(_ script: String, _ arguments: [String]) async throws -> ExternalTool.Output {
        let python = try ExternalTool.path("python3", package: "python3")
        return try await ExternalTool.run(python, ["-c", script] + arguments)
    }

    private let multipart = """
        From: Ana <ana@example.com>\r
        To: bo@example.com\r
        Subject: Report\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="b1"\r
        \r
        --b1\r
        Content-Type: text/plain; charset=utf-8\r
        \r
        See the attached needle.\r
        --b1\r
        Content-Type: application/pdf; name="r.pdf"\r
        Content-Disposition: attachment; filename="r.pdf"\r
        Content-Transfer-Encoding: base64\r
        \r
        JVBERi0xLjQK\r
        --b1--\r

        """

    @Test func imaplibSelectsFetchesSearchesStoresAndExpunges() async throws {
        try await withCatcher { mail in
            try await deliver(multipart, to: ["bo@example.com"], mail: mail)
            try await deliver("Subject: second\r\n\r\nplain\r\n", to: ["bo@example.com"], mail: mail)
            let script = """
                import imaplib, sys, json
                m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
                m.login("bo@example.com", "pw")
                out = {}
                out["select"] = m.select("INBOX")[1][0].decode()
                out["search"] = m.search(None, 'TEXT "needle"')[1][0].decode()
                typ, data = m.fetch("1", "(BODYSTRUCTURE)")
                out["structure"] = data[0].decode()
                typ, data = m.fetch("1", "(BODY.PEEK[2.MIME] BODY.PEEK[1])")
                out["mime"] = data[0][1].decode()
                out["part1"] = data[1][1].decode()
                typ, data = m.uid("fetch", "2", "(RFC822)")
                out["rfc822"] = data[0][1].decode()
                m.store("1", "+FLAGS", "(\\\\Deleted)")
                out["expunge"] = [x.decode() for x in m.expunge()[1]]
                out["after"] = m.search(None, "ALL")[1][0].decode()
                m.logout()
                print(json.dumps(out))
                """
            let result = try await python(script, [String(mail.ports.imap)])
            #expect(result.status == 0, "\(result.stderr)")
            let output = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(output["select"] as? String == "2")
            #expect(output["search"] as? String == "1")
            let structure = output["structure"] as? String ?? ""
            #expect(
                structure.contains(
                    "(\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") NIL NIL \"BASE64\" 12 NIL (\"ATTACHMENT\" (\"FILENAME\" \"r.pdf\")) NIL NIL)"
                ), "\(structure)")
            #expect(structure.contains("\"MIXED\" (\"BOUNDARY\" \"b1\")"))
            #expect(
                output["mime"] as? String
                    == "Content-Type: application/pdf; name=\"r.pdf\"\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            )
            #expect(output["part1"] as? String == "See the attached needle.")
            #expect(output["rfc822"] as? String == "Subject: second\r\n\r\nplain\r\n")
            #expect(output["expunge"] as? [String] == ["1"])
            #expect(output["after"] as? String == "1")
            #expect(mail.messages.map(\.subject) == ["second"], "EXPUNGE removes the message for every interface")
        }
    }

    @Test func idleHearsNewMailAtOnce() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            try await client.send("a LOGIN x y\r\nb SELECT INBOX\r\nc IDLE\r\n")
            while try await client.line() != "+ idling" {}
            try await deliver("Subject: during idle\r\n\r\nx\r\n", to: ["z@example.com"], mail: mail)
            #expect(try await client.line() == "* 1 EXISTS")
            #expect(try await client.line() == "* 1 RECENT")
            mail.reset()
            #expect(try await client.line() == "* 1 EXPUNGE")
            try await client.send("DONE\r\n")
            #expect(try await client.line() == "c OK IDLE terminated")
            await client.close()
        }
    }

    @Test func twoSessionsSeeEachOthersChanges() async throws {
        try await withCatcher { mail in
            try await deliver("Subject: shared\r\n\r\nx\r\n", to: ["z@example.com"], mail: mail)
            let first = try LineClient(port: mail.ports.imap)
            let second = try LineClient(port: mail.ports.imap)
            for client in [first, second] {
                _ = try await client.line()
                try await client.send("a LOGIN x y\r\nb SELECT INBOX\r\n")
                while !(try await client.line()).hasPrefix("b OK") {}
            }
            try await first.send("c STORE 1 +FLAGS.SILENT (\\Flagged)\r\n")
            #expect(try await first.line() == "c OK STORE completed")
            try await second.send("d NOOP\r\n")
            #expect(try await second.line() == "* 1 FETCH (FLAGS (\\Flagged))")
            #expect(try await second.line() == "d OK NOOP completed")
            await first.close()
            await second.close()
        }
    }

    @Test func literalsSynchronizeAndOversizedOnesAreRefused() async throws {
        try await withCatcher({ $0.smtp.maxMessageSize = 1000 }) { mail in
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            try await client.send("a LOGIN {3}\r\n")
            #expect(try await client.line() == "+ ready for literal")
            try await client.send("ana {2+}\r\npw\r\n")
            #expect(try await client.line().hasPrefix("a OK"))
            try await client.send("b LOGIN {1000000000}\r\n")
            #expect(
                try await client.line()
                    == "b BAD [TOOBIG] literal of 1000000000 octets exceeds the limit of 1000 octets")
            try await client.send("c NOOP\r\n")
            #expect(try await client.line() == "c OK NOOP completed", "the session survives a refused literal")
            try await client.send("d LOGIN {1000000000+}\r\n")
            #expect(try await client.line().hasPrefix("* BYE [TOOBIG]"))
            #expect(await client.isClosedByServer())
        }
    }

    @Test func garbageGetsBadAndTheSessionLives() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            try await client.send(
                "\r\nx FROB\r\ny FETCH 1 FLAGS\r\nz LOGIN a " + String(repeating: "p", count: 70_000) + "\r\nw NOOP\r\n"
            )
            #expect(try await client.line().hasPrefix("* BAD"))
            #expect(try await client.line() == "x BAD unknown command FROB at octet 6")
            #expect(try await client.line() == "y BAD command not valid before login (not authenticated state)")
            #expect(try await client.line() == "* BAD command line too long")
            #expect(try await client.line() == "w OK NOOP completed")
            // A client that disconnects in the middle of a literal leaves nothing behind.
            try await client.send("v LOGIN {10}\r\n")
            #expect(try await client.line() == "+ ready for literal")
            try await client.send("abc")
            await client.close()
        }
    }

    @Test func imapclientAndImapToolsReadTheMailbox() async throws {
        _ = try await ExternalTool.python(with: ["imapclient", "imap_tools"], pip: "imapclient imap-tools")
        try await withCatcher { mail in
            try await deliver(multipart, to: ["bo@example.com"], mail: mail)
            let script = """
                import sys
                from imapclient import IMAPClient
                from imap_tools import MailBoxUnencrypted, AND
                port = int(sys.argv[1])
                with IMAPClient("127.0.0.1", port=port, ssl=False) as c:
                    c.login("bo@example.com", "pw")
                    c.select_folder("INBOX")
                    uids = c.search(["SUBJECT", "Report"])
                    data = c.fetch(uids, ["ENVELOPE", "RFC822.SIZE"])
                    env = data[uids[0]][b"ENVELOPE"]
                    print(env.subject.decode(), env.from_[0].mailbox.decode() + "@" + env.from_[0].host.decode())
                with MailBoxUnencrypted("127.0.0.1", port=port).login("bo@example.com", "pw") as box:
                    for msg in box.fetch(AND(all=True), mark_seen=False):
                        print(msg.subject, [a.filename for a in msg.attachments], msg.text.strip())
                """
            let result = try await python(script, [String(mail.ports.imap)])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "Report ana@example.com\nReport ['r.pdf'] See the attached needle.\n")
        }
    }

    @Test func curlListsAndFetches() async throws {
        try await withCatcher { mail in
            try await deliver("Subject: via curl imap\r\n\r\ncurl body\r\n", to: ["c@example.com"], mail: mail)
            let curl = try ExternalTool.path("curl", package: "curl")
            let base = "imap://user:pw@127.0.0.1:\(mail.ports.imap)"
            let fetched = try await ExternalTool.run(
                curl, ["--silent", "--show-error", "--max-time", "30", "\(base)/INBOX;UID=1"])
            #expect(fetched.status == 0, "\(fetched.stderr)")
            #expect(fetched.stdout == "Subject: via curl imap\r\n\r\ncurl body\r\n")
            let listed = try await ExternalTool.run(curl, ["--silent", "--show-error", "--max-time", "30", "\(base)/"])
            #expect(
                listed.stdout.hasPrefix(
                    "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n"))
        }
    }
}
