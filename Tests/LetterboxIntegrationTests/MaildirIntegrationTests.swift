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

/// The Maildir store behind a whole catcher: restarts, `kill -9`, an unusable folder, and mail
/// other programs put in the folder.
@Suite(.timeLimit(.minutes(3))) struct MaildirIntegrationTests {
    /// A fresh folder under the temporary directory.
    /// Runs `body` with a tmpfs of `size` (`256k`, `4m`) mounted on a fresh folder, to make a disk
    /// fill up or a file impossible to remove; unmounted and removed afterwards. Mounting needs
    /// root: elsewhere the test is skipped with that reason.
    static func withTmpfs(size: String, _ name: String = #function, _ body: (String) async throws -> Void)
        async throws
    {
        let folder = try temporaryFolder(name)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        guard geteuid() == 0, await runQuietly("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", folder])
        else {
            try Test.cancel("skipped: mounting a tmpfs needs root")
        }
        try await withCleanup({ _ = await runQuietly("/bin/umount", ["-R", "-l", folder]) }) { try await body(folder) }
    }

    /// Runs `body` with a fresh folder and a configuration that keeps mail there (a test may
    /// start several catchers on it, to see what a restart finds); the folder is removed afterwards.
    static func withMaildir(_ name: String = #function, _ body: (String, Configuration) async throws -> Void)
        async throws
    {
        let folder = try temporaryFolder(name)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var configuration = Configuration()
        configuration.storage = .maildir(folder)
        try await body(folder, configuration)
    }

    /// Runs `body` while the file at `path` is bind-mounted onto itself: a mount point, so
    /// rename(2) and unlink(2) of it fail with EBUSY, even for root, while its neighbours are
    /// unaffected. Unmounted afterwards. Mounting needs root: elsewhere the test is skipped with
    /// that reason (never passed without running).
    static func whilePinned(_ path: String, _ body: () async throws -> Void) async throws {
        guard geteuid() == 0, await runQuietly("/bin/mount", ["--bind", path, path]) else {
            try Test.cancel("skipped: bind-mounting a file onto itself needs root")
        }
        do {
            try await body()
        } catch {
            _ = await runQuietly("/bin/umount", ["-l", path])
            throw error
        }
        #expect(await runQuietly("/bin/umount", [path]), "unmounting \(path)")
    }

    static func temporaryFolder(_ name: String = #function) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent(
                "letterbox-maildir-it-\(name.filter(\.isLetter))-\(getpid())-\(UUID().uuidString.prefix(8))"
            ).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Sends one message; returns the reply code to the end of DATA.
    static func deliver(_ raw: String, from sender: String = "ana@example.com", to recipients: [String], port: Int)
        async throws -> Int
    {
        let client = try LineClient(port: port)
        _ = try await client.reply()
        var script = "EHLO t\r\nMAIL FROM:<\(sender)>\r\n"
        for recipient in recipients { script += "RCPT TO:<\(recipient)>\r\n" }
        try await client.send(script + "DATA\r\n")
        for _ in 0..<(3 + recipients.count) { _ = try await client.reply() }
        try await client.send(raw + ".\r\nQUIT\r\n")
        let code = try await client.code()
        await client.close()
        return code
    }

    private func curl(_ arguments: [String]) async throws -> ExternalTool.Output {
        let curl = try ExternalTool.path("curl", package: "curl")
        return try await ExternalTool.run(curl, ["--silent", "--show-error", "--max-time", "60"] + arguments)
    }

    /// What a client sees: the JSON list, each raw message, and IMAP's UIDVALIDITY, UIDs and flags.
    private func observe(_ mail: MailCatcher) async throws -> (list: String, raws: [Data], imap: String) {
        let base = "http://127.0.0.1:\(mail.ports.http)"
        let list = try await curl(["-H", "Accept: application/json", "\(base)/messages"]).stdout
        var raws: [Data] = []
        for message in mail.messages {
            raws.append(Data(try await curl(["\(base)/messages/\(message.id)/raw"]).stdout.utf8))
        }
        let python = try ExternalTool.path("python3", package: "python3")
        let script = """
            import imaplib, sys
            m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
            m.login("anyone", "pw")
            m.select("INBOX")
            print(m.response("UIDVALIDITY")[1][0].decode())
            typ, data = m.uid("FETCH", "1:*", "(FLAGS RFC822.SIZE)")
            print("\\n".join(d.decode() for d in data if d))
            m.logout()
            """
        let imap = try await ExternalTool.run(python, ["-c", script, String(mail.ports.imap)])
        #expect(imap.status == 0, "\(imap.stderr)")
        // \Recent belongs to a session (RFC 3501 §2.3.2), not to the message: left out of the comparison.
        let flags = imap.stdout.replacingOccurrences(of: " \\Recent", with: "").replacingOccurrences(
            of: "\\Recent", with: "")
        return (list, raws, flags)
    }

    @Test func restartKeepsMessagesBytesUIDsAndFlags() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var configuration = Configuration()
        configuration.storage = .maildir(folder)

        let before = try await MailCatcher.withRunning(configuration) { mail in
            let bodies = [
                "From: Ana <ana@example.com>\r\nTo: bo@example.com\r\nSubject: first\r\n\r\nOne\r\n",
                "From: ana@example.com\r\nTo: cy@example.com\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n\r\n\u{00E9}t\u{00E9}\r\n..dot\r\n",
                "Subject: third\r\n\r\nThree\r\n",
            ]
            for (index, body) in bodies.enumerated() {
                #expect(
                    try await Self.deliver(
                        body, to: ["bo@example.com", "hidden\(index)@example.com"], port: mail.ports.smtp) == 250)
            }
            let ids = mail.messages.map(\.id)
            mail.store.updateFlags(.add(MessageFlags([MessageFlags.seen, "$Important"])), ids: [ids[0]])
            mail.store.updateFlags(.add(MessageFlags([MessageFlags.answered])), ids: [ids[2]])
            return try await observe(mail)
        }
        #expect(before.raws.count == 3)
        #expect(before.imap.contains("UID 1 FLAGS (\\Seen $Important)"), "\(before.imap)")
        #expect(before.imap.contains("UID 3 FLAGS (\\Answered)"), "\(before.imap)")

        let after = try await MailCatcher.withRunning(configuration) { mail in try await observe(mail) }
        #expect(after.list == before.list)
        #expect(after.raws == before.raws)
        #expect(after.imap == before.imap)
    }

    /// Bodies are read from the files on demand: a file another program deleted under a running
    /// catcher is an error in each protocol, and each session goes on.
    @Test func aFileDeletedByAnotherProgramIsAnErrorInEveryProtocol() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var configuration = Configuration()
        configuration.storage = .maildir(folder)
        // Delivered by one catcher, served by the next: nothing of the message is cached.
        let code = try await MailCatcher.withRunning(configuration) { mail in
            try await Self.deliver(sampleMessage(subject: "gone"), to: ["bo@example.com"], port: mail.ports.smtp)
        }
        #expect(code == 250)
        try await MailCatcher.withRunning(configuration) { mail in
            let names = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/new")
            #expect(names.count == 1)
            for name in names { unlink("\(folder)/new/\(name)") }

            let pop3 = try LineClient(port: mail.ports.pop3)
            _ = try await pop3.line()
            try await pop3.send("USER u\r\nPASS p\r\nRETR 1\r\nNOOP\r\n")
            _ = try await pop3.line()
            _ = try await pop3.line()
            let retrieve = try await pop3.line()
            #expect(retrieve.hasPrefix("-ERR message 1 cannot be read"), "\(retrieve)")
            #expect(!retrieve.contains(folder), "a reply names a server path: \(retrieve)")
            #expect(try await pop3.line().hasPrefix("+OK"))
            await pop3.close()

            let imap = try LineClient(port: mail.ports.imap)
            _ = try await imap.line()
            try await imap.send("a LOGIN u p\r\nb SELECT INBOX\r\nc FETCH 1 (UID BODY.PEEK[])\r\nd NOOP\r\n")
            var lines: [String] = []
            while !(lines.last?.hasPrefix("d ") ?? false) { lines.append(try await imap.line()) }
            #expect(lines.contains { $0.hasPrefix("c NO some messages could not be read") }, "\(lines)")
            #expect(!lines.contains { $0.contains(folder) }, "a reply names a server path: \(lines)")
            #expect(!lines.contains { $0.contains("FETCH (") })
            #expect(lines.last?.hasPrefix("d OK") == true)
            await imap.close()

            let id = try #require(mail.messages.first?.id)
            let raw = try await curl([
                "--write-out", "%{http_code}", "http://127.0.0.1:\(mail.ports.http)/messages/\(id)/raw",
            ])
            #expect(raw.stdout.hasSuffix("500"), "\(raw.stdout)")
            #expect(!raw.stdout.contains(folder), "a reply names a server path: \(raw.stdout)")

            // The detail views answer an error too, never 200 with empty headers and body.
            for view in ["", ".json"] {
                let shown = try await curl([
                    "--write-out", "\n%{http_code}", "http://127.0.0.1:\(mail.ports.http)/messages/\(id)\(view)",
                ])
                #expect(shown.stdout.hasSuffix("\n500"), "\(view): \(shown.stdout)")
                #expect(shown.stdout.contains("message \(id) cannot be read"), "\(view): \(shown.stdout)")
                #expect(!shown.stdout.contains(folder), "a reply names a server path: \(shown.stdout)")
            }
            // The list marks the message unreadable instead of showing an empty subject.
            let list = try await curl(["http://127.0.0.1:\(mail.ports.http)/messages"])
            #expect(list.stdout.hasPrefix("\(id)\t"), "\(list.stdout)")
            #expect(
                list.stdout.hasSuffix("\t(unreadable: open failed: No such file or directory (errno 2))\n"),
                "\(list.stdout)")
            let json = try await curl(["http://127.0.0.1:\(mail.ports.http)/messages.json"])
            let array = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
            #expect(array?.count == 1)
            #expect(array?.first?["subject"] is NSNull, "\(json.stdout)")
            #expect((array?.first?["unreadable"] as? String)?.contains("No such file") == true, "\(json.stdout)")
            #expect(!json.stdout.contains(folder))
        }
    }

    @Test func anUnusableFolderStopsStartWithThePathAndReason() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = "\(folder)/file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        var configuration = Configuration()
        configuration.storage = .maildir("\(file)/maildir")
        do {
            _ = try await MailCatcher.start(configuration)
            Issue.record("start should have thrown")
        } catch let error as StoreError {
            #expect(error.description.contains(file))
            #expect(error.isUnusableFolder)
        }
        // The executable says the same and exits 1, without a crash.
        let result = try await ExternalTool.run(
            MaildirKillTests.binary,
            [
                "--maildir", "\(file)/maildir", "--smtp-port", "0", "--pop3-port", "off", "--imap-port", "off",
                "--http-port", "off",
            ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("could not start") && result.stderr.contains(file), "\(result.stderr)")
    }

    @Test func aFullDiskIsA452AndTheSessionGoesOn() async throws {
        try await Self.withTmpfs(size: "256k") { folder in try await fullDiskIsA452(folder) }
    }

    private func fullDiskIsA452(_ folder: String) async throws {
        var configuration = Configuration()
        configuration.storage = .maildir(folder)
        try await MailCatcher.withRunning(configuration) { (mail: MailCatcher) async throws -> Void in
            let big =
                "Subject: big\r\n\r\n" + String(repeating: String(repeating: "x", count: 998) + "\r\n", count: 300)
            // RFC 3463 §3.4 (4.3.1 mail system full): a transient failure the sender may retry.
            #expect(try await Self.deliver(big, to: ["bo@example.com"], port: mail.ports.smtp) == 452)
            #expect(
                try await Self.deliver("Subject: small\r\n\r\nfits\r\n", to: ["bo@example.com"], port: mail.ports.smtp)
                    == 250)
            #expect(mail.messages.map(\.subject) == ["small"])
        }
    }

    @Test func storageFlagsAndVariablesConfigureTheExecutable() async throws {
        let binary = MaildirKillTests.binary
        for (arguments, complaint) in [
            (["--storage", "floppy"], "--storage must be memory or maildir, not 'floppy'"),
            (["--max-age", "soon"], "--max-age must be a duration such as 90s, 30m, 24h or 7d, not 'soon'"),
            (["--max-bytes", "lots"], "--max-bytes must be a size such as 500MB, 2GB or 1GiB, not 'lots'"),
            (["--max-messages", "-1"], "--max-messages must be a whole number of at least 0, not '-1'"),
            (["--maildir-fsync", "sometimes"], "--maildir-fsync must be always or never, not 'sometimes'"),
        ] {
            let result = try await ExternalTool.run(binary, arguments)
            #expect(result.status == 2)
            #expect(result.stderr.contains(complaint), "\(result.stderr)")
        }
        let help = try await ExternalTool.run(binary, ["--help"])
        for name in [
            "LETTERBOX_STORAGE", "LETTERBOX_MAILDIR", "LETTERBOX_MAX_MESSAGES", "LETTERBOX_MAX_AGE",
            "LETTERBOX_MAX_BYTES", "LETTERBOX_MAILDIR_FSYNC",
        ] {
            #expect(help.stdout.contains(name), "--help does not mention \(name)")
        }

        // Environment only: a Maildir keeping two messages.
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = SpawnedProcess()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["--smtp-port", "0", "--pop3-port", "off", "--imap-port", "off", "--http-port", "off"]
        server.environment = ProcessInfo.processInfo.environment.merging([
            "LETTERBOX_STORAGE": "maildir", "LETTERBOX_MAILDIR": folder, "LETTERBOX_MAX_MESSAGES": "2",
            "LETTERBOX_MAX_AGE": "7d", "LETTERBOX_MAX_BYTES": "1MB", "LETTERBOX_MAILDIR_FSYNC": "never",
        ]) { $1 }
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        try await withCleanup({
            kill(server.processIdentifier, SIGTERM)
            await server.exited()
        }) {
            let reader = output.fileHandleForReading
            let line = try await onOwnThread { String(decoding: reader.availableData, as: UTF8.self) }
            let port = try #require(
                line.split(separator: "\n").first?.split(separator: ":").last.flatMap { Int($0) }, "\(line)")
            for index in 0..<3 {
                #expect(
                    try await Self.deliver("Subject: e\(index)\r\n\r\nx\r\n", to: ["bo@example.com"], port: port)
                        == 250)
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/new")
            #expect(names.count == 2, "\(names)")
        }
    }
}
