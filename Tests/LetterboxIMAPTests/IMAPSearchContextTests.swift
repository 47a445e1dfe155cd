import LetterboxIMAP
import LetterboxStore
import Testing

/// CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4) transcripts: a result kept live with UPDATE,
/// ADDTO and REMOVEFROM as another session changes the mailbox, CANCELUPDATE, the bound on live
/// searches, and PARTIAL. Over TCP with concurrent sessions: `IMAPSearchContextTCPTests`.
@Suite struct IMAPSearchContextTests {
    static func message(_ subject: String) -> String {
        "From: ana@example.com\r\nSubject: \(subject)\r\n\r\nbody \(subject)\r\n"
    }

    private func twoSessions(_ subjects: [String]) async throws -> (IMAPScript, IMAPScript) {
        var first = IMAPScript()
        for subject in subjects { try await first.deliver(Self.message(subject)) }
        var second = IMAPScript(sharing: first.store)
        for command in ["a LOGIN x y", "b SELECT INBOX"] {
            _ = await first.send(command)
            _ = await second.send(command)
        }
        return (first, second)
    }

    @Test func searchResultsFollowFlagsArrivalsAndExpunges() async throws {
        var (first, second) = try await twoSessions(["one", "two", "three"])
        #expect(
            await first.send("c UID SEARCH RETURN (ALL UPDATE) UNSEEN") == [
                "* ESEARCH (TAG \"c\") UID ALL 1:3", "c OK UID SEARCH completed",
            ])
        _ = await second.send("d STORE 2 +FLAGS.SILENT (\\Seen)")
        #expect(
            await first.send("e NOOP") == [
                "* 2 FETCH (FLAGS (\\Seen \\Recent))", "* ESEARCH (TAG \"c\") UID REMOVEFROM (0 2)",
                "e OK NOOP completed",
            ])
        try await first.deliver(Self.message("four"))
        #expect(
            await first.send("f NOOP") == [
                "* 4 EXISTS", "* 4 RECENT", "* ESEARCH (TAG \"c\") UID ADDTO (0 4)", "f OK NOOP completed",
            ])
        _ = await second.send("g STORE 1 +FLAGS.SILENT (\\Deleted)")
        _ = await second.send("h EXPUNGE")
        // REMOVEFROM before the EXPUNGE, while the numbers still mean the same messages.
        #expect(
            await first.send("i NOOP") == [
                "* ESEARCH (TAG \"c\") UID REMOVEFROM (0 1)", "* 1 EXPUNGE", "i OK NOOP completed",
            ])
        #expect(await first.send("j CANCELUPDATE \"c\"") == ["j OK CANCELUPDATE completed"])
        _ = await second.send("k UID STORE 2 -FLAGS.SILENT (\\Seen)")
        #expect(await first.send("l NOOP") == ["* 1 FETCH (FLAGS (\\Recent))", "l OK NOOP completed"])
        #expect(await first.send("m CANCELUPDATE \"c\"") == ["m NO no live search has the tag c"])
    }

    @Test func sequenceNumberResultsAndTheSessionsOwnChanges() async throws {
        var (first, _) = try await twoSessions(["one", "two", "three"])
        #expect(
            await first.send("c SEARCH RETURN (UPDATE) SEEN") == [
                "* ESEARCH (TAG \"c\")", "c OK SEARCH completed",
            ])
        #expect(
            await first.send("d STORE 2:3 +FLAGS (\\Seen)") == [
                "* 2 FETCH (FLAGS (\\Seen \\Recent))", "* 3 FETCH (FLAGS (\\Seen \\Recent))",
                "* ESEARCH (TAG \"c\") ADDTO (0 2:3)", "d OK STORE completed",
            ])
        #expect(
            await first.send("c SEARCH RETURN (UPDATE) ALL") == [
                "c BAD a live search already has the tag c (RFC 5267 §4.2)"
            ])
    }

    @Test func sortResultsSayWhereNewMessagesGo() async throws {
        var (first, _) = try await twoSessions(["bravo", "delta"])
        #expect(
            await first.send("c UID SORT RETURN (ALL UPDATE) (SUBJECT) UTF-8 ALL") == [
                "* ESEARCH (TAG \"c\") UID ALL 1:2", "c OK UID SORT completed",
            ])
        try await first.deliver(Self.message("alpha"))
        try await first.deliver(Self.message("charlie"))
        try await first.deliver(Self.message("echo"))
        #expect(
            await first.send("d NOOP") == [
                "* 5 EXISTS", "* 5 RECENT", "* ESEARCH (TAG \"c\") UID ADDTO (1 3 3 4 5 5)", "d OK NOOP completed",
            ])
        #expect(
            await first.send("e SORT RETURN (PARTIAL 2:3) (SUBJECT) UTF-8 ALL") == [
                "* ESEARCH (TAG \"e\") PARTIAL (2:3 1,4)", "e OK SORT completed",
            ])
        #expect(
            await first.send("f SEARCH RETURN (PARTIAL 9:12 COUNT) ALL") == [
                "* ESEARCH (TAG \"f\") PARTIAL (9:12 NIL) COUNT 5", "f OK SEARCH completed",
            ])
        #expect(await first.send("g SEARCH RETURN (PARTIAL 1:2 ALL) ALL").first?.hasPrefix("g BAD PARTIAL") == true)
        #expect(
            await first.send("h CAPABILITY").first?.contains(" CONTEXT=SEARCH CONTEXT=SORT") == true)
    }

    @Test func liveSearchesAreBoundedAndEndWithTheSelection() async throws {
        var (first, second) = try await twoSessions(["one"])
        for number in 1...SearchContextsLimit.value {
            #expect(await first.send("s\(number) SEARCH RETURN (UPDATE) ALL").last == "s\(number) OK SEARCH completed")
        }
        #expect(
            await first.send("x SEARCH RETURN (COUNT UPDATE) ALL") == [
                "* NO [NOUPDATE \"x\"] at most 10 searches are kept up to date", "* ESEARCH (TAG \"x\") COUNT 1",
                "x OK SEARCH completed",
            ])
        _ = await first.send("y SELECT INBOX")
        try await second.deliver(Self.message("two"))
        #expect(await first.send("z NOOP") == ["* 2 EXISTS", "* 1 RECENT", "z OK NOOP completed"])
    }
}

/// The bound as the tests expect it (`SearchContexts.limit` is internal).
enum SearchContextsLimit {
    static let value = 10
}
