import LetterboxIMAP
import LetterboxStore
import Testing

/// THREAD=ORDEREDSUBJECT (RFC 5256 §2.1) and SORT=DISPLAY (RFC 5957) transcripts; Dovecot answers
/// the same (see `DovecotExtensionDifferentialTests`), but for the collation of non-ASCII names.
@Suite struct IMAPThreadTests {
    static let messages = [
        ("Zed <aaa@example.com>", "bob@example.com", "Re: hello", "Mon, 1 Jan 2024 10:00:00 +0000"),
        ("=?utf-8?q?Erna?= <zzz@example.com>", "\"Carl\" <c@example.com>", "hello", "Mon, 1 Jan 2024 09:00:00 +0000"),
        ("mmm@example.com", "Anna <y@example.com>", "other", "Mon, 1 Jan 2024 11:00:00 +0000"),
        ("\"\" <bbb@example.com>", "undisclosed-recipients:;", "Fwd: hello", "Mon, 1 Jan 2024 08:00:00 +0000"),
        ("adam <q@example.com>", "zed@example.com", "[list] other", "Mon, 1 Jan 2024 12:00:00 +0000"),
    ]

    private func selected() async throws -> IMAPScript {
        var script = IMAPScript()
        for (from, to, subject, date) in Self.messages {
            try await script.deliver(
                "From: \(from)\r\nTo: \(to)\r\nSubject: \(subject)\r\nDate: \(date)\r\n\r\nbody\r\n")
        }
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        return script
    }

    @Test func orderedSubjectGroupsByBaseSubjectAndDate() async throws {
        var script = try await selected()
        #expect(
            await script.send("c THREAD ORDEREDSUBJECT UTF-8 ALL") == [
                "* THREAD (4 (2)(1))(3 5)", "c OK THREAD completed",
            ])
        #expect(
            await script.send("d UID THREAD ORDEREDSUBJECT UTF-8 NOT 2") == [
                "* THREAD (4 1)(3 5)", "d OK UID THREAD completed",
            ])
        #expect(await script.send("e THREAD ORDEREDSUBJECT UTF-8 NOT ALL") == ["* THREAD", "e OK THREAD completed"])
        #expect(
            await script.send("f THREAD BOGUS UTF-8 ALL").first?.hasPrefix("f BAD unknown THREAD algorithm")
                == true)
        #expect(
            await script.send("g THREAD ORDEREDSUBJECT X-UNKNOWN ALL").first?.hasPrefix("g NO [BADCHARSET") == true)
    }

    @Test func displaySortUsesTheDisplayNameOrTheAddress() async throws {
        var script = try await selected()
        #expect(await script.send("c SORT (DISPLAYFROM) UTF-8 ALL") == ["* SORT 5 4 2 3 1", "c OK SORT completed"])
        #expect(await script.send("d SORT (DISPLAYTO) UTF-8 ALL") == ["* SORT 3 1 2 4 5", "d OK SORT completed"])
        #expect(
            await script.send("e SORT (REVERSE DISPLAYFROM) UTF-8 ALL") == ["* SORT 1 3 2 4 5", "e OK SORT completed"])
        #expect(await script.send("f CAPABILITY").first?.contains(" SORT=DISPLAY THREAD=ORDEREDSUBJECT BINARY") == true)
    }
}
