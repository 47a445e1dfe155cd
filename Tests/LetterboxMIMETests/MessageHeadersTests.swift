import LetterboxMIME
import TestSupport
import Testing

@Suite("Header section")
struct MessageHeadersTests {
    @Test("folded lines are unfolded by removing only the line breaks (RFC 5322 §2.2.3)")
    func unfolding() throws {
        let headers = MessageHeaders(parsing: try Fixture.bytes("encoded-headers.eml"))
        #expect(headers.first("X-Long-Header") == "part one\tpart two   part three")
        #expect(
            headers.first("Subject")
                == "=?UTF-8?Q?=F0=9F=93=A6_Your_parcel?= =?UTF-8?Q?_is_on_its_way?= (tracking =?utf-8?q?n=C2=BA?= 42)")
    }

    @Test("field names match case-insensitively; values keep their order")
    func lookup() {
        let headers = MessageHeaders(
            parsing: crlf(
                """
                Received: first
                received: second
                X-Empty:
                Subject: hi

                body
                """))
        #expect(headers.values("RECEIVED") == ["first", "second"])
        #expect(headers.first("received") == "first")
        #expect(headers.first("x-empty") == "")
        #expect(headers.first("Missing") == nil)
        #expect(headers.fields.map(\.name) == ["Received", "received", "X-Empty", "Subject"])
    }

    @Test("typed accessors decode subject and addresses; date and message id are raw")
    func typedAccessors() throws {
        let headers = MessageHeaders(parsing: try Fixture.bytes("encoded-headers.eml"))
        #expect(headers.subject == "📦 Your parcel is on its way (tracking nº 42)")
        #expect(headers.from == [MailAddress(name: "María José", address: "maria@example.com")])
        #expect(
            headers.to == [
                MailAddress(name: "Lima, Ana", address: "ana@example.net"),
                MailAddress(address: "bob@example.com"),
                MailAddress(name: "André", address: "andre@example.fr"),
            ])
        #expect(headers.cc.isEmpty)
        #expect(headers.bcc.isEmpty)
        #expect(headers.replyTo == [MailAddress(name: "Support", address: "support@example.com")])
        #expect(headers.date == "Thu, 6 Mar 2025 08:00:00 -0500")
        #expect(headers.messageID == "<parcel-42@example.com>")
    }

    @Test("an absent subject is empty")
    func absentSubject() {
        #expect(MessageHeaders(parsing: crlf("From: a@example.com\n\n")).subject == "")
    }

    @Test("bare LF line endings work like CRLF")
    func bareLF() {
        let headers = MessageHeaders(parsing: Array("Subject: one\n two\nTo: a@example.com\n\nSubject: body\n".utf8))
        #expect(headers.subject == "one two")
        #expect(headers.to.map(\.address) == ["a@example.com"])
        #expect(headers.fields.count == 2)
    }

    @Test("only the header section is read: fields in the body are not headers")
    func stopsAtBlankLine() {
        var raw: [UInt8] = crlf("Subject: real\n\n")
        raw += Array(repeating: UInt8(ascii: "x"), count: 100 * 1024)
        raw += crlf("\nSubject: fake\n")
        let headers = MessageHeaders(parsing: raw)
        #expect(headers.values("Subject") == ["real"])
    }

    @Test("a line that is not a field ends the header section even without a blank line")
    func nonFieldLineEndsSection() {
        let headers = MessageHeaders(parsing: crlf("Subject: hi\nThis is body text\nTo: b@example.com\n"))
        #expect(headers.fields == [HeaderField(name: "Subject", value: "hi")])
    }

    @Test("lenient forms: mbox From line, leading continuation, space before colon, UTF-8 and Latin-1 values")
    func lenientForms() {
        var raw: [UInt8] = crlf(
            "From sender@example.com Thu Mar  6 08:00:00 2025\n  stray continuation\n"
                + "Subject : obsolete\nX-UTF8: Olá\n")
        raw += Array("X-Latin1: caf".utf8) + [0xE9] + Array("\r\n\r\n".utf8)
        let headers = MessageHeaders(parsing: raw)
        #expect(
            headers.fields == [
                HeaderField(name: "Subject", value: "obsolete"),
                HeaderField(name: "X-UTF8", value: "Olá"),
                HeaderField(name: "X-Latin1", value: "café"),
            ])
    }

    @Test("empty and header-only input parse without trouble")
    func degenerateInput() {
        #expect(MessageHeaders(parsing: []).fields.isEmpty)
        #expect(MessageHeaders(parsing: Array("\r\n".utf8)).fields.isEmpty)
        #expect(MessageHeaders(parsing: Array("Subject: no line break".utf8)).subject == "no line break")
        #expect(MessageHeaders(parsing: Array(":\r\nSubject: x\r\n".utf8)).fields.isEmpty)
    }
}
