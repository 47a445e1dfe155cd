import LetterboxMIME
import TestSupport
import Testing

@Suite("Readable message body")
struct MessageBodyTests {
    @Test("plain 7bit text, line breaks as \\n")
    func plain7bit() throws {
        let raw = try Fixture.bytes("plain-7bit.eml")
        #expect(MessageBody.text(of: raw) == "Hello Ana,\n\nYour weekly report is ready.\n\n-- \nThe Reports Team\n")
        #expect(MessageBody.html(of: raw) == nil)
        #expect(MessageHeaders(parsing: raw).subject == "Your weekly report is ready")
    }

    @Test("quoted-printable with soft line breaks, lowercase hex and invalid escapes")
    func quotedPrintable() throws {
        let raw = try Fixture.bytes("qp-soft-breaks.eml")
        // Python's email package keeps the trailing padding; RFC 2045 §6.7 rule 3 drops it.
        #expect(
            MessageBody.text(of: raw) == """
                This line is long enough that the encoder had to break it with a soft line break right here.
                Prices: café 3€, thé 2€.
                An equals sign on its own: 1 + 1 = 2.
                Transport padding is dropped.
                An encoded trailing space stays:\u{20}
                Bad escape kept: =ZZ and =4 end.

                """)
        let headers = MessageHeaders(parsing: raw)
        #expect(headers.subject == "Café menu")
        #expect(headers.from.first?.name == "José García")
    }

    @Test("base64 text with folded lines and missing padding")
    func base64Text() throws {
        let raw = try Fixture.bytes("base64-text.eml")
        #expect(MessageBody.text(of: raw) == "Olá! This text was sent as base64.\nSegunda linha: ação, coração.\n")
        #expect(MessageHeaders(parsing: raw).subject == "Base64 body")
    }

    @Test("multipart/alternative: the plain part is chosen, the HTML one is available")
    func alternative() throws {
        let raw = try Fixture.bytes("multipart-alternative.eml")
        #expect(MessageBody.text(of: raw) == "Shall we have lunch on Friday at 12:30?")
        #expect(
            MessageBody.html(of: raw)
                == "<html><body><p>Shall we have <b>lunch</b> on Friday at 12:30?</p></body></html>")
        let headers = MessageHeaders(parsing: raw)
        #expect(headers.from == [MailAddress(name: "Lima, Ana", address: "ana@example.net")])
        #expect(headers.cc.map(\.address) == ["dave@example.com", "eve@example.com"])
    }

    @Test("HTML only: rendered as readable text")
    func htmlOnly() throws {
        let raw = try Fixture.bytes("html-only.eml")
        #expect(
            MessageBody.text(of: raw) == """
                March news

                Fish & chips, 5 < 6 > 4, "quoted" and it's ☺ €.

                First line
                Second line

                One
                Two

                Cell A Cell B
                Cell C Cell D

                Café &unknown; stays.
                """)
        #expect(MessageBody.html(of: raw)?.hasPrefix("<!DOCTYPE html>\n<html>") == true)
    }

    @Test("nested multipart/mixed: the inline text wins over the text attachment")
    func nestedWithAttachment() throws {
        let raw = try Fixture.bytes("nested-attachment.eml")
        #expect(MessageBody.text(of: raw) == "Here are the photos from the trip 📷.\nSee the attached notes.")
    }

    @Test("a text attachment is never the body; HTML is rendered instead")
    func attachmentSkipped() {
        let raw: [UInt8] = crlf(
            """
            Content-Type: multipart/mixed; boundary=m

            --m
            Content-Type: text/plain
            Content-Disposition: attachment; filename=log.txt

            attached log
            --m
            Content-Type: text/html

            <p>the real body</p>
            --m--
            """)
        #expect(MessageBody.text(of: raw) == "the real body")
    }

    @Test("Latin-1 quoted-printable body and headers")
    func latin1() throws {
        let raw = try Fixture.bytes("latin1-qp.eml")
        #expect(
            MessageBody.text(of: raw)
                == "Bonjour,\n\nVoici le résumé de la réunion de lundi à l'hôtel.\nCoût total : 150 £.\n")
        let headers = MessageHeaders(parsing: raw)
        #expect(headers.subject == "Résumé de la réunion")
        #expect(headers.from == [MailAddress(name: "François Müller", address: "francois@example.fr")])
    }

    @Test("raw 8-bit Latin-1 body labelled with its charset")
    func eightBitLatin1() {
        var raw: [UInt8] = crlf("Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n")
        raw += [0x4F, 0x6C, 0xE1, 0x0D, 0x0A]
        #expect(MessageBody.text(of: raw) == "Olá\n")
    }

    @Test("a truncated message missing its close delimiters still yields its text")
    func malformed() throws {
        let raw = try Fixture.bytes("malformed-missing-boundary.eml")
        #expect(MessageBody.text(of: raw) == "The body survives truncation.\n")
        #expect(MessageBody.html(of: raw) == "<p>The body survives truncation.</p>")
    }

    @Test("every truncation of every fixture parses without crashing")
    func truncations() throws {
        for name in [
            "plain-7bit.eml", "qp-soft-breaks.eml", "base64-text.eml", "multipart-alternative.eml",
            "html-only.eml", "nested-attachment.eml", "latin1-qp.eml", "malformed-missing-boundary.eml",
            "encoded-headers.eml",
        ] {
            let raw = try Fixture.bytes(name)
            for length in stride(from: 0, through: raw.count, by: 7) {
                let prefix = Array(raw[..<length])
                _ = MessageBody.text(of: prefix)
                _ = MessageBody.html(of: prefix)
                _ = MessageHeaders(parsing: prefix).to
            }
        }
    }

    @Test("no text at all gives an empty string")
    func noText() {
        #expect(MessageBody.text(of: []) == "")
        #expect(MessageBody.text(of: crlf("Content-Type: application/pdf\n\n%PDF-1.4\n")) == "")
        #expect(MessageBody.text(of: crlf("Subject: only headers\n")) == "")
    }
}
