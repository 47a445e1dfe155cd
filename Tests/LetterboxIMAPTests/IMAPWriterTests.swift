import Testing

@testable import LetterboxIMAP

/// How the response writer spells strings and numbers (RFC 3501 §4.3, §9): the choice between a
/// quoted string and a literal, the escapes inside a quoted one, and header text downgraded for
/// a client that did not enable UTF8=ACCEPT.
@Suite struct IMAPWriterTests {
    private func written(_ write: (inout IMAPWriter) -> Void) -> String {
        var writer = IMAPWriter()
        write(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func shortSevenBitTextIsQuotedWithQuotesAndBackslashesEscaped() {
        #expect(written { $0.string("plain text") } == #""plain text""#)
        #expect(written { $0.string(#"say "hi" \ bye"#) } == #""say \"hi\" \\ bye""#)
        #expect(written { $0.string("") } == #""""#)
        #expect(written { $0.nstring(nil) } == "NIL")
    }

    @Test func textThatCannotBeQuotedGoesAsALiteral() {
        #expect(written { $0.string("two\r\nlines") } == "{10}\r\ntwo\r\nlines")
        #expect(written { $0.string("tab\there") } == "{8}\r\ntab\there")
        #expect(written { $0.string("Grüße") } == "{7}\r\nGrüße")
        let longest = String(repeating: "a", count: 1023)
        #expect(written { $0.string(longest) } == "\"\(longest)\"")
        let tooLong = longest + "a"
        #expect(written { $0.string(tooLong) } == "{1024}\r\n\(tooLong)")
        #expect(written { $0.octets([0x41, 0x7F]) } == "{2}\r\nA\u{7F}")
    }

    @Test func numbersAreWrittenInDecimal() {
        #expect(written { $0.number(UInt64(0)) } == "0")
        #expect(written { $0.number(UInt64(9)) } == "9")
        #expect(written { $0.number(UInt64(10)) } == "10")
        #expect(written { $0.number(12_345) } == "12345")
        #expect(written { $0.number(UInt64.max) } == "18446744073709551615")
    }

    @Test func headerTextIsDowngradedOnlyWhenAskedAndOnlyWhenNotASCII() {
        #expect(written { $0.headerText(#"a "quoted" word"#, downgrading: true) } == #""a \"quoted\" word""#)
        #expect(
            written { $0.headerText("Grüße aus Köln", downgrading: true) }
                == #""=?utf-8?b?R3LDvMOfZQ==?= aus =?utf-8?b?S8O2bG4=?=""#)
        #expect(written { $0.headerText("Grüße", downgrading: false) } == "{7}\r\nGrüße")
        #expect(written { $0.headerText(nil, downgrading: true) } == "NIL")
        // A line break in ASCII text still makes a literal, downgrading or not.
        #expect(written { $0.headerText("a\r\nb", downgrading: true) } == "{4}\r\na\r\nb")
    }
}
