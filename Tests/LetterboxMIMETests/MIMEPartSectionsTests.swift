import LetterboxMIME
import TestSupport
import Testing

/// IMAP section numbers (RFC 3501 §6.4.5) on the part tree.
@Suite("MIME part numbering (IMAP sections)")
struct MIMEPartSectionsTests {
    @Test("a non-multipart message has one part, 1, which is the message itself")
    func singlePart() throws {
        let root = MIMEPart(parsing: crlf("Subject: x\n\nbody\n"))
        #expect(root.part(at: [1])?.range == root.range)
        #expect(root.part(at: [])?.range == root.range)
        #expect(root.part(at: [2]) == nil)
        #expect(root.part(at: [1, 1]) == nil)
        #expect(root.part(at: [0]) == nil)
        #expect(root.numberedParts().map(\.path) == [[1]])
    }

    @Test("multipart children are 1, 2…; nested multiparts 1.1; a forwarded message's parts 2.1, 2.2")
    func nested() throws {
        let root = MIMEPart(parsing: MIMEPartStructureTests.forward)
        let listed = root.numberedParts().map { (MIMEPart.sectionString($0.path), $0.part.contentType.mimeType) }
        #expect(listed.map(\.0) == ["1", "2", "2.1", "2.2", "3"])
        #expect(listed.map(\.1) == ["text/plain", "message/rfc822", "text/plain", "text/html", "image/png"])
        #expect(root.part(at: [2, 2])?.contentType.mimeType == "text/html")
        #expect(root.part(at: [2, 3]) == nil)
        #expect(root.part(at: [4]) == nil)
        #expect(root.part(at: [2])?.sectionChildren.count == 2)
        #expect(root.part(at: [1])?.sectionChildren.isEmpty == true)
    }

    @Test("a forwarded non-multipart message is 2.1, and a message inside it 2.1.1")
    func forwardedSinglePart() {
        let raw: [UInt8] = crlf(
            """
            Content-Type: multipart/mixed; boundary=b

            --b

            text
            --b
            Content-Type: message/rfc822

            Subject: outer forward
            Content-Type: message/rfc822

            Subject: innermost

            deep
            --b--
            """)
        let root = MIMEPart(parsing: raw)
        #expect(root.numberedParts().map(\.path) == [[1], [2], [2, 1], [2, 1, 1]])
        #expect(root.part(at: [2, 1])?.headers.subject == "outer forward")
        #expect(root.part(at: [2, 1, 1])?.headers.subject == "innermost")
        #expect(root.part(at: [2, 1, 1]).map { String(decoding: raw[$0.bodyRange], as: UTF8.self) } == "deep")
    }

    @Test("a top-level message/rfc822 message: 1 is its body, 1.1 the encapsulated message's body")
    func topLevelMessage() {
        let root = MIMEPart(parsing: crlf("Content-Type: message/rfc822\n\nSubject: in\n\nhello\n"))
        #expect(root.numberedParts().map(\.path) == [[1], [1, 1]])
        #expect(root.part(at: [1, 1])?.headers.subject == "in")
    }

    @Test(
        "section numbers parse strictly",
        arguments: [
            ("1", [1]), ("1.2", [1, 2]), ("10.20.3", [10, 20, 3]), ("", nil), ("0", nil), ("1.", nil), (".1", nil),
            ("1..2", nil), ("1.a", nil), ("-1", nil), ("1.TEXT", nil), ("99999999999", nil),
        ] as [(String, [Int]?)])
    func parsing(text: String, path: [Int]?) {
        #expect(MIMEPart.sectionPath(parsing: text) == path)
        if let path { #expect(MIMEPart.sectionString(path) == text) }
    }
}
