import LetterboxMIME
import TestSupport
import Testing

@Suite("Dates and message identifiers")
struct MessageDateTests {
    @Test(
        "RFC 5322 dates and the obsolete forms of §4.3",
        arguments: [
            ("Fri, 27 Nov 2026 06:12:13 +0000", 1_795_759_933, 0),
            ("27 Nov 2026 07:12:13 +0100", 1_795_759_933, 60),
            ("Fri,27 Nov 2026 01:12:13 -0500 (EST)", 1_795_759_933, -300),
            ("Fri, 27 nov 2026 06:12 GMT", 1_795_759_920, 0),
            ("Thu, 5 Nov 98 9:05:07 EST (Eastern Standard Time)", 910_274_707, -300),
            ("Sat, 1 Jan 00 00:00:00 UT", 946_684_800, 0),
            ("Mon, 1 Jan 101 00:00:00 PST", 978_336_000, -480),
            ("Fri, 27 Nov 2026 06:12:13 Z", 1_795_759_933, 0),
            ("Fri  ,  27   Nov\t 2026   06:12:13    +0000", 1_795_759_933, 0),
            ("Nov 27 2026 06:12:13 +0000", 1_795_759_933, 0),
            ("Sun, 29 Feb 2032 23:59:60 +0000", 1_961_712_000, 0),
        ] as [(String, Int64, Int)])
    func dates(text: String, seconds: Int64, offset: Int) {
        let date = MessageDate(parsing: text)
        #expect(date == MessageDate(secondsSince1970: seconds, utcOffsetMinutes: offset), "\(text)")
    }

    @Test(
        "what is not a date gives nil",
        arguments: [
            "", "yesterday", "32 Nov 2026 06:12:13 +0000", "27 Nov 2026", "27 Foo 2026 06:12:13 +0000",
            "27 Nov 2026 24:00:00 +0000", "27 Nov 2026 06:12:13 +01",
        ])
    func notDates(text: String) {
        #expect(MessageDate(parsing: text) == nil)
    }

    @Test("In-Reply-To and References list message identifiers, folding and comments aside")
    func identifiers() throws {
        let headers = MessageHeaders(parsing: try Fixture.bytes("obsolete-date.eml"))
        #expect(headers.inReplyTo == ["<parent@example.com>"])
        #expect(headers.references == ["<root@example.com>", "<parent@example.com>"])
        #expect(headers.parsedDate?.utcOffsetMinutes == -300)
        let folded = MessageHeaders(
            parsing: crlf("References: <a@x>\n  <b@\n y> (comment) Old phrase <c@z>\nIn-Reply-To: none\n\n"))
        #expect(folded.references == ["<a@x>", "<b@y>", "<c@z>"])
        #expect(folded.inReplyTo.isEmpty)
        #expect(folded.parsedDate == nil)
    }
}
