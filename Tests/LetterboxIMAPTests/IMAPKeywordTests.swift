import Foundation
import LetterboxIMAP
import LetterboxStore
import Testing

/// Keywords are announced before any FETCH mentions them (RFC 3501 §7.2.6, §6.3.1): in SELECT
/// and EXAMINE, and with an untagged FLAGS and PERMANENTFLAGS to every session that has the
/// mailbox selected, the one that stored the keyword and the others.
@Suite struct IMAPKeywordTests {
    let sample = "From: ana@example.com\r\nTo: bo@example.com\r\nSubject: Hi\r\n\r\nBody\r\n"
    static let system = "\\Answered \\Flagged \\Deleted \\Seen \\Draft"

    private func selected(_ mailbox: String = "INBOX", sharing store: MemoryStore = MemoryStore()) async -> IMAPScript {
        var script = IMAPScript(sharing: store)
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT \(mailbox)")
        return script
    }

    private func announcement(_ keywords: String) -> [String] {
        [
            "* FLAGS (\(Self.system) \(keywords))",
            "* OK [PERMANENTFLAGS (\(Self.system) \(keywords) \\*)] flags permitted",
        ]
    }

    @Test func storingANewKeywordAnnouncesItBeforeTheFetch() async throws {
        var script = await selected()
        try await script.deliver(sample)
        try await script.deliver(sample)
        _ = await script.send("c NOOP")
        #expect(
            await script.send("d STORE 1 +FLAGS ($label1)")
                == announcement("$label1") + ["* 1 FETCH (FLAGS (\\Recent $label1))", "d OK STORE completed"])
        #expect(
            await script.send("e STORE 2 +FLAGS ($label1)")
                == ["* 2 FETCH (FLAGS (\\Recent $label1))", "e OK STORE completed"], "announced once")
        #expect(
            await script.send("f UID STORE 2 +FLAGS.SILENT (Work)")
                == announcement("$label1 Work") + ["f OK UID STORE completed"], "silent, but FETCH may follow")
    }

    @Test func otherSessionsLearnTheKeywordWithTheirNextUpdate() async throws {
        var first = await selected()
        try await first.deliver(sample)
        var second = await selected(sharing: first.store)
        var idler = await selected(sharing: first.store)
        _ = await first.send("c NOOP")
        #expect(await idler.send("c IDLE") == ["+ idling"])
        _ = await first.send("d STORE 1 +FLAGS.SILENT ($label1)")
        #expect(
            await second.send("e NOOP")
                == announcement("$label1") + ["* 1 FETCH (FLAGS (\\Recent $label1))", "e OK NOOP completed"])
        #expect(
            String(decoding: idler.session.idleUpdates(), as: UTF8.self)
                == (announcement("$label1") + ["* 1 FETCH (FLAGS ($label1))", ""]).joined(separator: "\r\n"))
        // A FETCH by sequence number (no EXPUNGE allowed) still gets the announcement first.
        _ = await first.send("f STORE 1 +FLAGS.SILENT ($label2)")
        #expect(
            await second.send("g FETCH 1 (FLAGS)")
                == announcement("$label1 $label2") + [
                    "* 1 FETCH (FLAGS (\\Recent $label1 $label2))", "* 1 FETCH (FLAGS (\\Recent $label1 $label2))",
                    "g OK FETCH completed",
                ])
    }

    @Test func selectAndExamineListTheMailboxKeywords() async throws {
        var first = await selected()
        try await first.deliver(sample)
        _ = await first.send("c STORE 1 +FLAGS (Work $label1)")
        _ = await first.send("d STORE 1 -FLAGS (Work $label1)")
        var other = IMAPScript(sharing: first.store)
        _ = await other.send("a LOGIN x y")
        let select = await other.send("b SELECT INBOX")
        #expect(Array(select.prefix(2)) == announcement("$label1 Work"))
        let examine = await other.send("c EXAMINE INBOX")
        #expect(examine.first == "* FLAGS (\(Self.system) $label1 Work)")
        let archive = await other.send("d SELECT Archive")
        #expect(archive.first == "* FLAGS (\(Self.system))", "keywords are per mailbox")
    }

    @Test func keywordsArrivingWithNewMessagesAreAnnouncedBeforeExists() async throws {
        var first = await selected("Drafts")
        var second = IMAPScript(sharing: first.store)
        _ = await second.send("a LOGIN x y")
        _ = await second.send("b APPEND Drafts (Work) {\(sample.utf8.count)+}\r\n\(sample)")
        #expect(
            await first.send("c NOOP")
                == announcement("Work") + ["* 1 EXISTS", "* 1 RECENT", "c OK NOOP completed"])
        _ = await second.send("c SELECT INBOX")
        try await second.deliver(sample)
        _ = await second.send("d NOOP")
        _ = await second.send("e STORE 1 +FLAGS.SILENT (Copied)")
        _ = await second.send("f COPY 1 Drafts")
        #expect(
            await first.send("d NOOP")
                == announcement("Copied Work") + ["* 2 EXISTS", "* 2 RECENT", "d OK NOOP completed"])
    }
}
