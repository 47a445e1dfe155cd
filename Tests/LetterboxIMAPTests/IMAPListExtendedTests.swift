import LetterboxIMAP
import LetterboxStore
import Testing

/// LIST-EXTENDED (RFC 5258) and LIST-STATUS (RFC 5819) transcripts; the attributes and their
/// order are Dovecot's (see `DovecotExtensionDifferentialTests`).
@Suite struct IMAPListExtendedTests {
    private func loggedIn() async -> IMAPScript {
        var script = IMAPScript()
        _ = await script.send("a LOGIN x y")
        for command in ["CREATE Lists/swift", "CREATE Fruit/Banana", "SUBSCRIBE Lists/swift", "SUBSCRIBE Fruit"] {
            _ = await script.send("s \(command)")
        }
        _ = await script.send("s SUBSCRIBE Fruit/Banana")
        return script
    }

    @Test func capabilitiesNameTheExtensions() async {
        var script = IMAPScript()
        let capability = await script.send("a CAPABILITY").first ?? ""
        for name in ["LIST-EXTENDED", "LIST-STATUS", "STATUS=SIZE", "ESORT", "SEARCHRES"] {
            #expect(capability.split(separator: " ").contains(Substring(name)), "\(name) in \(capability)")
        }
    }

    @Test func subscribedSelectionListsSubscribedNames() async {
        var script = await loggedIn()
        #expect(
            await script.send("b LIST (SUBSCRIBED) \"\" %") == [
                "* LIST (\\Subscribed) \"/\" Archive", "* LIST (\\Subscribed) \"/\" Drafts",
                "* LIST (\\Subscribed) \"/\" Fruit", "* LIST (\\Subscribed) \"/\" INBOX",
                "* LIST (\\Subscribed) \"/\" Junk", "* LIST (\\Subscribed) \"/\" Sent",
                "* LIST (\\Subscribed) \"/\" Trash",
                "b OK LIST completed",
            ])
        // A subscribed name that does not exist (any more) is \NonExistent (RFC 5258 §3.4).
        for command in ["CREATE Ghost", "SUBSCRIBE Ghost", "DELETE Ghost"] { _ = await script.send("c \(command)") }
        #expect(
            await script.send("d LIST (SUBSCRIBED) \"\" G*") == [
                "* LIST (\\Subscribed \\NonExistent) \"/\" Ghost", "d OK LIST completed",
            ])
    }

    @Test func recursiveMatchAddsParentsWithChildInfo() async {
        var script = await loggedIn()
        #expect(
            await script.send("b LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (F% L%)") == [
                "* LIST (\\Subscribed) \"/\" Fruit (CHILDINFO (\"SUBSCRIBED\"))",
                "* LIST () \"/\" Lists (CHILDINFO (\"SUBSCRIBED\"))", "b OK LIST completed",
            ])
        #expect(
            await script.send("c LIST (SUBSCRIBED RECURSIVEMATCH) \"\" L* RETURN (CHILDREN)") == [
                "* LIST (\\Subscribed \\HasNoChildren) \"/\" Lists/swift", "c OK LIST completed",
            ], "a parent whose child matches is not added")
        #expect(await script.send("d LIST (RECURSIVEMATCH) \"\" %").first?.hasPrefix("d BAD") == true)
        #expect(await script.send("e LIST (BOGUS) \"\" %").first?.hasPrefix("e BAD") == true)
        #expect(await script.send("f LIST \"\" % RETURN (BOGUS)").first?.hasPrefix("f BAD") == true)
    }

    @Test func returnOptionsAndSpecialUseSelection() async {
        var script = await loggedIn()
        #expect(
            await script.send("b LIST \"\" (Fruit* Sent) RETURN (SUBSCRIBED CHILDREN SPECIAL-USE)") == [
                "* LIST (\\Subscribed \\HasChildren) \"/\" Fruit",
                "* LIST (\\Subscribed \\HasNoChildren) \"/\" Fruit/Banana",
                "* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent", "b OK LIST completed",
            ])
        #expect(
            await script.send("c LIST (SPECIAL-USE) \"\" *") == [
                "* LIST (\\Archive) \"/\" Archive", "* LIST (\\Drafts) \"/\" Drafts", "* LIST (\\Junk) \"/\" Junk",
                "* LIST (\\Sent) \"/\" Sent", "* LIST (\\Trash) \"/\" Trash", "c OK LIST completed",
            ])
        #expect(
            await script.send("d LIST () \"\" Lists") == ["* LIST () \"/\" Lists", "d OK LIST completed"],
            "an empty selection is a plain LIST with extended attributes")
    }

    @Test func listStatusFollowsEachSelectableMailbox() async throws {
        var script = await loggedIn()
        try await script.deliver("Subject: one\r\n\r\nBody\r\n")
        for command in ["CREATE Nowhere/child", "SUBSCRIBE Nowhere/child", "DELETE Nowhere/child"] {
            _ = await script.send("b \(command)")
        }
        #expect(
            await script.send("c LIST (SUBSCRIBED) \"\" (INBOX Nowhere/*) RETURN (STATUS (MESSAGES UNSEEN SIZE))") == [
                "* LIST (\\Subscribed) \"/\" INBOX", "* STATUS INBOX (MESSAGES 1 UNSEEN 1 SIZE 22)",
                "* LIST (\\Subscribed \\NonExistent) \"/\" Nowhere/child", "c OK LIST completed",
            ])
        #expect(
            await script.send("d LIST \"\" % RETURN (STATUS (BOGUS))") == ["d BAD unknown STATUS item BOGUS"],
            "refused before any LIST line")
    }
}

/// SEARCHRES (RFC 5182) and ESORT (RFC 5267) transcripts.
@Suite struct IMAPSearchResultTests {
    private func selected() async throws -> IMAPScript {
        var script = IMAPScript()
        for subject in ["delta", "alpha", "charlie", "bravo"] {
            try await script.deliver("From: a@example.com\r\nSubject: \(subject)\r\n\r\nbody \(subject)\r\n")
        }
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        return script
    }

    @Test func savedResultFeedsLaterCommands() async throws {
        var script = try await selected()
        #expect(await script.send("c FETCH $ (UID)") == ["c OK FETCH completed"], "nothing saved yet: empty")
        #expect(
            await script.send("d SEARCH RETURN (SAVE) SUBJECT a") == ["d OK SEARCH completed"], "SAVE alone: no ESEARCH"
        )
        #expect(
            await script.send("e UID SEARCH RETURN (SAVE MIN MAX) 2:4") == [
                "* ESEARCH (TAG \"e\") UID MIN 2 MAX 4", "e OK UID SEARCH completed",
            ])
        #expect(
            await script.send("f FETCH $ (UID)") == ["* 2 FETCH (UID 2)", "* 4 FETCH (UID 4)", "f OK FETCH completed"],
            "MIN and MAX alone save only those (RFC 5182 §2.1)")
        _ = await script.send("g SEARCH RETURN (SAVE COUNT) 3:4")
        #expect(await script.send("h SEARCH $") == ["* SEARCH 3 4", "h OK SEARCH completed"])
        #expect(await script.send("i UID SEARCH NOT UID $") == ["* SEARCH 1 2", "i OK UID SEARCH completed"])
        #expect(await script.send("j STORE 3 +FLAGS.SILENT (\\Deleted)") == ["j OK STORE completed"])
        _ = await script.send("k EXPUNGE")
        #expect(
            await script.send("l FETCH $ (UID)") == ["* 3 FETCH (UID 4)", "l OK FETCH completed"],
            "an expunged message leaves the saved result; the rest are renumbered")
        #expect(
            await script.send("m UID STORE $ +FLAGS (\\Seen)") == [
                "* 3 FETCH (FLAGS (\\Seen \\Recent) UID 4)", "m OK UID STORE completed",
            ])
        #expect(await script.send("n FETCH $,1 (UID)").first?.hasPrefix("n BAD") == true, "$ stands alone")
        _ = await script.send("o SELECT INBOX")
        #expect(await script.send("p SEARCH $") == ["* SEARCH", "p OK SEARCH completed"], "SELECT empties it")
    }

    @Test func esortAnswersInSortOrder() async throws {
        var script = try await selected()
        #expect(
            await script.send("c SORT RETURN (ALL) (SUBJECT) UTF-8 ALL") == [
                "* ESEARCH (TAG \"c\") ALL 2,4,3,1", "c OK SORT completed",
            ])
        #expect(
            await script.send("d SORT RETURN (MIN MAX COUNT) (SUBJECT) UTF-8 ALL") == [
                "* ESEARCH (TAG \"d\") MIN 2 MAX 1 COUNT 4", "d OK SORT completed",
            ], "MIN and MAX are the first and last in sort order (RFC 5267 §3)")
        #expect(
            await script.send("e UID SORT RETURN () (REVERSE SUBJECT) UTF-8 ALL") == [
                "* ESEARCH (TAG \"e\") UID ALL 1,3:4,2", "e OK UID SORT completed",
            ], "only runs ascending in sort order become ranges")
        #expect(
            await script.send("f SORT RETURN (COUNT) (SUBJECT) UTF-8 NOT ALL") == [
                "* ESEARCH (TAG \"f\") COUNT 0", "f OK SORT completed",
            ])
        _ = await script.send("g SORT RETURN (SAVE) (SUBJECT) UTF-8 1:2")
        #expect(
            await script.send("h SEARCH RETURN (ALL) $") == ["* ESEARCH (TAG \"h\") ALL 1:2", "h OK SEARCH completed"])
        #expect(await script.send("i SORT (SUBJECT) UTF-8 $") == ["* SORT 2 1", "i OK SORT completed"])
    }
}
