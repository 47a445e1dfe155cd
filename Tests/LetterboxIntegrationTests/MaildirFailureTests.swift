import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A file-system call that fails in the Maildir store leaves the mailboxes as they were and
/// answers NO with a reason (never a server path); a restart finds what the clients were told.
@Suite struct MaildirFailureTests {
    /// Runs `commands` (one per line, tagged `a`, `b`, …) after LOGIN and returns each tagged reply.
    private func imap(_ port: Int, _ commands: [String]) async throws -> [String] {
        let client = try LineClient(port: port)
        _ = try await client.line()
        try await client.send("t LOGIN u p\r\n")
        while !(try await client.line()).hasPrefix("t ") {}
        var replies: [String] = []
        for (index, command) in commands.enumerated() {
            let tag = "c\(index)"
            try await client.send("\(tag) \(command)\r\n")
            while true {
                let line = try await client.line()
                if line.hasPrefix("+ ") { continue }
                if line.hasPrefix(tag + " ") {
                    replies.append(String(line.dropFirst(tag.count + 1)))
                    break
                }
                if line.hasPrefix("* LIST") { replies.append(line) }
            }
        }
        await client.close()
        return replies
    }

    private func mailboxes(_ port: Int) async throws -> [String] {
        try await imap(port, ["LIST \"\" *"]).filter { $0.hasPrefix("* LIST") }.map { line in
            String(line.split(separator: " ").last ?? "").replacingOccurrences(of: "\"", with: "")
        }
    }

    @Test func aRenameTheFileSystemRefusesAnswersNOAndChangesNothing() async throws {
        let folder = try MaildirIntegrationTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var configuration = Configuration()
        configuration.storage = .maildir(folder)
        try await MailCatcher.withRunning(configuration) { mail in
            let port = mail.ports.imap
            // A regular file where the new folder would go: rename(2) fails with ENOTDIR.
            #expect(FileManager.default.createFile(atPath: folder + "/.Taken", contents: Data("x".utf8)))
            let tooLong = String(repeating: "x", count: 255)
            let deep = (0..<16).map { _ in String(repeating: "y", count: 15) }.joined(separator: "/")
            let replies = try await imap(
                port,
                [
                    "RENAME Archive \(tooLong)", "RENAME Archive \(deep)", "RENAME Archive Taken/Below",
                    "RENAME Archive Taken", "APPEND Archive {18+}\r\nSubject: kept\r\n\r\nx",
                ])
            for reply in replies.prefix(4) {
                #expect(reply.hasPrefix("NO"), "\(reply)")
                #expect(!reply.contains(folder), "a reply names a server path: \(reply)")
            }
            #expect(replies[4].hasPrefix("OK"), "APPEND after the failed renames: \(replies[4])")
            let names = try await mailboxes(port)
            #expect(names.contains("Archive"), "\(names)")
            #expect(!names.contains { $0.hasPrefix("Taken") || $0.hasPrefix("x") || $0.hasPrefix("y") }, "\(names)")
        }
        // A restart finds the same mailboxes and the appended message in Archive.
        try await MailCatcher.withRunning(configuration) { mail in
            let names = try await mailboxes(mail.ports.imap)
            #expect(names.contains("Archive") && !names.contains { $0.hasPrefix("Taken") }, "\(names)")
            let status = try await imap(mail.ports.imap, ["STATUS Archive (MESSAGES)"])
            #expect(status.first?.hasPrefix("OK") == true)
            #expect(mail.store.snapshot(of: "Archive", matching: MessageFilter(mailbox: "Archive"))?.entries.count == 1)
        }
    }

    @Test func aFullDiskIsOverquotaForAppendAndLeavesNoFile() async throws {
        try await MaildirIntegrationTests.withTmpfs(size: "256k") { folder in try await fullDiskIsOverquota(folder) }
    }

    private func fullDiskIsOverquota(_ folder: String) async throws {
        var configuration = Configuration()
        configuration.storage = .maildir(folder)
        try await MailCatcher.withRunning(configuration) { mail in
            let size = 300_000
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            try await client.send("t LOGIN u p\r\na APPEND Archive {\(size)+}\r\n")
            try await client.send(
                bytes: Array(("Subject: big\r\n\r\n" + String(repeating: "x", count: size - 16)).utf8))
            try await client.send("\r\n")
            var reply = ""
            while !reply.hasPrefix("a ") { reply = try await client.line() }
            #expect(reply.hasPrefix("a NO [OVERQUOTA]"), "\(reply)")
            #expect(!reply.contains(folder))
            await client.close()
            #expect(
                mail.store.snapshot(of: "Archive", matching: MessageFilter(mailbox: "Archive"))?.entries.isEmpty == true
            )
        }
    }

    @Test func aMessageWhoseFileCannotBeDeletedStaysAndComesBackTheSame() async throws {
        try await MaildirIntegrationTests.withTmpfs(size: "4m") { folder in try await undeletableFileStays(folder) }
    }

    private func undeletableFileStays(_ folder: String) async throws {
        var configuration = Configuration()
        configuration.storage = .maildir(folder)
        try await MailCatcher.withRunning(configuration) { mail in
            let code = try await MaildirIntegrationTests.deliver(
                sampleMessage(subject: "stays"), to: ["bo@example.com"], port: mail.ports.smtp)
            #expect(code == 250)
            let curl = try ExternalTool.path("curl", package: "curl")
            func delete(_ path: String) async throws -> String {
                try await ExternalTool.run(
                    curl,
                    [
                        "--silent", "-X", "DELETE", "--write-out", " %{http_code}",
                        "http://127.0.0.1:\(mail.ports.http)\(path)",
                    ]
                ).stdout
            }
            // new/ made read-only (a bind mount of itself): unlink(2) fails with EROFS. The message
            // is not deleted, and no reply says it was.
            let new = folder + "/new"
            #expect(await runQuietly("/bin/mount", ["--bind", new, new]))
            #expect(await runQuietly("/bin/mount", ["-o", "remount,bind,ro", new]))
            let single = try await delete("/messages/1")
            #expect(single.hasSuffix(" 500") && single.contains("could not be deleted"), "\(single)")
            #expect(try await delete("/messages") == "0\n 200")
            #expect(mail.messages.map(\.subject) == ["stays"])
            #expect(await runQuietly("/bin/umount", [new]))
        }
        // What was kept is still there after a restart, and can be deleted once the disk allows.
        try await MailCatcher.withRunning(configuration) { mail in
            #expect(mail.messages.map(\.subject) == ["stays"])
            #expect(mail.store.remove(ids: mail.messages.map(\.id)) == 1)
            #expect(mail.messages.isEmpty)
        }
    }
}
