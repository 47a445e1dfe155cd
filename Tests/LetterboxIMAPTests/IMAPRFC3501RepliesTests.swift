import Foundation
import LetterboxIMAP
import LetterboxStore
import Testing

/// Replies RFC 3501 prescribes that real clients trip over: EXAMINE's RECENT count, LSUB's
/// `\Noselect` parents, and a tagged NO for an unsupported SEARCH charset.
@Suite struct IMAPRFC3501RepliesTests {
    let sample = "From: ana@example.com\r\nTo: bo@example.com\r\nSubject: Hi\r\n\r\nBody\r\n"

    private func loggedIn(sharing store: MemoryStore = MemoryStore()) async -> IMAPScript {
        var script = IMAPScript(sharing: store)
        _ = await script.send("a LOGIN x y")
        return script
    }

    /// RFC 3501 §6.3.2: EXAMINE does not claim \Recent, but reports how many messages have it.
    @Test func examineReportsTheRecentCountWithoutClaimingIt() async throws {
        var script = await loggedIn()
        try await script.deliver(sample)
        try await script.deliver(sample)
        #expect(await script.send("b STATUS INBOX (RECENT)") == ["* STATUS INBOX (RECENT 2)", "b OK STATUS completed"])
        let examine = await script.send("c EXAMINE INBOX")
        #expect(examine.contains("* 2 RECENT"))
        #expect(examine.last == "c OK [READ-ONLY] EXAMINE completed")
        #expect(await script.send("d FETCH 1 (FLAGS)") == ["* 1 FETCH (FLAGS (\\Recent))", "d OK FETCH completed"])
        try await script.deliver(sample)
        #expect(await script.send("e NOOP") == ["* 3 EXISTS", "* 3 RECENT", "e OK NOOP completed"])
        // Still unclaimed: the first SELECT gets them.
        var selecting = await loggedIn(sharing: script.store)
        #expect(await selecting.send("b SELECT INBOX").contains("* 3 RECENT"))
        #expect(await script.send("f EXAMINE INBOX").contains("* 0 RECENT"))
    }

    /// RFC 3501 §6.3.9: `%` must return `foo` flagged `\Noselect` when only `foo/bar` is subscribed.
    @Test func lsubListsUnsubscribedParentsAsNoselect() async throws {
        var script = await loggedIn()
        for name in ["Work/Projects/2024", "Lists/swift"] {
            _ = await script.send("b CREATE \(name)")
            _ = await script.send("c SUBSCRIBE \(name)")
        }
        #expect(
            await script.send("d LSUB \"\" %") == [
                "* LSUB (\\Archive) \"/\" Archive", "* LSUB (\\Drafts) \"/\" Drafts", "* LSUB () \"/\" INBOX",
                "* LSUB (\\Junk) \"/\" Junk", "* LSUB (\\Noselect) \"/\" Lists", "* LSUB (\\Sent) \"/\" Sent",
                "* LSUB (\\Trash) \"/\" Trash", "* LSUB (\\Noselect) \"/\" Work", "d OK LSUB completed",
            ])
        #expect(
            await script.send("e LSUB Work/ %") == ["* LSUB (\\Noselect) \"/\" Work/Projects", "e OK LSUB completed"])
        #expect(
            await script.send("f LSUB \"\" Work*") == ["* LSUB () \"/\" Work/Projects/2024", "f OK LSUB completed"],
            "`*` reaches the subscribed name itself")
        _ = await script.send("g SUBSCRIBE Work")
        #expect(await script.send("h LSUB \"\" W%") == ["* LSUB () \"/\" Work", "h OK LSUB completed"])
    }

    /// RFC 3501 §6.4.4 (and RFC 5256 §3 for SORT): an unknown charset is a tagged NO with BADCHARSET.
    @Test func unsupportedSearchCharsetIsATaggedNo() async throws {
        var script = await loggedIn()
        try await script.deliver(sample)
        _ = await script.send("b SELECT INBOX")
        #expect(
            await script.send("c SEARCH CHARSET KOI8-R SUBJECT Hi")
                == ["c NO [BADCHARSET (UTF-8 US-ASCII)] unsupported charset KOI8-R"])
        #expect(
            await script.send("d UID SEARCH RETURN (COUNT) CHARSET ISO-2022-JP ALL")
                == ["d NO [BADCHARSET (UTF-8 US-ASCII)] unsupported charset ISO-2022-JP"])
        #expect(
            await script.send("e SORT (SUBJECT) KOI8-R ALL")
                == ["e NO [BADCHARSET (UTF-8 US-ASCII)] unsupported charset KOI8-R"])
        #expect(await script.send("f SEARCH CHARSET KOI8-R NONSENSE").first?.hasPrefix("f BAD") == true)
        #expect(await script.send("g SEARCH CHARSET utf-8 SUBJECT Hi") == ["* SEARCH 1", "g OK SEARCH completed"])
    }
}
