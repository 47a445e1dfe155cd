import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// Mailboxes, APPEND, COPY, MOVE and UIDPLUS against a live catcher holding Fixtures mail, driven
/// by clients we did not write: mbsync (isync), offlineimap3, fetchmail, mutt and neomutt, and
/// Python's imapclient. `.ci/run` installs them.
@Suite(.timeLimit(.minutes(3))) struct IMAPSyncClientTests {
    /// Fixture subjects the tests look for.
    private static let fixtureNames = ["plain-7bit", "multipart-alternative", "mixed-attachments"]

    /// A catcher whose INBOX holds the fixtures above, captured as if over SMTP; with `maildir`,
    /// kept in a Maildir in a temporary folder.
    private func withFixtureCatcher(maildir: Bool = false, _ body: (MailCatcher) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("letterbox-imap2-store-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withCatcher({ if maildir { $0.storage = .maildir(path) } }) { mail in
            for name in Self.fixtureNames {
                _ = try await mail.store.append(
                    Self.fixture(name), envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]))
            }
            try await body(mail)
        }
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/messages")
        return Array(try Data(contentsOf: folder.appendingPathComponent(name + ".eml")))
    }

    /// A fresh temporary folder, removed after `body`.
    private func withTemporaryFolder(_ body: (String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("letterbox-imap2-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await body(path)
    }

    /// Subjects by mailbox, every mailbox.
    private func subjects(_ mail: MailCatcher) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for message in mail.store.messages(matching: MessageFilter(mailbox: MessageFilter.everyMailbox)) {
            result[mail.store.location(of: message.id)?.mailbox ?? "?", default: []].append(message.subject)
        }
        return result
    }

    private func files(in folder: String) -> [String] {
        ["new", "cur"].flatMap { sub in
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(sub)")) ?? []).map {
                "\(folder)/\(sub)/\($0)"
            }
        }
    }

    @Test(arguments: [false, true]) func mbsyncPullsEveryFolderAndPushesNewMailAndDeletions(maildir: Bool) async throws
    {
        let mbsync = try ExternalTool.path("mbsync", package: "isync")
        try await withFixtureCatcher(maildir: maildir) { mail in
            try await withTemporaryFolder { dir in
                try """
                IMAPAccount letterbox
                Host 127.0.0.1
                Port \(mail.ports.imap)
                User x
                Pass y
                SSLType None
                AuthMechs LOGIN

                IMAPStore remote
                Account letterbox

                MaildirStore local
                Path \(dir)/mail/
                Inbox \(dir)/mail/INBOX
                SubFolders Verbatim

                Channel sync
                Far :remote:
                Near :local:
                Patterns *
                Create Both
                Expunge Both
                SyncState *

                """.write(toFile: "\(dir)/mbsyncrc", atomically: true, encoding: .utf8)
                try FileManager.default.createDirectory(atPath: "\(dir)/mail", withIntermediateDirectories: true)
                let first = try await ExternalTool.run(mbsync, ["-c", "\(dir)/mbsyncrc", "-a"])
                #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
                #expect(files(in: "\(dir)/mail/INBOX").count == 3)
                for folder in ["Sent", "Drafts", "Trash", "Junk", "Archive"] {
                    #expect(
                        FileManager.default.fileExists(atPath: "\(dir)/mail/\(folder)/cur"), "\(folder) was not synced")
                }

                // New local mail in an existing and a new folder is appended; a local deletion expunges.
                try FileManager.default.createDirectory(
                    atPath: "\(dir)/mail/Projects/new", withIntermediateDirectories: true)
                for sub in ["cur", "tmp"] {
                    try FileManager.default.createDirectory(
                        atPath: "\(dir)/mail/Projects/\(sub)", withIntermediateDirectories: true)
                }
                try Data(Self.fixture("latin1-qp")).write(to: URL(fileURLWithPath: "\(dir)/mail/Archive/new/100.local"))
                try Data(Self.fixture("html-only")).write(
                    to: URL(fileURLWithPath: "\(dir)/mail/Projects/new/101.local"))
                let lunch = try #require(
                    files(in: "\(dir)/mail/INBOX").first { file in
                        (try? String(contentsOfFile: file, encoding: .utf8))?.contains("Subject: Lunch on Friday?")
                            == true
                    })
                try FileManager.default.removeItem(atPath: lunch)
                let second = try await ExternalTool.run(mbsync, ["-c", "\(dir)/mbsyncrc", "-a"])
                #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
                let now = subjects(mail)
                #expect(now["Archive"] == ["Résumé de la réunion"])
                #expect(now["Projects"] == ["March news"])
                #expect(now["INBOX"]?.sorted() == ["Mixed with attachments", "Your weekly report is ready"])
                // mbsync read the APPENDUID codes: the local copies carry the server's UIDs.
                #expect(files(in: "\(dir)/mail/Archive").contains { $0.contains(",U=1") })
            }
        }
    }

    @Test func offlineimapSyncsBothWays() async throws {
        let offlineimap = try ExternalTool.path("offlineimap", package: "offlineimap3")
        try await withFixtureCatcher { mail in
            try await withTemporaryFolder { dir in
                try """
                [general]
                accounts = t
                metadata = \(dir)/meta

                [Account t]
                localrepository = local
                remoterepository = remote

                [Repository local]
                type = Maildir
                localfolders = \(dir)/mail

                [Repository remote]
                type = IMAP
                remotehost = 127.0.0.1
                remoteport = \(mail.ports.imap)
                remoteuser = x
                remotepass = y
                ssl = no
                starttls = no

                """.write(toFile: "\(dir)/rc", atomically: true, encoding: .utf8)
                let arguments = ["-c", "\(dir)/rc", "-o", "-u", "basic"]
                let first = try await ExternalTool.run(offlineimap, arguments)
                #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
                #expect(files(in: "\(dir)/mail/INBOX").count == 3)
                #expect(FileManager.default.fileExists(atPath: "\(dir)/mail/Sent/cur"))
                try Data(Self.fixture("html-only")).write(
                    to: URL(fileURLWithPath: "\(dir)/mail/Sent/new/200.local:2,S"))
                let second = try await ExternalTool.run(offlineimap, arguments)
                #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
                #expect(subjects(mail)["Sent"] == ["March news"])
                let sent = try #require(mail.store.snapshot(of: "Sent", matching: MessageFilter())?.entries.first)
                #expect(sent.flags.contains("\\Seen"))
            }
        }
    }

    @Test func fetchmailReadsSeveralFolders() async throws {
        let fetchmail = try ExternalTool.path("fetchmail", package: "fetchmail")
        try await withFixtureCatcher { mail in
            let archived = try #require(mail.messages.first)
            _ = try await mail.store.copy(ids: [archived.id], to: "Archive")
            try await withTemporaryFolder { dir in
                try """
                set no syslog
                poll 127.0.0.1 protocol IMAP port \(mail.ports.imap) timeout 30
                  user "x" password "y" sslproto "" keep fetchall folder "INBOX" "Archive"
                  mda "/bin/sh -c 'cat >> \(dir)/mbox'"
                """.write(toFile: "\(dir)/rc", atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(dir)/rc")
                let result = try await ExternalTool.run(
                    "/usr/bin/env", ["FETCHMAILHOME=\(dir)", fetchmail, "--nodetach", "-f", "\(dir)/rc"])
                #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
                let mbox = (try? String(contentsOfFile: "\(dir)/mbox", encoding: .utf8)) ?? ""
                #expect(mbox.components(separatedBy: "\nSubject: ").count - 1 == 4, "\(mbox.prefix(2000))")
            }
        }
    }

    /// mutt in batch mode sends over SMTP and files its copy in Sent with APPEND.
    @Test func muttSendsAndFilesTheCopyInSent() async throws {
        let mutt = try ExternalTool.path("mutt", package: "mutt")
        try await withCatcher { mail in
            try await withTemporaryFolder { dir in
                try muttrc(mail).write(toFile: "\(dir)/muttrc", atomically: true, encoding: .utf8)
                let result = try await ExternalTool.run(
                    mutt, ["-n", "-F", "\(dir)/muttrc", "-s", "sent by mutt", "--", "bo@example.com"], stdin: "Hello\n")
                #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
                #expect(subjects(mail) == ["INBOX": ["sent by mutt"], "Sent": ["sent by mutt"]])
                #expect(mail.messages.map(\.subject) == ["sent by mutt"], "HTTP's default list: the captured one only")
            }
        }
    }

    /// mutt and neomutt on a terminal (a pseudo-terminal from `script`), driven by pushed keys:
    /// copy one message to Archive, save (move) another to Trash, purge, quit.
    @Test(arguments: ["mutt", "neomutt"]) func muttFilesMessagesIntoFolders(_ program: String) async throws {
        let client = try ExternalTool.path(program, package: program)
        let script = try ExternalTool.path("script", package: "bsdutils")
        try await withFixtureCatcher { mail in
            try await withTemporaryFolder { dir in
                try muttrc(mail).write(toFile: "\(dir)/muttrc", atomically: true, encoding: .utf8)
                let keys =
                    "<tag-pattern>~s Lunch<enter><tag-prefix><copy-message>=Archive<enter><untag-pattern>~A<enter>"
                    + "<tag-pattern>~s Mixed<enter><tag-prefix><save-message>=Trash<enter><sync-mailbox><quit>"
                let command =
                    "\(client) -n -F \(dir)/muttrc -f imap://127.0.0.1:\(mail.ports.imap)/INBOX -e 'push \"\(keys)\"'"
                let result = try await ExternalTool.run(
                    "/usr/bin/env", ["TERM=xterm", "timeout", "60", script, "-qec", command, "/dev/null"])
                #expect(result.status == 0, "\(result.stdout.suffix(2000))")
                let now = subjects(mail)
                #expect(now["Archive"] == ["Lunch on Friday?"])
                #expect(now["Trash"] == ["Mixed with attachments"])
                #expect(now["INBOX"]?.sorted() == ["Lunch on Friday?", "Your weekly report is ready"])
            }
        }
    }

    private func muttrc(_ mail: MailCatcher) -> String {
        """
        set ssl_starttls=no
        set ssl_force_tls=no
        set imap_user=x
        set imap_pass=y
        set smtp_url=smtp://127.0.0.1:\(mail.ports.smtp)
        set from=ana@example.com
        set folder=imap://127.0.0.1:\(mail.ports.imap)/
        set record=+Sent
        set copy=yes
        set confirmappend=no
        set confirmcreate=no
        set delete=yes
        set quit=yes
        set move=no
        set wait_key=no
        set header_cache=
        set message_cachedir=

        """
    }

    @Test(arguments: [false, true]) func imapclientCreatesAppendsMovesAndReadsBack(maildir: Bool) async throws {
        let python = try await ExternalTool.python(with: ["imapclient"], pip: "imapclient")
        try await withFixtureCatcher(maildir: maildir) { mail in
            let script = """
                import sys
                from imapclient import IMAPClient
                with IMAPClient("127.0.0.1", port=int(sys.argv[1]), ssl=False) as c:
                    c.login("x", "y")
                    c.create_folder("Projects/Letterbox")
                    print(sorted(name for _, _, name in c.list_folders("Projects/")))
                    print([(flags, name) for flags, _, name in c.list_folders() if name == "Sent"])
                    print(c.find_special_folder(b"\\\\Drafts"))
                    uid = c.append("Drafts", b"Subject: draft\\r\\n\\r\\nwip\\r\\n", flags=[b"\\\\Draft"])
                    print(uid)
                    c.select_folder("INBOX")
                    uids = c.search(["SUBJECT", "Lunch"])
                    print(c.move(uids, "Projects/Letterbox"))
                    print(c.folder_status("Projects/Letterbox", ["MESSAGES", "UIDNEXT", "UNSEEN"]))
                    c.select_folder("Projects/Letterbox")
                    print([m[b"ENVELOPE"].subject.decode() for m in c.fetch(c.search(), ["ENVELOPE"]).values()])
                    c.rename_folder("Projects/Letterbox", "Projects/Done")
                    c.delete_folder("Junk")
                    print(sorted(name for _, _, name in c.list_folders()))
                """
            let result = try await ExternalTool.run(python, ["-c", script, String(mail.ports.imap)])
            #expect(result.status == 0, "\(result.stderr)")
            let validity = try #require(mail.store.mailbox(named: "Drafts")?.uidValidity)
            #expect(
                result.stdout.split(separator: "\n").map(String.init) == [
                    "['Projects/Letterbox']",
                    "[((b'\\\\HasNoChildren', b'\\\\Sent'), 'Sent')]",
                    "Drafts",
                    "b'[APPENDUID \(validity) 1] APPEND completed'",
                    "None",
                    "{b'MESSAGES': 1, b'UIDNEXT': 2, b'UNSEEN': 1}",
                    "['Lunch on Friday?']",
                    "['Archive', 'Drafts', 'INBOX', 'Projects', 'Projects/Done', 'Sent', 'Trash']",
                ])
            // Moved, not copied: the message keeps its id, and HTTP still lists it as captured.
            #expect(mail.messages.count == 3)
            #expect(subjects(mail)["Projects/Done"] == ["Lunch on Friday?"])
        }
    }

    @Test func twoSessionsSeeExistsExpungeAndFlagsFromEachOther() async throws {
        try await withFixtureCatcher { mail in
            let first = try LineClient(port: mail.ports.imap)
            let second = try LineClient(port: mail.ports.imap)
            for client in [first, second] {
                _ = try await client.line()
                try await client.send("a LOGIN x y\r\nb SELECT INBOX\r\n")
                while !(try await client.line()).hasPrefix("b OK") {}
            }
            let raw = "Subject: appended\r\n\r\nx\r\n"
            try await first.send("c APPEND INBOX (\\Seen) {\(raw.utf8.count)+}\r\n\(raw)\r\n")
            while !(try await first.line()).hasPrefix("c OK [APPENDUID") {}
            try await second.send("d NOOP\r\n")
            #expect(try await second.line() == "* 4 EXISTS")
            #expect(try await second.line() == "* 0 RECENT")
            #expect(try await second.line() == "d OK NOOP completed")
            try await second.send("e STORE 2 +FLAGS.SILENT (\\Flagged)\r\ne2 MOVE 1 Trash\r\n")
            #expect(try await second.line() == "e OK STORE completed")
            #expect(try await second.line().hasPrefix("* OK [COPYUID "))
            #expect(try await second.line() == "* 1 EXPUNGE")
            #expect(try await second.line() == "e2 OK MOVE completed")
            try await first.send("f NOOP\r\n")
            var updates: [String] = []
            while true {
                let line = try await first.line()
                if line.hasPrefix("f ") { break }
                updates.append(line)
            }
            #expect(updates == ["* 1 EXPUNGE", "* 1 FETCH (FLAGS (\\Flagged \\Recent))"])
            await first.close()
            await second.close()
        }
    }
}
