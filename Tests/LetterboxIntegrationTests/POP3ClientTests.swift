import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// POP3 against a live catcher, read by clients we did not write: Python's poplib, curl,
/// fetchmail and getmail.
@Suite struct POP3ClientTests {
    /// Delivers a message over SMTP (Python smtplib) and returns it as stored.
    private func deliver(_ raw: String, to recipients: [String], mail: MailCatcher) async throws -> Message {
        let client = try LineClient(port: mail.ports.smtp)
        _ = try await client.reply()
        var script = "EHLO t\r\nMAIL FROM:<sender@example.com>\r\n"
        for recipient in recipients { script += "RCPT TO:<\(recipient)>\r\n" }
        try await client.send(script + "DATA\r\n")
        for _ in 0..<(3 + recipients.count) { _ = try await client.reply() }
        try await client.send(raw.replacingOccurrences(of: "\n.", with: "\n..") + ".\r\nQUIT\r\n")
        let queued = try await client.reply()
        await client.close()
        let id = UInt64(queued.first?.split(separator: " ").last ?? "") ?? 0
        return try #require(mail.store.message(id: id), "not stored: \(queued)")
    }

    private func python(_ script: String, _ arguments: [String]) async throws -> ExternalTool.Output {
        let python = try ExternalTool.path("python3", package: "python3")
        return try await ExternalTool.run(python, ["-c", script] + arguments)
    }

    @Test func poplibReadsListsAndDeletes() async throws {
        try await withCatcher { mail in
            let first = try await deliver(
                "Subject: one\r\n\r\n.dotted line\r\nbody one\r\n", to: ["ana@example.com"], mail: mail)
            let second = try await deliver("Subject: two\r\n\r\nbody two\r\n", to: ["bo@example.com"], mail: mail)
            let script = """
                import poplib, sys, json
                p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=30)
                p.user("reader"); p.pass_("any")
                out = {"stat": list(p.stat()), "list": [l.decode() for l in p.list()[1]],
                       "uidl": [l.decode() for l in p.uidl()[1]],
                       "retr": b"\\r\\n".join(p.retr(1)[1]).decode() + "\\r\\n",
                       "top": [l.decode() for l in p.top(2, 0)[1]]}
                p.dele(1)
                p.quit()
                print(json.dumps(out))
                """
            let result = try await python(script, [String(mail.ports.pop3)])
            #expect(result.status == 0, "\(result.stderr)")
            let output = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(output["stat"] as? [Int] == [2, first.canonicalSize + second.canonicalSize])
            #expect(output["list"] as? [String] == ["1 \(first.size)", "2 \(second.size)"])
            #expect((output["uidl"] as? [String])?.count == 2)
            // poplib un-stuffs: the retrieved text is byte for byte the stored message.
            #expect(output["retr"] as? String == String(decoding: first.raw, as: UTF8.self))
            #expect(output["top"] as? [String] == ["Subject: two", ""])
            // DELE + QUIT removed it for every interface.
            #expect(mail.messages.map(\.id) == [second.id])
        }
    }

    @Test func addressLoginSeesOnlyItsOwnMailBccIncluded() async throws {
        try await withCatcher { mail in
            _ = try await deliver("Subject: for ana\r\n\r\nx\r\n", to: ["ana@example.com"], mail: mail)
            _ = try await deliver(
                "To: team@example.com\r\nSubject: bcc to ana\r\n\r\nx\r\n",
                to: ["team@example.com", "ANA@example.com"], mail: mail)
            _ = try await deliver("Subject: for bo\r\n\r\nx\r\n", to: ["bo@example.com"], mail: mail)
            let script = """
                import poplib, sys
                p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=30)
                p.user("ana@example.com"); p.pass_("x")
                print(p.stat()[0])
                for i in range(1, p.stat()[0] + 1):
                    print([l.decode() for l in p.top(i, 0)[1] if l.startswith(b"Subject")][0])
                p.quit()
                """
            let result = try await python(script, [String(mail.ports.pop3)])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "2\nSubject: for ana\nSubject: bcc to ana\n")
        }
    }

    @Test func droppedConnectionDeletesNothingAndRemovedMessagesAreReported() async throws {
        try await withCatcher { mail in
            let message = try await deliver("Subject: keep\r\n\r\nx\r\n", to: ["a@example.com"], mail: mail)
            let client = try LineClient(port: mail.ports.pop3)
            _ = try await client.line()
            try await client.send("USER a\r\nPASS b\r\nDELE 1\r\n")
            _ = try await client.line()
            _ = try await client.line()
            #expect(try await client.line() == "+OK message 1 deleted")
            await client.close()
            #expect(mail.messages.count == 1, "a connection dropped without QUIT must delete nothing")

            let other = try LineClient(port: mail.ports.pop3)
            _ = try await other.line()
            try await other.send("USER a\r\nPASS b\r\n")
            _ = try await other.line()
            _ = try await other.line()
            mail.store.remove(ids: [message.id])
            try await other.send("RETR 1\r\nSTAT\r\nQUIT\r\n")
            #expect(try await other.line() == "-ERR message 1 no longer exists (deleted through another session)")
            #expect(
                try await other.line() == "+OK 1 \(message.canonicalSize)",
                "sizes and numbers stay fixed for the session")
            #expect(try await other.line().hasPrefix("+OK"))
        }
    }

    @Test func overlongLinesAndGarbageGetErrorsAndTheSessionLives() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.pop3)
            _ = try await client.line()
            try await client.send(
                "USER " + String(repeating: "u", count: 10_000) + "\r\nAUTH PLAIN !!!\r\nLIST\r\nCAPA\r\n")
            #expect(try await client.line() == "-ERR line too long")
            #expect(try await client.line() == "-ERR Cannot decode base64 response")
            #expect(try await client.line() == "-ERR command not valid before login (AUTHORIZATION state)")
            #expect(try await client.line() == "+OK Capability list follows")
            await client.close()
        }
    }

    @Test func curlRetrievesAndLists() async throws {
        try await withCatcher { mail in
            let message = try await deliver("Subject: via curl\r\n\r\ncurl body\r\n", to: ["c@example.com"], mail: mail)
            let curl = try ExternalTool.path("curl", package: "curl")
            let base = "pop3://someone:pw@127.0.0.1:\(mail.ports.pop3)"
            let retrieved = try await ExternalTool.run(
                curl, ["--silent", "--show-error", "--max-time", "30", "\(base)/1"])
            #expect(retrieved.status == 0, "\(retrieved.stderr)")
            #expect(retrieved.stdout == String(decoding: message.raw, as: UTF8.self))
            let listed = try await ExternalTool.run(curl, ["--silent", "--show-error", "--max-time", "30", "\(base)/"])
            #expect(listed.stdout == "1 \(message.canonicalSize)\r\n")
        }
    }

    @Test func fetchmailRetrievesIntoAnMDA() async throws {
        try await withCatcher { mail in
            _ = try await deliver("Subject: fetched one\r\n\r\nfirst\r\n", to: ["f@example.com"], mail: mail)
            _ = try await deliver("Subject: fetched two\r\n\r\nsecond\r\n", to: ["f@example.com"], mail: mail)
            let fetchmail = try ExternalTool.path("fetchmail", package: "fetchmail")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "letterbox-fetchmail-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let output = directory.appendingPathComponent("mbox").path
            let rc = directory.appendingPathComponent("fetchmailrc").path
            try """
            set no syslog
            poll 127.0.0.1 protocol pop3 port \(mail.ports.pop3) timeout 30
              user "f@example.com" password "secret" sslproto "" keep fetchall
              mda "/bin/sh -c 'cat >> \(output)'"
            """.write(toFile: rc, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: rc)
            let result = try await ExternalTool.run(
                "/usr/bin/env", ["FETCHMAILHOME=\(directory.path)", fetchmail, "--nodetach", "-f", rc])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let mbox = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            #expect(mbox.contains("Subject: fetched one") && mbox.contains("Subject: fetched two"))
            #expect(mail.messages.count == 2, "keep: nothing deleted")
        }
    }

    @Test func getmailRetrievesIntoAMaildir() async throws {
        try await withCatcher { mail in
            _ = try await deliver("Subject: got by getmail\r\n\r\nbody\r\n", to: ["g@example.com"], mail: mail)
            let getmail = try ExternalTool.path("getmail", package: "getmail6")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("letterbox-getmail-\(UUID())")
            let maildir = directory.appendingPathComponent("Maildir")
            for sub in ["cur", "new", "tmp"] {
                try FileManager.default.createDirectory(
                    at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            defer { try? FileManager.default.removeItem(at: directory) }
            // As root getmail delivers only as another user, who must be able to write the Maildir.
            let asRoot = getuid() == 0
            if asRoot {
                for path in [directory, maildir] + ["cur", "new", "tmp"].map({ maildir.appendingPathComponent($0) }) {
                    try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: path.path)
                }
            }
            let rc = directory.appendingPathComponent("getmailrc").path
            try """
            [retriever]
            type = SimplePOP3Retriever
            server = 127.0.0.1
            port = \(mail.ports.pop3)
            username = g@example.com
            password = secret

            [destination]
            type = Maildir
            path = \(maildir.path)/
            \(asRoot ? "user = nobody" : "")

            [options]
            read_all = true
            delete = false
            """.write(toFile: rc, atomically: true, encoding: .utf8)
            // getmail waits for its delivery child; restore SIGCHLD in case the test runner ignores it
            // (an ignored SIGCHLD is inherited across exec and makes children vanish unreaped).
            let python = try ExternalTool.path("python3", package: "python3")
            let result = try await ExternalTool.run(
                python,
                [
                    "-c",
                    "import os, signal, sys; signal.signal(signal.SIGCHLD, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])",
                    getmail, "--getmaildir", directory.path, "--rcfile", rc,
                ])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let delivered = try FileManager.default.contentsOfDirectory(
                atPath: maildir.appendingPathComponent("new").path)
            #expect(delivered.count == 1)
            if let file = delivered.first {
                let text = try String(
                    contentsOfFile: maildir.appendingPathComponent("new/\(file)").path, encoding: .utf8)
                #expect(text.contains("Subject: got by getmail"))
            }
        }
    }
}
