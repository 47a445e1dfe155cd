import LetterboxIMAP
import LetterboxStore
import Testing

/// IMAP transcripts against the session state machine and a real in-memory store.
struct IMAPScript {
    var session: IMAPSession
    let store: MemoryStore

    init(
        credentials: Credentials = .anyone, requireTLS: Bool = false, canStartTLS: Bool = false,
        sharing store: MemoryStore = MemoryStore()
    ) {
        self.store = store
        var configuration = IMAPConfiguration(credentials: credentials)
        configuration.requireTLS = requireTLS
        session = IMAPSession(configuration: configuration, store: store, canStartTLS: canStartTLS)
    }

    /// Sends one command; returns the response lines (literals inline).
    mutating func send(_ text: String) async -> [String] {
        switch IMAPParser.parse(Array(text.utf8)) {
        case .failure(let error): return ["\(error.tag ?? "*") BAD \(error.reason)"]
        case .success(let command):
            let (response, outcome) = await session.handle(command)
            if outcome == .startTLS { session.tlsStarted() }  // as if the handshake succeeded
            return String(decoding: response, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
                .dropLast().map(String.init)
        }
    }

    @discardableResult
    func deliver(_ raw: String, to recipients: [String] = ["ana@example.com"]) async throws -> Message {
        try await store.append(Array(raw.utf8), envelope: Envelope(sender: "s@example.com", recipients: recipients))
    }
}

@Suite struct IMAPSessionTests {
    let sample =
        "From: Ana <ana@example.com>\r\nTo: Bo <bo@example.com>\r\nSubject: Hello\r\nDate: Fri, 21 Nov 1997 09:55:06 -0600\r\nMessage-ID: <1@x>\r\n\r\nBody line\r\n"

    @Test func commandsBeforeLoginAreRefused() async {
        var script = IMAPScript()
        #expect(
            await script.send("a SELECT INBOX") == ["a BAD command not valid before login (not authenticated state)"])
        #expect(await script.send("b LOGIN ana x").last?.hasPrefix("b OK") == true)
        #expect(
            await script.send("c FETCH 1 FLAGS") == [
                "c BAD command not valid without a selected mailbox (SELECT INBOX first)"
            ])
    }

    @Test func strictCredentials() async {
        var script = IMAPScript(credentials: Credentials(users: ["ana": "pw"]))
        #expect(await script.send("a LOGIN ana wrong") == ["a NO [AUTHENTICATIONFAILED] invalid user name or password"])
        #expect(await script.send("b AUTHENTICATE PLAIN AGFuYQBwdw==").last?.hasPrefix("b OK") == true)
    }

    @Test func selectReportsCountsAndUIDs() async throws {
        var script = IMAPScript()
        try await script.deliver(sample)
        try await script.deliver(sample)
        _ = await script.send("a LOGIN x y")
        let lines = await script.send("b SELECT inbox")
        #expect(lines.contains("* 2 EXISTS"))
        #expect(lines.contains("* 2 RECENT"))
        #expect(lines.contains("* OK [UNSEEN 1] first unseen"))
        #expect(lines.contains("* OK [UIDVALIDITY \(script.store.uidValidity)] UIDs valid"))
        #expect(lines.contains("* OK [UIDNEXT 3] predicted next UID"))
        #expect(lines.last == "b OK [READ-WRITE] SELECT completed")
        var second = IMAPScript()
        _ = await second.send("a LOGIN x y")
        #expect(await second.send("b EXAMINE INBOX").last == "b OK [READ-ONLY] EXAMINE completed")
        #expect(await second.send("c SELECT Nowhere") == ["c NO [NONEXISTENT] no mailbox Nowhere"])
    }

    @Test func addressLoginSeesOnlyItsMail() async throws {
        var script = IMAPScript()
        try await script.deliver(sample, to: ["ana@example.com"])
        try await script.deliver(sample, to: ["bo@example.com"])
        _ = await script.send("a LOGIN bo@example.com y")
        #expect(await script.send("b SELECT INBOX").contains("* 1 EXISTS"))
        #expect(await script.send("c UID SEARCH ALL").first == "* SEARCH 2")
    }

    @Test func fetchEnvelopeAndStructure() async throws {
        var script = IMAPScript()
        try await script.deliver(sample)
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        #expect(
            await script.send("c FETCH 1 (ENVELOPE BODYSTRUCTURE RFC822.SIZE)").first
                == "* 1 FETCH (ENVELOPE (\"Fri, 21 Nov 1997 09:55:06 -0600\" \"Hello\" ((\"Ana\" NIL \"ana\" \"example.com\")) ((\"Ana\" NIL \"ana\" \"example.com\")) ((\"Ana\" NIL \"ana\" \"example.com\")) ((\"Bo\" NIL \"bo\" \"example.com\")) NIL NIL NIL \"<1@x>\") BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 11 1 NIL NIL NIL NIL) RFC822.SIZE \(sample.utf8.count))"
        )
    }

    @Test func bodyFetchSetsSeenButPeekDoesNot() async throws {
        var script = IMAPScript()
        try await script.deliver(sample)
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        #expect(
            await script.send("c FETCH 1 BODY.PEEK[TEXT]") == [
                "* 1 FETCH (BODY[TEXT] {11}", "Body line", ")", "c OK FETCH completed",
            ])
        #expect(await script.send("d FETCH 1 FLAGS").first == "* 1 FETCH (FLAGS (\\Recent))")
        #expect(
            await script.send("e FETCH 1 BODY[TEXT]<5.4>") == [
                "* 1 FETCH (BODY[TEXT]<5> {4}", "line FLAGS (\\Seen \\Recent))", "e OK FETCH completed",
            ])
        #expect(script.store.flags(of: 1).contains("\\Seen"))
    }

    @Test func storeAndSearchFlags() async throws {
        var script = IMAPScript()
        for _ in 0..<3 { try await script.deliver(sample) }
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        // A new keyword is announced before the FETCH that shows it (RFC 3501 §7.2.6).
        #expect(
            await script.send("c STORE 2 +FLAGS (\\Flagged $Work)") == [
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)",
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] flags permitted",
                "* 2 FETCH (FLAGS (\\Flagged \\Recent $Work))", "c OK STORE completed",
            ])
        #expect(await script.send("d STORE 1:3 +FLAGS.SILENT (\\Seen)") == ["d OK STORE completed"])
        #expect(await script.send("e SEARCH FLAGGED").first == "* SEARCH 2")
        #expect(await script.send("f SEARCH KEYWORD $Work NOT UNSEEN").first == "* SEARCH 2")
        #expect(await script.send("g SEARCH OR 1 3").first == "* SEARCH 1 3")
        #expect(
            await script.send("h UID STORE 3 -FLAGS (\\Seen)") == [
                "* 3 FETCH (FLAGS (\\Recent) UID 3)", "h OK UID STORE completed",
            ])
        #expect(await script.send("i SEARCH UNSEEN").first == "* SEARCH 3")
    }

    @Test func searchTextHeaderAndDates() async throws {
        var script = IMAPScript()
        try await script.deliver(sample)
        try await script.deliver("Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\nX-Trace: abc\r\n\r\nThe needle is here\r\n")
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        #expect(await script.send("c SEARCH TEXT NEEDLE").first == "* SEARCH 2")
        #expect(await script.send("d SEARCH BODY \"body LINE\"").first == "* SEARCH 1")
        #expect(await script.send("e SEARCH SUBJECT grüße").first == "* SEARCH 2")
        #expect(await script.send("f SEARCH HEADER X-Trace \"\"").first == "* SEARCH 2")
        #expect(await script.send("g SEARCH FROM ana@example.com").first == "* SEARCH 1")
        #expect(await script.send("h SEARCH SENTON 21-Nov-1997").first == "* SEARCH 1")
        #expect(await script.send("i SEARCH SENTBEFORE 1-Jan-1990").first == "* SEARCH")
        #expect(await script.send("j SEARCH SINCE 1-Jan-2020 LARGER 10").first == "* SEARCH 1 2")
    }

    @Test func expungeReportsAndRemovesForEveryone() async throws {
        var script = IMAPScript()
        for _ in 0..<3 { try await script.deliver(sample) }
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        _ = await script.send("c STORE 1,3 +FLAGS.SILENT (\\Deleted)")
        #expect(await script.send("d EXPUNGE") == ["* 3 EXPUNGE", "* 1 EXPUNGE", "d OK EXPUNGE completed"])
        #expect(script.store.messages().map(\.id) == [2])
    }

    @Test func changesMadeElsewhereArriveAtLegalPoints() async throws {
        var script = IMAPScript()
        for _ in 0..<2 { try await script.deliver(sample) }
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        script.store.remove(ids: [1])
        try await script.deliver(sample)
        script.store.updateFlags(.add(MessageFlags(["\\Flagged"])), ids: [2])
        // FETCH by sequence number must not see EXPUNGE (RFC 3501 §7.4.1) …
        let fetched = await script.send("c FETCH 1 UID")
        #expect(!fetched.contains { $0.hasSuffix("EXPUNGE") })
        #expect(fetched.contains("* 2 FETCH (FLAGS (\\Flagged \\Recent))"))
        #expect(fetched.contains("* 3 EXISTS"))
        // … NOOP may.
        #expect(await script.send("d NOOP") == ["* 1 EXPUNGE", "d OK NOOP completed"])
        #expect(await script.send("e UID SEARCH ALL").first == "* SEARCH 2 3")
    }

    @Test func listStatusNamespace() async throws {
        var script = IMAPScript()
        try await script.deliver(sample)
        _ = await script.send("a LOGIN x y")
        #expect(
            await script.send("b LIST \"\" INBOX") == ["* LIST (\\HasNoChildren) \"/\" INBOX", "b OK LIST completed"])
        #expect(
            await script.send("c LIST \"\" inbox%") == ["* LIST (\\HasNoChildren) \"/\" INBOX", "c OK LIST completed"])
        #expect(await script.send("d LIST \"\" Nothing*") == ["d OK LIST completed"])
        #expect(await script.send("e LIST \"\" \"\"") == ["* LIST (\\Noselect) \"/\" \"\"", "e OK LIST completed"])
        #expect(
            await script.send("f STATUS INBOX (MESSAGES UNSEEN UIDNEXT)") == [
                "* STATUS INBOX (MESSAGES 1 UNSEEN 1 UIDNEXT 2)", "f OK STATUS completed",
            ])
        #expect(await script.send("g NAMESPACE").first == "* NAMESPACE ((\"\" \"/\")) NIL NIL")
    }

    @Test func closeExpungesSilentlyUnselectDoesNot() async throws {
        var script = IMAPScript()
        for _ in 0..<2 { try await script.deliver(sample) }
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        _ = await script.send("c STORE 1:2 +FLAGS.SILENT (\\Deleted)")
        #expect(await script.send("d UNSELECT") == ["d OK UNSELECT completed"])
        #expect(script.store.messages().count == 2)
        _ = await script.send("e SELECT INBOX")
        #expect(await script.send("f CLOSE") == ["f OK CLOSE completed"])
        #expect(script.store.messages().isEmpty)
    }
}
