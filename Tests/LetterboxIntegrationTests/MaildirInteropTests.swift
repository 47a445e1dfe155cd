import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Letterbox's Maildir read and changed by programs we did not write: Dovecot (`doveadm`) and
/// Python's `mailbox.Maildir`. They see the same messages, bytes and flags; what they add or
/// change, Letterbox serves after a restart.
@Suite(.timeLimit(.minutes(3))) struct MaildirInteropTests {
    private static let bodies = [
        "From: Ana <ana@example.com>\r\nTo: bo@example.com\r\nSubject: alpha\r\n\r\nFirst.\r\n",
        "From: ana@example.com\r\nTo: bo@example.com\r\nSubject: beta\r\n\r\n8-bit: \u{00E9}t\u{00E9}\r\n",
        "From: ana@example.com\r\nTo: cy@example.com\r\nSubject: gamma\r\n\r\nThird.\r\n",
    ]

    /// Runs `doveadm` on the Maildir with a throw-away config; as root, as `nobody` (Dovecot will not
    /// open mail as root), after handing the folder to it.
    private func doveadm(_ folder: String, _ arguments: [String], stdin: String? = nil) async throws
        -> ExternalTool.Output
    {
        let doveadm = try ExternalTool.path("doveadm", package: "dovecot-core")
        let state = folder + "-dovecot"
        try FileManager.default.createDirectory(atPath: state + "/home", withIntermediateDirectories: true)
        let config = """
            base_dir = \(state)/run
            state_dir = \(state)/state
            log_path = \(state)/dovecot.log
            mail_location = maildir:\(folder):INDEX=MEMORY
            ssl = no
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: state + "/dovecot.conf"))
        var command = [doveadm, "-c", state + "/dovecot.conf"] + arguments
        if geteuid() == 0 {
            _ = try await ExternalTool.run("/bin/chown", ["-R", "nobody:nogroup", folder, state])
            command = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + command
        }
        let user = geteuid() == 0 ? "nobody" : (ProcessInfo.processInfo.environment["USER"] ?? "user")
        return try await ExternalTool.run(
            "/usr/bin/env", ["USER=\(user)", "HOME=\(state)/home"] + command, stdin: stdin)
    }

    private func python(_ script: String, _ arguments: [String]) async throws -> ExternalTool.Output {
        let python = try ExternalTool.path("python3", package: "python3")
        return try await ExternalTool.run(python, ["-c", script] + arguments)
    }

    @Test func dovecotAndPythonReadLetterboxsMaildirAndLetterboxServesWhatTheyAdd() async throws {
        let folder = try MaildirIntegrationTests.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: folder + "-dovecot")
        }
        var configuration = Configuration()
        configuration.storage = .maildir(folder)
        let raws = try await MailCatcher.withRunning(configuration) { (mail: MailCatcher) async throws -> [[UInt8]] in
            for body in Self.bodies {
                #expect(
                    try await MaildirIntegrationTests.deliver(body, to: ["bo@example.com"], port: mail.ports.smtp)
                        == 250)
            }
            let ids = mail.messages.map(\.id)
            mail.store.updateFlags(.add(MessageFlags([MessageFlags.seen, MessageFlags.flagged])), ids: [ids[1]])
            return mail.messages.map(\.raw)
        }

        // Python's mailbox module: same bytes, same flags (its letters are the info suffix's).
        let read = try await python(
            """
            import mailbox, sys, json
            box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
            out = []
            for key in box.keys():
                m = box.get_message(key)
                out.append({"subject": m["subject"], "flags": m.get_flags(), "bytes": list(box.get_bytes(key))})
            print(json.dumps(sorted(out, key=lambda m: m["subject"])))
            """, [folder])
        #expect(read.status == 0, "\(read.stderr)")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [[String: Any]])
        #expect(seen.map { $0["subject"] as? String } == ["alpha", "beta", "gamma"])
        #expect(seen.map { $0["flags"] as? String } == ["", "FS", ""])
        #expect(seen.map { ($0["bytes"] as? [Int])?.map(UInt8.init) } == raws)

        // Dovecot: same subjects, sizes and flags.
        let fetched = try await doveadm(
            folder, ["fetch", "hdr.subject size.physical flags", "mailbox", "INBOX", "all"])
        #expect(fetched.status == 0, "\(fetched.stderr)")
        for (body, subject) in zip(Self.bodies, ["alpha", "beta", "gamma"]) {
            #expect(
                fetched.stdout.contains("hdr.subject: \(subject)\nsize.physical: \(Array(body.utf8).count)"),
                "\(fetched.stdout)")
        }
        #expect(fetched.stdout.contains("\\Flagged \\Seen"), "\(fetched.stdout)")

        // Dovecot answers the first message and saves a new one; Python delivers another.
        let answered = try await doveadm(folder, ["flags", "add", "\\Answered", "mailbox", "INBOX", "1"])
        #expect(answered.status == 0, "\(answered.stderr)")
        let saved = try await doveadm(
            folder, ["save", "-m", "INBOX"],
            stdin: "From: dove@example.com\r\nTo: bo@example.com\r\nSubject: from dovecot\r\n\r\nSaved.\r\n")
        #expect(saved.status == 0, "\(saved.stderr)")
        let added = try await python(
            """
            import mailbox, sys
            box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
            box.add(b"Return-Path: <py@example.com>\\r\\nTo: dee@example.com\\r\\nSubject: from python\\r\\n\\r\\nAdded.\\r\\n")
            """, [folder])
        #expect(added.status == 0, "\(added.stderr)")

        try await MailCatcher.withRunning(configuration) { (mail: MailCatcher) async throws -> Void in
            let messages = mail.messages
            #expect(
                messages.map(\.subject) == ["alpha", "beta", "gamma", "from dovecot", "from python"]
                    || messages.map(\.subject) == ["alpha", "beta", "gamma", "from python", "from dovecot"])
            #expect(messages.prefix(3).map(\.raw) == raws, "Dovecot's renames keep the bytes")
            #expect(mail.store.flags(of: messages[0].id).contains(MessageFlags.answered))
            #expect(mail.store.flags(of: messages[1].id) == MessageFlags([MessageFlags.seen, MessageFlags.flagged]))
            let python = try #require(messages.first { $0.subject == "from python" })
            #expect(python.envelope.sender == "py@example.com" && python.envelope.recipients == ["dee@example.com"])
            #expect(python.id > messages.prefix(3).map(\.id).max()!)
            // And it is served like any other message.
            let found = try await mail.waitForMessage(to: "dee@example.com", timeout: .seconds(1))
            #expect(found.id == python.id)
        }
    }
}
