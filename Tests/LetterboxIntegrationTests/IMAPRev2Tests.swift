import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// IMAP4rev2 (RFC 9051) as a raw transcript over TCP, in both stores: advertised beside
/// IMAP4rev1, switched on by `ENABLE IMAP4rev2`, after which SEARCH answers with ESEARCH, SELECT
/// sends an untagged LIST and `[CLOSED]` but no RECENT, UNSEEN or `\Recent`, unsolicited FETCH
/// carries the UID, and names and headers are UTF-8; a client that does not enable it sees
/// IMAP4rev1 as before. Dovecot 2.3 has no IMAP4rev2 to compare with.
@Suite(.timeLimit(.minutes(3))) struct IMAPRev2Tests {
    private func lines(_ response: IMAPScriptClient.Response) -> [String] {
        response.untagged.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test(arguments: [false, true])
    func rev2SessionTranscript(maildir: Bool) async throws {
        try await withIMAPCatcher(maildir: maildir) { mail in
            let (rev1, rev2) = (
                try IMAPScriptClient(port: mail.ports.imap), try IMAPScriptClient(port: mail.ports.imap)
            )
            for client in [rev1, rev2] {
                #expect(try await client.greeting().contains("[CAPABILITY IMAP4rev1 IMAP4rev2 "))
                #expect(try await client.send("LOGIN x y").status == "OK")
            }
            #expect(lines(try await rev2.send("ENABLE IMAP4rev2")) == ["* ENABLED IMAP4rev2"])
            let subject = "Grüße"
            let message = "From: ana@example.com\r\nSubject: \(subject)\r\n\r\nHello\r\n"
            for _ in 0..<3 {
                _ = try await rev1.send(Array("APPEND Archive {\(message.utf8.count)+}\r\n\(message)".utf8))
            }
            #expect(try await rev1.send("STORE 1 +FLAGS (\\Deleted)").status == "BAD", "nothing selected yet")
            #expect(
                lines(try await rev2.send("STATUS Archive (MESSAGES DELETED SIZE)")).first?.hasPrefix(
                    "* STATUS Archive (MESSAGES 3 DELETED 0 SIZE ") == true)

            // IMAP4rev1 as before: RECENT, UNSEEN, \Recent, SEARCH.
            let old = lines(try await rev1.send("SELECT Archive"))
            #expect(old.contains("* 3 RECENT") && old.contains("* OK [UNSEEN 1] first unseen"), "\(old)")
            #expect(lines(try await rev1.send("SEARCH ALL")) == ["* SEARCH 1 2 3"])

            let selected = lines(try await rev2.send("SELECT Archive"))
            #expect(selected.contains("* 3 EXISTS"))
            #expect(!selected.contains { $0.hasSuffix(" RECENT") || $0.contains("[UNSEEN") }, "\(selected)")
            #expect(selected.contains("* LIST () \"/\" Archive"), "\(selected)")
            let all = lines(try await rev2.send("SEARCH ALL"))
            #expect(
                all.count == 1 && all[0].hasPrefix("* ESEARCH (TAG \"") && all[0].hasSuffix("\") ALL 1:3"), "\(all)")
            let none = lines(try await rev2.send("UID SEARCH DELETED"))
            #expect(none.count == 1 && none[0].hasSuffix("\") UID"), "\(none)")
            #expect(lines(try await rev2.send("FETCH 1 (FLAGS)")) == ["* 1 FETCH (FLAGS ())"], "no \\Recent")
            let envelope = lines(try await rev2.send("FETCH 1 (ENVELOPE)")).joined()
            #expect(envelope.contains("Grüße"), "headers in UTF-8: \(envelope)")

            // Another session's change: the unsolicited FETCH carries the UID.
            #expect(try await rev1.send("STORE 2 +FLAGS.SILENT (\\Deleted)").status == "OK")
            let update = lines(try await rev2.send("NOOP"))
            #expect(update == ["* 2 FETCH (FLAGS (\\Deleted) UID 2)"], "\(update)")
            #expect(lines(try await rev2.send("STATUS Archive (DELETED)")) == ["* STATUS Archive (DELETED 1)"])

            // A mailbox named in UTF-8, and [CLOSED] when SELECT replaces the selected mailbox.
            #expect(try await rev2.send(Array("CREATE Entwürfe".utf8)).status == "OK")
            let list = lines(try await rev1.send("LIST \"\" Entw*"))
            #expect(list == ["* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe"], "modified UTF-7 for IMAP4rev1: \(list)")
            let reselected = lines(try await rev2.send(Array("EXAMINE Entwürfe".utf8)))
            #expect(reselected.first == "* OK [CLOSED] Previous mailbox closed", "\(reselected)")
            #expect(reselected.contains("* LIST () \"/\" {9}\r\nEntwürfe"), "\(reselected)")
            for client in [rev1, rev2] { await client.close() }
        }
    }

    /// Python's imaplib speaks IMAP4rev1 only, but passes raw commands: it sees IMAP4rev2 beside
    /// IMAP4rev1, enables it, and reads ESEARCH, the LIST of SELECT and STATUS DELETED.
    @Test func imaplibEnablesRev2() async throws {
        try await withIMAPCatcher(maildir: false) { mail in
            let message = Array("From: a@example.com\r\nSubject: hello\r\n\r\nhi\r\n".utf8)
            for _ in 0..<3 {
                _ = try await mail.store.append(
                    message, envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]))
            }
            let script = """
                import imaplib, sys, json
                m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
                out = {"capabilities": list(m.capabilities)}
                m.login("x", "y")
                m._simple_command("ENABLE", "IMAP4rev2")
                out["enabled"] = [x.decode() for x in m.untagged_responses.pop("ENABLED", [])]
                out["select"] = m.select("INBOX")[1][0].decode()
                out["recent"] = "RECENT" in m.untagged_responses
                out["list"] = [x.decode() for x in m.untagged_responses.pop("LIST", [])]
                m._simple_command("SEARCH", "ALL")
                out["esearch"] = [x.decode() for x in m.untagged_responses.pop("ESEARCH", [])]
                out["search"] = "SEARCH" in m.untagged_responses
                m._simple_command("STATUS", "INBOX", "(MESSAGES DELETED)")
                out["status"] = [x.decode() for x in m.untagged_responses.pop("STATUS", [])]
                out["fetch"] = m.fetch("1", "(FLAGS)")[1][0].decode()
                m.logout()
                print(json.dumps(out))
                """
            let python = try ExternalTool.path("python3", package: "python3")
            let result = try await ExternalTool.run(python, ["-c", script, String(mail.ports.imap)])
            #expect(result.status == 0, "\(result.stderr)")
            let output = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let capabilities = output["capabilities"] as? [String] ?? []
            #expect(capabilities.contains("IMAP4REV2") && capabilities.contains("IMAP4REV1"), "\(capabilities)")
            #expect(output["enabled"] as? [String] == ["IMAP4rev2"])
            #expect(output["select"] as? String == "3")
            #expect(output["recent"] as? Bool == false)
            #expect(output["list"] as? [String] == ["() \"/\" INBOX"])
            let esearch = output["esearch"] as? [String] ?? []
            #expect(esearch.count == 1 && esearch[0].hasSuffix(") ALL 1:3"), "\(esearch)")
            #expect(output["search"] as? Bool == false)
            #expect(output["status"] as? [String] == ["INBOX (MESSAGES 3 DELETED 0)"])
            #expect(output["fetch"] as? String == "1 (FLAGS ())")
        }
    }
}
