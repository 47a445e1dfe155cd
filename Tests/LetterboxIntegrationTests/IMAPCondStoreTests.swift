import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// CONDSTORE and QRESYNC (RFC 7162) over TCP, in the memory and the Maildir store: mod-sequences
/// that grow with every change, FETCH MODSEQ and CHANGEDSINCE, STORE UNCHANGEDSINCE, SEARCH
/// MODSEQ, STATUS HIGHESTMODSEQ, `SELECT … (QRESYNC …)` answering only what changed, VANISHED
/// in place of EXPUNGE, and a Maildir store whose HIGHESTMODSEQ survives a restart.
@Suite(.timeLimit(.minutes(3))) struct IMAPCondStoreTests {
    /// An IMAP session over TCP: sends a tagged command and returns every line up to its completion.
    final class Session {
        let client: LineClient
        private var counter = 0

        init(_ mail: MailCatcher) async throws {
            client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            _ = try await run("LOGIN x y")
        }

        /// The lines answering `command`, its tagged completion last (without the tag).
        func run(_ command: String) async throws -> [String] {
            counter += 1
            let tag = "t\(counter)"
            try await client.send("\(tag) \(command)\r\n")
            var lines: [String] = []
            while true {
                let line = try await client.line()
                if line.hasPrefix("\(tag) ") {
                    lines.append(String(line.dropFirst(tag.count + 1)))
                    return lines
                }
                lines.append(line)
            }
        }

        func close() async { await client.close() }
    }

    private func withStore(_ maildir: Bool, folder: String? = nil, _ body: (MailCatcher) async throws -> Void)
        async throws
    {
        let folder =
            folder
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-condstore-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withCatcher({ if maildir { $0.storage = .maildir(folder) } }, body)
    }

    private func deliver(_ mail: MailCatcher, count: Int) async throws {
        for number in 1...count {
            _ = try await mail.store.append(
                Array(sampleMessage(subject: "Message \(number)").utf8),
                envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]))
        }
    }

    /// The number right after `prefix` on the first of `lines` that has one.
    private func number(after prefix: String, in lines: [String]) -> UInt64? {
        for line in lines {
            guard let range = line.range(of: prefix) else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            if let value = UInt64(digits) { return value }
        }
        return nil
    }

    /// The UIDs of a UID set such as `1:2,4`.
    private func uids(_ set: Substring) -> Set<UInt64> {
        var found: Set<UInt64> = []
        for part in set.split(separator: ",") {
            let bounds = part.split(separator: ":").compactMap { UInt64($0) }
            guard let low = bounds.first, let high = bounds.last, low <= high, high - low < 10_000 else { continue }
            found.formUnion(low...high)
        }
        return found
    }

    private func uidValidity(_ lines: [String]) -> UInt64 { number(after: "UIDVALIDITY ", in: lines) ?? 0 }

    @Test(arguments: [false, true]) func capabilityAndEnable(maildir: Bool) async throws {
        try await withStore(maildir) { mail in
            let session = try await Session(mail)
            let capability = try await session.run("CAPABILITY")
            #expect(capability.first?.hasSuffix(" CONDSTORE QRESYNC") == true)
            #expect(
                try await session.run("ENABLE CONDSTORE X-UNKNOWN") == ["* ENABLED CONDSTORE", "OK ENABLE completed"])
            #expect(try await session.run("ENABLE QRESYNC") == ["* ENABLED QRESYNC", "OK ENABLE completed"])
            await session.close()
        }
    }

    @Test(arguments: [false, true]) func modSequencesFetchStoreSearchAndStatus(maildir: Bool) async throws {
        try await withStore(maildir) { mail in
            try await deliver(mail, count: 3)
            let session = try await Session(mail)
            // Without CONDSTORE enabled SELECT looks as before; the first enabling command reports it.
            let plain = try await session.run("SELECT INBOX")
            #expect(!plain.contains { $0.contains("HIGHESTMODSEQ") })
            let fetched = try await session.run("FETCH 1:3 (MODSEQ)")
            let highest = try #require(number(after: "HIGHESTMODSEQ ", in: fetched))
            #expect(fetched.first == "* OK [HIGHESTMODSEQ \(highest)] Highest")
            let modSeqs = fetched.dropFirst().dropLast().compactMap { number(after: "MODSEQ (", in: [$0]) }
            #expect(modSeqs.count == 3 && modSeqs.allSatisfy { $0 <= highest && $0 > 0 })

            // A change moves the message's mod-sequence above HIGHESTMODSEQ; FLAGS come with UID and MODSEQ.
            let stored = try await session.run("STORE 1 +FLAGS (\\Seen)")
            let first = try #require(number(after: "MODSEQ (", in: stored))
            #expect(first > highest)
            #expect(stored == ["* 1 FETCH (MODSEQ (\(first)) FLAGS (\\Seen \\Recent))", "OK STORE completed"])
            // CHANGEDSINCE answers only what changed, with MODSEQ.
            #expect(
                try await session.run("FETCH 1:* (FLAGS) (CHANGEDSINCE \(highest))") == [
                    "* 1 FETCH (FLAGS (\\Seen \\Recent) MODSEQ (\(first)))", "OK FETCH completed",
                ])
            #expect(
                try await session.run("UID FETCH 1:* (FLAGS) (CHANGEDSINCE \(first))") == ["OK UID FETCH completed"])
            // UNCHANGEDSINCE: message 1 changed after `highest` and keeps its flags; 2 is stored.
            let conditional = try await session.run("STORE 1:2 (UNCHANGEDSINCE \(highest)) +FLAGS (\\Flagged)")
            let second = try #require(number(after: "MODSEQ (", in: conditional))
            #expect(
                conditional == [
                    "* 2 FETCH (MODSEQ (\(second)) FLAGS (\\Flagged \\Recent))",
                    "OK [MODIFIED 1] Conditional STORE failed",
                ])
            #expect(second > first)
            #expect(
                try await session.run("UID STORE 3 (UNCHANGEDSINCE 0) +FLAGS (\\Flagged)") == [
                    "OK [MODIFIED 3] Conditional UID STORE failed"
                ])
            // .SILENT still tells a CONDSTORE client the new mod-sequence (RFC 7162 §3.1.3).
            let silent = try await session.run("STORE 3 +FLAGS.SILENT (\\Answered)")
            let third = try #require(number(after: "MODSEQ (", in: silent))
            #expect(silent == ["* 3 FETCH (MODSEQ (\(third)))", "OK STORE completed"])
            // SEARCH MODSEQ: the messages changed at or after a mod-sequence, and the highest of theirs.
            #expect(
                try await session.run("SEARCH MODSEQ \(second)") == [
                    "* SEARCH 2 3 (MODSEQ \(third))", "OK SEARCH completed",
                ])
            #expect(
                try await session.run("UID SEARCH MODSEQ \"/flags/\\\\draft\" all \(first)") == [
                    "* SEARCH 1 2 3 (MODSEQ \(third))", "OK UID SEARCH completed",
                ])
            #expect(try await session.run("SEARCH MODSEQ \(third + 1)") == ["* SEARCH", "OK SEARCH completed"])
            #expect(
                try await session.run("SEARCH RETURN (COUNT) MODSEQ \(second)") == [
                    "* ESEARCH (TAG \"t13\") COUNT 2 MODSEQ \(third)", "OK SEARCH completed",
                ])
            // STATUS HIGHESTMODSEQ in another session.
            let other = try await Session(mail)
            #expect(
                try await other.run("STATUS INBOX (MESSAGES HIGHESTMODSEQ)") == [
                    "* STATUS INBOX (MESSAGES 3 HIGHESTMODSEQ \(third))", "OK STATUS completed",
                ])
            // That session changes a flag: this one hears of it with UID and MODSEQ.
            let changed = try await other.run("SELECT INBOX (CONDSTORE)")
            #expect(changed.contains("* OK [HIGHESTMODSEQ \(third)] Highest"))
            let otherStore = try await other.run("STORE 2 -FLAGS.SILENT (\\Flagged)")
            let fourth = try #require(number(after: "MODSEQ (", in: otherStore))
            #expect(
                try await session.run("NOOP") == [
                    "* 2 FETCH (MODSEQ (\(fourth)) FLAGS (\\Recent))", "OK NOOP completed",
                ])
            await other.close()
            await session.close()
        }
    }

    @Test(arguments: [false, true]) func qresyncSelectSendsOnlyTheChanges(maildir: Bool) async throws {
        try await withStore(maildir) { mail in
            try await deliver(mail, count: 6)
            let cached = try await Session(mail)
            _ = try await cached.run("ENABLE QRESYNC")
            let selected = try await cached.run("SELECT INBOX")
            let validity = uidValidity(selected)
            let highest = try #require(number(after: "HIGHESTMODSEQ ", in: selected))
            await cached.close()

            // Meanwhile: a flag change on UID 2, UIDs 3 and 5 expunged, a new message (UID 7).
            let other = try await Session(mail)
            _ = try await other.run("SELECT INBOX")
            _ = try await other.run("UID STORE 2 +FLAGS.SILENT (\\Flagged)")
            _ = try await other.run("UID STORE 3,5 +FLAGS.SILENT (\\Deleted)")
            _ = try await other.run("EXPUNGE")
            await other.close()
            try await deliver(mail, count: 1)

            let back = try await Session(mail)
            #expect(
                try await back.run("SELECT INBOX (QRESYNC (\(validity) \(highest)))").last?.hasPrefix("BAD") == true)
            _ = try await back.run("ENABLE QRESYNC")
            let resync = try await back.run("SELECT INBOX (QRESYNC (\(validity) \(highest)))")
            let now = try #require(number(after: "HIGHESTMODSEQ ", in: resync))
            #expect(now > highest)
            let changes = resync.filter { $0.hasPrefix("* VANISHED") || $0.contains(" FETCH ") }
            #expect(changes.count == 3)
            #expect(changes.first == "* VANISHED (EARLIER) 3,5")
            #expect(changes.dropFirst().first?.hasPrefix("* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (") == true)
            #expect(changes.last?.hasPrefix("* 5 FETCH (UID 7 FLAGS (\\Recent) MODSEQ (") == true)
            // Known UIDs narrow both; another UIDVALIDITY gets a plain SELECT.
            let known = try await back.run("EXAMINE INBOX (QRESYNC (\(validity) \(highest) 1:4))")
            #expect(known.first == "* OK [CLOSED] Previous mailbox closed")
            #expect(known.filter { $0.hasPrefix("* VANISHED") } == ["* VANISHED (EARLIER) 3"])
            #expect(known.filter { $0.contains(" FETCH ") }.count == 1)
            let stale = try await back.run("EXAMINE INBOX (QRESYNC (\(validity + 1) \(highest)))")
            #expect(!stale.contains { $0.hasPrefix("* VANISHED") || $0.contains(" FETCH ") })
            // UID FETCH … (CHANGEDSINCE … VANISHED).
            #expect(
                try await back.run("UID FETCH 1:4 (FLAGS) (CHANGEDSINCE \(highest) VANISHED)").prefix(2) == [
                    "* VANISHED (EARLIER) 3",
                    "* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (\(number(after: "MODSEQ (", in: changes) ?? 0)))",
                ])
            await back.close()
        }
    }

    @Test(arguments: [false, true]) func vanishedReplacesExpungeOnceQResyncIsEnabled(maildir: Bool) async throws {
        try await withStore(maildir) { mail in
            try await deliver(mail, count: 6)
            let session = try await Session(mail)
            let idler = try await Session(mail)
            for client in [session, idler] {
                _ = try await client.run("ENABLE QRESYNC")
                _ = try await client.run("SELECT INBOX")
            }
            try await idler.client.send("i IDLE\r\n")
            #expect(try await idler.client.line() == "+ idling")
            _ = try await session.run("STORE 1,2 +FLAGS.SILENT (\\Deleted)")
            #expect(try await session.run("EXPUNGE").first == "* VANISHED 1:2")
            #expect(try await session.run("UID EXPUNGE 3") == ["OK EXPUNGE completed"])
            _ = try await session.run("UID STORE 4 +FLAGS.SILENT (\\Deleted)")
            let uidExpunge = try await session.run("UID EXPUNGE 4")
            #expect(uidExpunge.first == "* VANISHED 4")
            // The completion names the HIGHESTMODSEQ that covers the expunge (RFC 7162 §3.2.10).
            #expect(uidExpunge.last?.hasPrefix("OK [HIGHESTMODSEQ ") == true)
            let moved = try await session.run("UID MOVE 5 Archive")
            #expect(moved.contains("* VANISHED 5"))
            #expect(!moved.contains { $0.hasSuffix(" EXPUNGE") })
            // The idling session hears VANISHED too (and the \Deleted flags before it).
            // (Updates that arrive close together may share one VANISHED.)
            var heard: [String] = []
            var vanished: Set<UInt64> = []
            while vanished != [1, 2, 4, 5] {
                let line = try await idler.client.line()
                heard.append(line)
                if line.hasPrefix("* VANISHED ") { vanished.formUnion(uids(line.dropFirst(11))) }
            }
            #expect(!heard.contains { $0.hasSuffix(" EXPUNGE") })
            try await idler.client.send("DONE\r\n")
            #expect(try await idler.client.line() == "i OK IDLE terminated")
            // Switching mailboxes marks the boundary with [CLOSED].
            #expect(try await session.run("SELECT Archive").first == "* OK [CLOSED] Previous mailbox closed")
            await idler.close()
            await session.close()
        }
    }

    /// Python's imapclient (its CONDSTORE support) caches a mailbox of 50 messages, disconnects,
    /// and resynchronizes after 2 flag changes and an expunge made elsewhere: CHANGEDSINCE brings
    /// exactly the 2 changed messages, SEARCH MODSEQ finds the same, and the expunged one is gone.
    @Test(arguments: [false, true]) func imapclientResyncTransfersOnlyTheChanges(maildir: Bool) async throws {
        let python = try await ExternalTool.python(with: ["imapclient"], pip: "imapclient")
        try await withStore(maildir) { mail in
            try await deliver(mail, count: 50)
            let script = """
                import sys
                from imapclient import IMAPClient
                port, phase = int(sys.argv[1]), sys.argv[2]
                with IMAPClient("127.0.0.1", port=port, ssl=False) as c:
                    c.login("bo@example.com", "pw")
                    assert b"CONDSTORE" in c.capabilities()
                    c.enable("CONDSTORE")
                    info = c.select_folder("INBOX")
                    highest = info[b"HIGHESTMODSEQ"]
                    if phase == "cache":
                        flags = c.fetch(c.search(), ["FLAGS"])
                        print(highest, len(flags))
                    else:
                        since = int(sys.argv[3])
                        changed = c.fetch(c.search(), ["FLAGS"], modifiers=["CHANGEDSINCE %d" % since])
                        print(highest > since, info[b"EXISTS"],
                              sorted(changed), sorted(c.search(["MODSEQ", str(since + 1)])),
                              [sorted(f.decode() for f in d[b"FLAGS"]) for _, d in sorted(changed.items())])
                """
            let cached = try await ExternalTool.run(python, ["-c", script, String(mail.ports.imap), "cache"])
            #expect(cached.status == 0, "\(cached.stderr)")
            let fields = cached.stdout.split(separator: " ")
            #expect(fields.last == "50\n")
            let highest = try #require(fields.first.flatMap { UInt64($0) })
            let ids = mail.store.messages().map(\.id)
            mail.store.updateFlags(.add(MessageFlags(["\\Flagged"])), ids: [ids[4], ids[20]])
            mail.store.remove(ids: [ids[30]])
            let resync = try await ExternalTool.run(
                python, ["-c", script, String(mail.ports.imap), "resync", String(highest)])
            #expect(resync.status == 0, "\(resync.stderr)")
            #expect(resync.stdout == "True 49 [5, 21] [5, 21] [['\\\\Flagged'], ['\\\\Flagged']]\n")
        }
    }

    /// A Maildir store restarted keeps HIGHESTMODSEQ from going back, and a client that resyncs
    /// from before the restart is told of every message that may have changed (a superset).
    @Test func maildirRestartNeverTakesHighestModSeqBack() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-condstore-restart-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var before: (validity: UInt64, highest: UInt64) = (0, 0)
        try await withCatcher({ $0.storage = .maildir(folder) }) { mail in
            try await deliver(mail, count: 4)
            let session = try await Session(mail)
            _ = try await session.run("ENABLE QRESYNC")
            _ = try await session.run("SELECT INBOX")
            _ = try await session.run("STORE 1 +FLAGS.SILENT (\\Seen)")
            let status = try await session.run("STATUS INBOX (UIDVALIDITY HIGHESTMODSEQ)")
            before = (number(after: "UIDVALIDITY ", in: status) ?? 0, number(after: "HIGHESTMODSEQ ", in: status) ?? 0)
            _ = try await session.run("UID STORE 4 +FLAGS.SILENT (\\Deleted)")
            _ = try await session.run("EXPUNGE")
            await session.close()
        }
        #expect(before.highest > 1)
        try await withCatcher({ $0.storage = .maildir(folder) }) { mail in
            let session = try await Session(mail)
            _ = try await session.run("ENABLE QRESYNC")
            let resync = try await session.run("SELECT INBOX (QRESYNC (\(before.validity) \(before.highest)))")
            let highest = try #require(number(after: "HIGHESTMODSEQ ", in: resync))
            #expect(highest > before.highest)
            // UID 4 went after the client's mod-sequence and must be reported (with UIDs that may
            // never have been used: a superset, RFC 7162 §3.2.5.2); flags of all three messages
            // are resent (the store keeps no per-message history across a restart).
            #expect(resync.contains { $0.hasPrefix("* VANISHED (EARLIER) 4") })
            #expect(resync.filter { $0.contains(" FETCH ") }.count == 3)
            // A client that synchronized after the restart gets nothing more.
            #expect(try await session.run("FETCH 1:* (FLAGS) (CHANGEDSINCE \(highest))") == ["OK FETCH completed"])
            _ = try await session.run("STORE 2 +FLAGS.SILENT (\\Seen)")
            await session.close()
        }
        // A second restart resumes above every value handed out in the first.
        try await withCatcher({ $0.storage = .maildir(folder) }) { mail in
            let session = try await Session(mail)
            let status = try await session.run("STATUS INBOX (HIGHESTMODSEQ)")
            #expect((number(after: "HIGHESTMODSEQ ", in: status) ?? 0) > before.highest + 1)
            await session.close()
        }
    }
}
