import LetterboxMIME
import TestSupport
import Testing

@Suite("MIME part tree")
struct MIMEPartTests {
    /// The bytes a range points at, as text.
    private func text(_ raw: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: raw[range], as: UTF8.self)
    }

    @Test("a single-part message: header range, body range, default content type")
    func singlePart() {
        let raw: [UInt8] = crlf("Subject: hi\n\nHello\n")
        let part = MIMEPart(parsing: raw)
        #expect(text(raw, part.headerRange) == "Subject: hi\r\n")
        #expect(text(raw, part.bodyRange) == "Hello\r\n")
        #expect(part.range == 0..<raw.count)
        #expect(part.contentType == .textPlain)
        #expect(part.children.isEmpty)
    }

    @Test("multipart: preamble and epilogue skipped, the CRLF before a delimiter belongs to it")
    func multipartRanges() {
        let raw: [UInt8] = crlf(
            """
            Content-Type: multipart/mixed; boundary=b

            preamble
            --b
            Content-Type: text/plain

            one
            --b \t

            two (no headers)

            --b--
            epilogue
            """)
        let part = MIMEPart(parsing: raw)
        #expect(part.children.count == 2)
        #expect(text(raw, part.children[0].range) == "Content-Type: text/plain\r\n\r\none")
        #expect(text(raw, part.children[0].bodyRange) == "one")
        #expect(part.children[1].headers.fields.isEmpty)
        #expect(text(raw, part.children[1].bodyRange) == "two (no headers)\r\n")
        #expect(part.children[1].contentType == .textPlain)
    }

    @Test("bare LF line endings and look-alike lines that are not delimiters")
    func bareLFAndLookAlikes() {
        let raw = Array(
            """
            Content-Type: multipart/alternative; boundary="xyz"

            --xyz
            Content-Type: text/plain

            --xyzzy is not a delimiter
             --xyz neither
            --xyz--
            """.utf8)
        let part = MIMEPart(parsing: raw)
        #expect(part.children.count == 1)
        #expect(text(raw, part.children[0].bodyRange) == "--xyzzy is not a delimiter\n --xyz neither")
    }

    @Test("a missing close delimiter ends the last part at the end of the body")
    func missingCloseDelimiter() throws {
        let raw = try Fixture.bytes("malformed-missing-boundary.eml")
        let root = MIMEPart(parsing: raw)
        #expect(root.children.map(\.contentType.mimeType) == ["multipart/alternative", "application/octet-stream"])
        #expect(root.children[0].children.map(\.contentType.mimeType) == ["text/plain", "text/html"])
        #expect(root.children[1].range.upperBound == raw.count)
        #expect(root.children[1].decodedBody(in: raw).prefix(4) == [0, 1, 2, 3])
    }

    @Test("nested parts, file names and attachment dispositions")
    func nested() throws {
        let raw = try Fixture.bytes("nested-attachment.eml")
        let root = MIMEPart(parsing: raw)
        #expect(root.contentType.mimeType == "multipart/mixed")
        let related = root.children[0]
        let alternative = related.children[0]
        #expect(alternative.children.map(\.contentType.mimeType) == ["text/plain", "text/html"])
        let image = related.children[1]
        #expect(image.filename == "photo.png")
        #expect(!image.isAttachment)
        #expect(image.decodedBody(in: raw).prefix(4) == [0x89, 0x50, 0x4E, 0x47])
        let notes = root.children[1]
        #expect(notes.isAttachment)
        #expect(notes.filename == "réunion notes.txt")
        #expect(notes.text(in: raw) == "Attached notes: do not show these as the body.\n")
    }

    @Test("an encapsulated message/rfc822 becomes a child part")
    func encapsulatedMessage() {
        let raw: [UInt8] = crlf(
            """
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: message/rfc822

            Subject: inner
            Content-Type: text/plain

            inner body
            --b--
            """)
        let forwarded = MIMEPart(parsing: raw).children[0]
        #expect(forwarded.children.count == 1)
        #expect(forwarded.children[0].headers.subject == "inner")
        #expect(text(raw, forwarded.children[0].bodyRange) == "inner body")
    }

    @Test("parts of a multipart/digest default to message/rfc822 (RFC 2046 §5.1.5)")
    func digestDefault() {
        let raw: [UInt8] = crlf("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody\n--d--\n")
        let entry = MIMEPart(parsing: raw).children[0]
        #expect(entry.contentType == .messageRFC822)
        #expect(entry.children.first?.headers.subject == "one")
    }

    @Test("a multipart without a boundary, or without any delimiter, has no children")
    func noBoundary() {
        #expect(MIMEPart(parsing: crlf("Content-Type: multipart/mixed\n\n--b\n\nx\n--b--\n")).children.isEmpty)
        #expect(MIMEPart(parsing: crlf("Content-Type: multipart/mixed; boundary=b\n\nno parts\n")).children.isEmpty)
    }

    @Test("absurdly deep nesting stops being parsed instead of exhausting the stack")
    func deepNesting() {
        var text = ""
        for level in 0..<2000 { text += "Content-Type: multipart/mixed; boundary=b\(level)\n\n--b\(level)\n" }
        text += "\nleaf\n"
        var part = MIMEPart(parsing: Array(text.utf8))
        var depth = 0
        while let child = part.children.first {
            part = child
            depth += 1
        }
        #expect(depth > 10 && depth < 2000)
        #expect(MessageBody.text(of: Array(text.utf8)) == "")
    }

    @Test("accessors never trap when handed the wrong buffer")
    func wrongBuffer() {
        let part = MIMEPart(parsing: crlf("Subject: x\n\nbody\n"))
        #expect(part.body(in: []).isEmpty)
    }
}
