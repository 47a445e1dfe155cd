import Foundation
import LetterboxIMAP
import LetterboxStore
import Testing

/// Transcripts for mailboxes, APPEND, COPY, MOVE and UIDPLUS against a real in-memory store.
@Suite struct IMAPMailboxTests {
    let sample = "From: ana@example.com\r\nTo: bo@example.com\r\nSubject: Hi\r\n\r\nBody\r\n"

    private func loggedIn(_ user: String = "x") async -> IMAPScript {
        var script = IMAPScript()
        _ = await script.send("a LOGIN \(user) y")
        return script
    }

    @Test func defaultFoldersArePresentWithSpecialUse() async {
        var script = await loggedIn()
        #expect(
            await script.send("b LIST \"\" *") == [
                "* LIST (\\HasNoChildren) \"/\" INBOX",
                "* LIST (\\HasNoChildren \\Archive) \"/\" Archive",
                "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts",
                "* LIST (\\HasNoChildren \\Junk) \"/\" Junk",
                "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
                "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
                "b OK LIST completed",
            ])
        #expect(await script.send("c CAPABILITY").first?.contains("UIDPLUS MOVE CHILDREN SPECIAL-USE") == true)
    }

    @Test func createListWithWildcardsAndChildren() async {
        var script = await loggedIn()
        #expect(await script.send("b CREATE Projects/2024/Q1") == ["b OK CREATE completed"])
        #expect(await script.send("c CREATE Projects/") == ["c NO [ALREADYEXISTS] mailbox Projects already exists"])
        #expect(
            await script.send("d LIST \"\" Projects/%") == [
                "* LIST (\\HasChildren) \"/\" Projects/2024", "d OK LIST completed",
            ])
        #expect(
            await script.send("e LIST Projects/ *") == [
                "* LIST (\\HasChildren) \"/\" Projects/2024", "* LIST (\\HasNoChildren) \"/\" Projects/2024/Q1",
                "e OK LIST completed",
            ])
        #expect(
            await script.send("f LIST \"\" P%") == ["* LIST (\\HasChildren) \"/\" Projects", "f OK LIST completed"])
        #expect(await script.send("g CREATE \"a**\"").first?.hasPrefix("g NO [CANNOT]") == true)
        #expect(await script.send("h CREATE \"With space\"") == ["h OK CREATE completed"])
        #expect(
            await script.send("i LIST \"\" With*") == [
                "* LIST (\\HasNoChildren) \"/\" \"With space\"", "i OK LIST completed",
            ])
    }

    @Test func deleteAndRename() async throws {
        var script = await loggedIn()
        _ = await script.send("b CREATE Work/Old")
        #expect(await script.send("c DELETE Work").first?.hasPrefix("c NO [HASCHILDREN]") == true)
        #expect(await script.send("d DELETE INBOX") == ["d NO [CANNOT] INBOX cannot be deleted"])
        #expect(await script.send("e DELETE Nowhere") == ["e NO [NONEXISTENT] no mailbox Nowhere"])
        let validity = script.store.mailbox(named: "Work/Old")?.uidValidity
        #expect(await script.send("f RENAME Work Job") == ["f OK RENAME completed"])
        #expect(script.store.mailbox(named: "Job/Old")?.uidValidity == validity)
        #expect(script.store.mailbox(named: "Work") == nil)
        #expect(await script.send("g DELETE Job/Old") == ["g OK DELETE completed"])
        #expect(await script.send("h DELETE Job") == ["h OK DELETE completed"])
        _ = await script.send("i CREATE Job")
        #expect(script.store.mailbox(named: "Job")!.uidValidity > validity!, "a name made again gets a new UIDVALIDITY")
    }

    @Test func renamingInboxMovesItsMessages() async throws {
        var script = await loggedIn()
        try await script.deliver(sample)
        try await script.deliver(sample)
        #expect(await script.send("b RENAME inbox Saved") == ["b OK RENAME completed"])
        #expect(
            await script.send("c STATUS INBOX (MESSAGES)") == ["* STATUS INBOX (MESSAGES 0)", "c OK STATUS completed"])
        #expect(
            await script.send("d STATUS Saved (MESSAGES UIDNEXT)") == [
                "* STATUS Saved (MESSAGES 2 UIDNEXT 3)", "d OK STATUS completed",
            ])
        // HTTP's default list still shows what was captured, wherever it went.
        #expect(script.store.messages(matching: MessageFilter()).count == 2)
    }

    @Test func subscriptions() async {
        var script = await loggedIn()
        _ = await script.send("b CREATE Lists")
        #expect(await script.send("c LSUB \"\" L*") == ["c OK LSUB completed"])
        #expect(await script.send("d SUBSCRIBE Lists") == ["d OK SUBSCRIBE completed"])
        #expect(await script.send("e LSUB \"\" L*") == ["* LSUB () \"/\" Lists", "e OK LSUB completed"])
        #expect(await script.send("f UNSUBSCRIBE Lists") == ["f OK UNSUBSCRIBE completed"])
        #expect(await script.send("g SUBSCRIBE Nowhere") == ["g NO [NONEXISTENT] no mailbox Nowhere"])
    }

    @Test func appendWithFlagsDateAndAppendUID() async throws {
        var script = await loggedIn()
        let validity = script.store.mailbox(named: "Sent")!.uidValidity
        #expect(
            await script.send(
                "b APPEND Sent (\\Seen) \"21-Nov-1997 09:55:06 -0600\" {\(sample.utf8.count)+}\r\n\(sample)")
                == ["b OK [APPENDUID \(validity) 1] APPEND completed"])
        #expect(
            await script.send("c APPEND Sent {\(sample.utf8.count)+}\r\n\(sample)") == [
                "c OK [APPENDUID \(validity) 2] APPEND completed"
            ])
        #expect(
            await script.send("d APPEND Nowhere {2+}\r\nHi") == ["d NO [TRYCREATE] no mailbox Nowhere; create it first"]
        )
        #expect(await script.send("e SELECT Sent").contains("* 2 EXISTS"))
        #expect(
            await script.send("f UID FETCH 1 (FLAGS INTERNALDATE)") == [
                "* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent) INTERNALDATE \"21-Nov-1997 15:55:06 +0000\")",
                "f OK UID FETCH completed",
            ])
        // Appended mail is not "captured": the default message list leaves it out.
        #expect(script.store.messages(matching: MessageFilter()).isEmpty)
        #expect(script.store.messages(matching: MessageFilter(mailbox: "Sent")).count == 2)
        #expect(script.store.messages(matching: MessageFilter(mailbox: "*")).count == 2)
    }

    @Test func appendToTheSelectedMailboxAnnouncesExists() async throws {
        var script = await loggedIn()
        _ = await script.send("b SELECT Drafts")
        #expect(
            await script.send("c APPEND Drafts (\\Draft) {\(sample.utf8.count)+}\r\n\(sample)").prefix(2) == [
                "* 1 EXISTS", "* 1 RECENT",
            ])
    }

    @Test func copyKeepsFlagsAndReportsCopyUID() async throws {
        var script = await loggedIn()
        for _ in 0..<3 { try await script.deliver(sample) }
        _ = await script.send("b SELECT INBOX")
        _ = await script.send("c STORE 2 +FLAGS (\\Flagged)")
        let validity = script.store.mailbox(named: "Archive")!.uidValidity
        #expect(await script.send("d COPY 2:3 Archive") == ["d OK [COPYUID \(validity) 2:3 1:2] COPY completed"])
        #expect(
            await script.send("e UID COPY 1,3 Archive") == ["e OK [COPYUID \(validity) 1,3 3:4] UID COPY completed"])
        #expect(await script.send("f UID COPY 99 Archive") == ["f OK UID COPY completed"])
        #expect(await script.send("g COPY 1 Nowhere") == ["g NO [TRYCREATE] no mailbox Nowhere; create it first"])
        #expect(
            await script.send("h STATUS Archive (MESSAGES RECENT UNSEEN)") == [
                "* STATUS Archive (MESSAGES 4 RECENT 4 UNSEEN 4)", "h OK STATUS completed",
            ])
        _ = await script.send("i SELECT Archive")
        #expect(
            await script.send("j FETCH 1 FLAGS") == ["* 1 FETCH (FLAGS (\\Flagged \\Recent))", "j OK FETCH completed"])
        // Copies are new messages: INBOX keeps its three, HTTP's default list shows only those.
        #expect(script.store.messages(matching: MessageFilter()).count == 3)
        #expect(script.store.messages().count == 7)
    }

    @Test func moveExpungesAndKeepsIDs() async throws {
        var script = await loggedIn()
        var ids: [UInt64] = []
        for _ in 0..<3 { ids.append(try await script.deliver(sample).id) }
        _ = await script.send("b SELECT INBOX")
        let validity = script.store.mailbox(named: "Trash")!.uidValidity
        #expect(
            await script.send("c MOVE 1:2 Trash") == [
                "* OK [COPYUID \(validity) 1:2 1:2] moved", "* 2 EXPUNGE", "* 1 EXPUNGE", "c OK MOVE completed",
            ])
        #expect(
            await script.send("d UID MOVE 3 Trash") == [
                "* OK [COPYUID \(validity) 3 3] moved", "* 1 EXPUNGE", "d OK UID MOVE completed",
            ])
        #expect(script.store.location(of: ids[0]) == MessageLocation(mailbox: "Trash", uid: 1, captured: true))
        #expect(script.store.messages(matching: MessageFilter()).map(\.id) == ids)
        #expect(script.store.messages(matching: MessageFilter(mailbox: "inbox")).isEmpty)
        _ = await script.send("e EXAMINE Trash")
        #expect(await script.send("f MOVE 1 INBOX") == ["f NO [READ-ONLY] mailbox is read-only"])
    }

    @Test func uidExpungeRemovesOnlyTheNamedUIDs() async throws {
        var script = await loggedIn()
        for _ in 0..<3 { try await script.deliver(sample) }
        _ = await script.send("b SELECT INBOX")
        _ = await script.send("c STORE 1:3 +FLAGS.SILENT (\\Deleted)")
        #expect(await script.send("d UID EXPUNGE 2") == ["* 2 EXPUNGE", "d OK EXPUNGE completed"])
        #expect(await script.send("e UID SEARCH ALL") == ["* SEARCH 1 3", "e OK UID SEARCH completed"])
    }

    @Test func statusReportsEveryItem() async throws {
        var script = await loggedIn()
        try await script.deliver(sample)
        let validity = script.store.uidValidity
        let size = sample.utf8.count
        #expect(
            await script.send("b STATUS inbox (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE)") == [
                "* STATUS INBOX (MESSAGES 1 RECENT 1 UIDNEXT 2 UIDVALIDITY \(validity) UNSEEN 1 SIZE \(size))",
                "b OK STATUS completed",
            ])
        #expect(await script.send("c STATUS Nowhere (MESSAGES)") == ["c NO [NONEXISTENT] no mailbox Nowhere"])
    }

    @Test func twoSessionsSeeEachOthersChanges() async throws {
        var first = await loggedIn()
        var second = IMAPScript(sharing: first.store)
        _ = await second.send("a LOGIN x y")
        _ = await first.send("b SELECT Archive")
        _ = await second.send("b SELECT Archive")
        _ = await first.send("c APPEND Archive {\(sample.utf8.count)+}\r\n\(sample)")
        #expect(await second.send("c NOOP") == ["* 1 EXISTS", "* 0 RECENT", "c OK NOOP completed"])
        _ = await second.send("d STORE 1 +FLAGS.SILENT (\\Seen)")
        #expect(await first.send("d NOOP") == ["* 1 FETCH (FLAGS (\\Seen \\Recent))", "d OK NOOP completed"])
        _ = await second.send("e MOVE 1 Trash")
        #expect(await first.send("e NOOP") == ["* 1 EXPUNGE", "e OK NOOP completed"])
    }

    @Test func addressLoginSeesItsInboxAndSharedFolders() async throws {
        var script = await loggedIn("bo@example.com")
        try await script.deliver(sample, to: ["ana@example.com"])
        try await script.deliver(sample, to: ["bo@example.com"])
        #expect(
            await script.send("b STATUS INBOX (MESSAGES)") == ["* STATUS INBOX (MESSAGES 1)", "b OK STATUS completed"])
        _ = await script.send("c APPEND Sent {\(sample.utf8.count)+}\r\n\(sample)")
        #expect(
            await script.send("d STATUS Sent (MESSAGES)") == ["* STATUS Sent (MESSAGES 1)", "d OK STATUS completed"])
        #expect(await script.send("e RENAME INBOX Mine") == ["e OK RENAME completed"])
        #expect(
            await script.send("f STATUS Mine (MESSAGES)") == ["* STATUS Mine (MESSAGES 1)", "f OK STATUS completed"])
        #expect(script.store.messages(matching: MessageFilter(mailbox: "INBOX")).count == 1, "ana's mail stays")
    }

    @Test func esearchReturnsMinMaxCountAll() async throws {
        var script = await loggedIn()
        for _ in 0..<4 { try await script.deliver(sample) }
        _ = await script.send("b SELECT INBOX")
        _ = await script.send("c STORE 2 +FLAGS.SILENT (\\Seen)")
        #expect(
            await script.send("d SEARCH RETURN (MIN MAX COUNT) UNSEEN") == [
                "* ESEARCH (TAG \"d\") MIN 1 MAX 4 COUNT 3", "d OK SEARCH completed",
            ])
        #expect(
            await script.send("e UID SEARCH RETURN () ALL") == [
                "* ESEARCH (TAG \"e\") UID ALL 1:4", "e OK UID SEARCH completed",
            ])
        #expect(
            await script.send("f UID SEARCH RETURN (COUNT ALL) SUBJECT nothing") == [
                "* ESEARCH (TAG \"f\") UID COUNT 0", "f OK UID SEARCH completed",
            ])
        #expect(
            await script.send("g SEARCH RETURN (RELEVANCY) ALL").first?.hasPrefix(
                "g BAD unknown RETURN option RELEVANCY") == true)
        // PARTIAL (RFC 5267 §4.4) needs its range.
        #expect(await script.send("h SEARCH RETURN (PARTIAL) ALL").first?.hasPrefix("h BAD expected ' '") == true)
    }

    @Test func sortByBaseSubjectAndReverseSize() async throws {
        var script = await loggedIn()
        for subject in ["Re: [list] Banana", "apple", "Fwd: cherry (fwd)", "Re: apple"] {
            try await script.deliver("Subject: \(subject)\r\n\r\n\(subject)\r\n")
        }
        _ = await script.send("b SELECT INBOX")
        #expect(await script.send("c SORT (SUBJECT) UTF-8 ALL") == ["* SORT 2 4 1 3", "c OK SORT completed"])
        #expect(
            await script.send("d UID SORT (REVERSE SIZE) US-ASCII NOT 1") == [
                "* SORT 3 4 2", "d OK UID SORT completed",
            ])
        #expect(
            await script.send("e SORT (REVERSE) UTF-8 ALL").first?.hasPrefix(
                "e BAD SORT needs a criterion after REVERSE") == true)
        #expect(await script.send("f SORT (SUBJECT) KOI8-R ALL").first?.hasPrefix("f NO [BADCHARSET") == true)
    }

    /// SORT compares subjects with i;ascii-casemap (RFC 5256 §2.1, RFC 4790 §9.2): ASCII letters
    /// fold case, an accented letter is itself (its UTF-8 bytes sort after every ASCII letter),
    /// not its base letter.
    @Test func sortComparesSubjectsWithASCIICasemap() async throws {
        var script = await loggedIn()
        for subject in ["=?UTF-8?Q?R=C3=A9union?=", "rf", "REZ", "Rez"] {
            try await script.deliver("Subject: \(subject)\r\n\r\nbody\r\n")
        }
        _ = await script.send("b SELECT INBOX")
        #expect(await script.send("c SORT (SUBJECT) UTF-8 ALL") == ["* SORT 3 4 2 1", "c OK SORT completed"])
    }
}
