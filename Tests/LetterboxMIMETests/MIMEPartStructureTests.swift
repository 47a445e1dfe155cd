import LetterboxMIME
import TestSupport
import Testing

/// What IMAP's BODYSTRUCTURE and BODY[section] read from a part: ranges, sizes, line counts,
/// preamble and epilogue, the Content-* fields, the encapsulated message.
@Suite("MIME part structure for IMAP")
struct MIMEPartStructureTests {
    private func text(_ raw: [UInt8], _ range: Range<Int>?) -> String? {
        range.map { String(decoding: raw[$0], as: UTF8.self) }
    }

    /// A mixed message: a text part, a forwarded multipart/alternative message, an image.
    static let forward: [UInt8] = crlf(
        """
        From: Ana <ana@example.com>
        Subject: Fwd: lunch
        Content-Type: multipart/mixed; boundary=outer

        This is the preamble.
        --outer
        Content-Type: text/plain; charset=utf-8
        Content-Language: en, pt-BR
        Content-Description: the note

        See below.
        Two lines.
        --outer
        Content-Type: message/rfc822
        Content-Description: =?utf-8?q?forwarded?=

        From: "Bob B." <bob@example.com>
        To: team: ana@example.com, carl@example.com;, dee@example.com
        Subject: =?utf-8?q?lunch_=E2=98=95?=
        Date: Thu, 26 Nov 2026 12:00:00 +0100
        Message-ID: <lunch@example.com>
        In-Reply-To: <plan@example.com>
        Content-Type: multipart/alternative; boundary=inner

        --inner

        plain lunch
        --inner
        Content-Type: text/html

        <p>lunch</p>
        --inner--
        --outer
        Content-Type: image/png; name=dot.png
        Content-Transfer-Encoding: base64
        Content-ID: <dot@example.com>
        Content-Location: http://example.com/
         dot.png
        Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
        Content-Disposition: inline; filename=dot.png; size=3

        iVBO
        --outer--
        This is the epilogue.

        """)

    @Test("header section, body, sizes and line counts of a leaf inside a multipart")
    func leafRanges() throws {
        let raw = Self.forward
        let note = try #require(MIMEPart(parsing: raw).part(at: [1]))
        #expect(
            text(raw, note.headerSectionRange)
                == "Content-Type: text/plain; charset=utf-8\r\nContent-Language: en, pt-BR\r\nContent-Description: the note\r\n\r\n"
        )
        #expect(text(raw, note.headerRange)?.hasSuffix("the note\r\n") == true)
        // The CRLF before the next delimiter belongs to the delimiter (RFC 2046 §5.1.1).
        #expect(text(raw, note.bodyRange) == "See below.\r\nTwo lines.")
        #expect(note.bodySize == 22)
        #expect(note.canonicalBodySize == 22)
        #expect(note.bodyLineCount == 1)
        #expect(note.lineCount == 5)
        #expect(note.preambleRange == nil && note.epilogueRange == nil)
    }

    @Test("preamble and epilogue of a multipart, without the line breaks that belong to delimiters")
    func preambleAndEpilogue() {
        let raw = Self.forward
        let root = MIMEPart(parsing: raw)
        #expect(text(raw, root.preambleRange) == "This is the preamble.")
        #expect(text(raw, root.epilogueRange) == "This is the epilogue.\r\n")
        #expect(root.bodyLineCount == LineCounter.lineFeeds(raw, root.bodyRange))
        #expect(root.lineCount == LineCounter.lineFeeds(raw, root.range))
        #expect(root.canonicalSize == raw.count)
    }

    @Test("Content-ID, Content-Description, Content-Language, Content-Location, Content-MD5")
    func contentFields() throws {
        let root = MIMEPart(parsing: Self.forward)
        let note = try #require(root.part(at: [1]))
        #expect(note.contentLanguage == ["en", "pt-BR"])
        #expect(note.contentDescription == "the note")
        #expect(note.contentID == nil && note.contentMD5 == nil && note.contentLocation == nil)
        let image = try #require(root.part(at: [3]))
        #expect(image.contentID == "<dot@example.com>")
        #expect(image.contentLocation == "http://example.com/dot.png")
        #expect(image.contentMD5 == "Q2hlY2sgSW50ZWdyaXR5IQ==")
        #expect(image.contentLanguage == [])
        #expect(image.contentDisposition?.orderedParameters.map(\.name) == ["filename", "size"])
        #expect(image.contentType.orderedParameters == [HeaderParameter(name: "name", value: "dot.png")])
        #expect(image.decodedSize(in: Self.forward) == 3)
        #expect(root.part(at: [2])?.contentDescription == "=?utf-8?q?forwarded?=")
    }

    @Test("a message/rfc822 part: its child is the encapsulated message, with headers and envelope")
    func encapsulated() throws {
        let raw = Self.forward
        let forwarded = try #require(MIMEPart(parsing: raw).part(at: [2]))
        let message = try #require(forwarded.encapsulatedMessage)
        #expect(message.range == forwarded.bodyRange)
        #expect(message.headers.subject == "lunch ☕")
        #expect(forwarded.bodyLineCount == message.lineCount)
        #expect(forwarded.bodyLineCount == LineCounter.lineFeeds(raw, forwarded.bodyRange))
        let envelope = message.envelope
        #expect(envelope.subject == "=?utf-8?q?lunch_=E2=98=95?=")
        #expect(envelope.date == "Thu, 26 Nov 2026 12:00:00 +0100")
        #expect(envelope.messageID == "<lunch@example.com>")
        #expect(envelope.inReplyTo == "<plan@example.com>")
        #expect(envelope.from == [.mailbox(name: "Bob B.", mailbox: "bob", host: "example.com")])
        #expect(envelope.sender == envelope.from)
        #expect(envelope.replyTo == envelope.from)
        #expect(
            envelope.to == [
                .groupStart(name: "team"),
                .mailbox(name: nil, mailbox: "ana", host: "example.com"),
                .mailbox(name: nil, mailbox: "carl", host: "example.com"),
                .groupEnd,
                .mailbox(name: nil, mailbox: "dee", host: "example.com"),
            ])
        #expect(envelope.cc.isEmpty && envelope.bcc.isEmpty)
        #expect(MIMEPart(parsing: raw).part(at: [3])?.encapsulatedMessage == nil)
    }

    @Test("envelope names stay encoded as written; a bounce's <> and a bare name have no host")
    func envelopeRawNames() {
        let headers = MessageHeaders(
            parsing: crlf(
                "From: =?utf-8?q?Mar=C3=ADa?= <maria@example.com>\nSender: MAILER-DAEMON <>\nReply-To: postmaster\n\n"))
        let envelope = MessageEnvelope(headers: headers)
        #expect(envelope.from == [.mailbox(name: "=?utf-8?q?Mar=C3=ADa?=", mailbox: "maria", host: "example.com")])
        #expect(envelope.sender == [.mailbox(name: "MAILER-DAEMON", mailbox: "", host: nil)])
        #expect(envelope.replyTo == [.mailbox(name: nil, mailbox: "postmaster", host: nil)])
        #expect(envelope.subject == nil && envelope.date == nil && envelope.messageID == nil)
        #expect(headers.from == [MailAddress(name: "María", address: "maria@example.com")])
    }

    @Test("bare LF: line counts count it, canonical sizes count it as CRLF")
    func bareLineFeeds() throws {
        let raw = Array("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\ntwo\r\nthree\n--b--\n".utf8)
        let root = MIMEPart(parsing: raw)
        let part = try #require(root.part(at: [1]))
        #expect(text(raw, part.bodyRange) == "one\ntwo\r\nthree")
        #expect(part.bodyLineCount == 2)
        #expect(part.bodySize == 14)
        #expect(part.canonicalBodySize == 15)
        #expect(part.canonicalHeaderSectionSize == 2)
        #expect(root.canonicalSize == raw.count + 7)
        #expect(root.epilogueRange == raw.count..<raw.count)
    }

    @Test("a body without a final line break: its last line is not counted")
    func unterminatedLastLine() {
        let part = MIMEPart(parsing: crlf("Subject: x\n\none\ntwo"))
        #expect(part.bodyLineCount == 1)
        #expect(part.bodySize == 8)
        #expect(part.headerSectionRange == 0..<14)
        #expect(MIMEPart(parsing: []).bodyLineCount == 0)
        #expect(MIMEPart(parsing: []).bodyRange == 0..<0)
    }

    @Test("a missing close delimiter leaves an empty epilogue at the end; no delimiter leaves all preamble")
    func missingDelimiters() {
        let open: [UInt8] = crlf("Content-Type: multipart/mixed; boundary=b\n\npre\n--b\n\nlast\n")
        let root = MIMEPart(parsing: open)
        #expect(root.children.count == 1)
        #expect(text(open, root.preambleRange) == "pre")
        #expect(root.epilogueRange == open.count..<open.count)
        let none: [UInt8] = crlf("Content-Type: multipart/mixed; boundary=b\n\njust text\n")
        let lone = MIMEPart(parsing: none)
        #expect(lone.children.isEmpty)
        #expect(text(none, lone.preambleRange) == "just text\r\n")
        #expect(lone.part(at: [1])?.range == lone.range)
    }

    @Test("a boundary that is also a header-like line, and nested multiparts that reuse a prefix")
    func boundaryLookAlikes() {
        let raw: [UInt8] = crlf(
            """
            Content-Type: multipart/mixed; boundary="a:b"

            --a:b
            Content-Type: multipart/alternative; boundary="a:b-inner"

            --a:b-inner

            inner one
            --a:b-inner--
            --a:b

            second
            --a:b--
            """)
        let root = MIMEPart(parsing: raw)
        #expect(root.children.count == 2)
        #expect(root.part(at: [1, 1]).map { text(raw, $0.bodyRange) } == "inner one")
        #expect(root.part(at: [2]).map { text(raw, $0.bodyRange) } == "second")
    }

    @Test("the part count is capped: further parts stay in the epilogue")
    func partCap() {
        var text = "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        for index in 0..<(MIMEPart.maximumPartCount + 50) { text += "--b\r\n\r\n\(index)\r\n" }
        text += "--b--\r\n"
        let raw = Array(text.utf8)
        let root = MIMEPart(parsing: raw)
        #expect(root.children.count == MIMEPart.maximumPartCount - 1)
        let epilogue = root.epilogueRange ?? 0..<0
        #expect(
            String(decoding: raw[epilogue], as: UTF8.self).hasPrefix(
                "\r\n--b\r\n\r\n\(MIMEPart.maximumPartCount - 1)\r\n"))
        #expect(root.bodyLineCount == LineCounter.lineFeeds(raw, root.bodyRange))
    }
}

/// An independent count, to check the parser's.
enum LineCounter {
    static func lineFeeds(_ raw: [UInt8], _ range: Range<Int>) -> Int {
        raw[range].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
}
