import LetterboxIMAP
import LetterboxStore
import Testing

/// Hostile numbers, nesting and empty lists (issue 16): each is answered with a BAD (or a
/// well-formed result), never a trap, an overflow or a stack overflow. Run through a session
/// with messages selected, so what the parser lets through is also executed.
@Suite struct IMAPParserTrapTests {
    private func session() async throws -> IMAPScript {
        var script = IMAPScript()
        try await script.deliver("Subject: one\r\n\r\nfirst\r\n")
        try await script.deliver("Subject: two\r\n\r\nsecond\r\n")
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        return script
    }

    @Test(arguments: [
        "FETCH 99999999999999999999 FLAGS", "FETCH 4294967296 FLAGS", "FETCH 0 FLAGS", "FETCH 1: FLAGS",
        "FETCH :1 FLAGS",
        "FETCH , FLAGS", "FETCH 1,,2 FLAGS", "FETCH 1 BODY[]<18446744073709551615.5>", "FETCH 1 BODY[]<5.0>",
        "FETCH 1 BODY[]<99999999999.1>", "FETCH 1 BODY[0]", "FETCH 1 BODY[1.99999999999]", "FETCH 1 ()",
        "STATUS INBOX ()", "SEARCH ()", "SEARCH", "SORT () UTF-8 ALL", "SEARCH LARGER 99999999999", "SEARCH UID 0",
        "SEARCH SENTBEFORE 99-Jan-99999", "SEARCH BEFORE 1-Foo-2020", "UID FETCH 18446744073709551616 FLAGS",
        "APPEND INBOX \"31-Feb-9999 99:99:99 +9999\" {1+}\r\nx", "LOGIN {5}\r\nab", "FETCH 1 BODY[HEADER.FIELDS ()]",
        "STORE 99999999999 +FLAGS (\\Seen)", "COPY 4294967296 INBOX", "UID EXPUNGE 99999999999999999999",
    ])
    func refusedWithBad(_ command: String) async throws {
        var script = try await session()
        let reply = await script.send("t \(command)")
        #expect(reply.last?.hasPrefix("t BAD") == true, "\(reply)")
    }

    @Test(arguments: [
        "FETCH *:* FLAGS", "FETCH 2:1 FLAGS", "UID FETCH 1:4294967295 FLAGS", "UID FETCH 4294967295:* FLAGS",
        "FETCH 1 BODY.PEEK[]<4294967295.4294967295>", "FETCH 1:* BODY.PEEK[TEXT]<0.4294967295>", "STORE 1:* FLAGS ()",
        "SEARCH LARGER 4294967295", "SEARCH UID 4294967295:*", "SEARCH 1:*,*:1,4294967295", "UID SEARCH NOT 1:*",
        "APPEND INBOX \"1-Jan-0000 00:00:00 -9999\" {1+}\r\nx", "APPEND INBOX \"31-Dec-9999 23:59:60 +9999\" {1+}\r\nx",
        "ID NIL", "ID ()", "STORE 1 FLAGS.SILENT ()", "FETCH 1 BODY.PEEK[1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1]",
    ])
    func answeredWithoutATrap(_ command: String) async throws {
        var script = try await session()
        let reply = await script.send("t \(command)")
        #expect(reply.last?.hasPrefix("t OK") == true, "\(reply)")
        // The session is still sound afterwards.
        #expect(await script.send("u FETCH 1:* (UID INTERNALDATE)").last == "u OK FETCH completed")
    }

    @Test func aPartialFetchAtTheLargestOriginIsEmpty() async throws {
        var script = try await session()
        #expect(
            await script.send("t FETCH 1 BODY.PEEK[]<4294967295.4294967295>")
                == ["* 1 FETCH (BODY[]<4294967295> {0}", ")", "t OK FETCH completed"])
    }

    @Test(arguments: [
        String(repeating: "NOT ", count: 100_000) + "ALL",
        String(repeating: "(", count: 100_000) + "ALL" + String(repeating: ")", count: 100_000),
        String(repeating: "OR ALL ", count: 100_000) + "ALL", String(repeating: "OR (", count: 50_000) + "ALL",
    ])
    func deepNestingIsRefusedWithoutExhaustingTheStack(_ key: String) async throws {
        var script = try await session()
        let reply = await script.send("t SEARCH \(key)")
        #expect(
            reply.last?.hasPrefix("t BAD") == true && reply.last?.contains("nested too deeply") == true,
            "\(reply.last ?? "")")
        let id = await script.send("u ID " + String(repeating: "(", count: 100_000))
        #expect(id.last?.hasPrefix("u BAD") == true)
    }

    @Test func aSequenceSetOfManyRangesIsBoundedAndStillAnswered() async throws {
        var script = try await session()
        let many = (1...30_000).map { "\($0 % 3 + 1)" }.joined(separator: ",")
        #expect(await script.send("t FETCH \(many) UID") == ["t BAD invalid message sequence number"])
        #expect(await script.send("u UID FETCH \(many) UID").last == "u OK UID FETCH completed")
        #expect(await script.send("v SEARCH UID \(many)") == ["* SEARCH 1 2", "v OK SEARCH completed"])
        let tooMany = Array(repeating: "1", count: IMAPParser.maxSequenceRanges + 1).joined(separator: ",")
        #expect(await script.send("w FETCH \(tooMany) UID").last?.hasPrefix("w BAD sequence set too long") == true)
    }
}
