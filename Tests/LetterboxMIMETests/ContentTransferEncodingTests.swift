import LetterboxMIME
import Testing

@Suite("Content-Transfer-Encoding decoding (RFC 2045 §6)")
struct ContentTransferEncodingTests {
    private func base64(_ text: String) -> String {
        String(decoding: ContentTransferEncoding.base64.decode(Array(text.utf8)), as: UTF8.self)
    }

    private func quotedPrintable(_ text: String) -> String {
        String(decoding: ContentTransferEncoding.quotedPrintable.decode(Array(text.utf8)), as: UTF8.self)
    }

    @Test("the header value is parsed case-insensitively; absent means 7bit")
    func parsing() {
        #expect(ContentTransferEncoding(parsing: " Base64 ") == .base64)
        #expect(ContentTransferEncoding(parsing: "Quoted-Printable") == .quotedPrintable)
        #expect(ContentTransferEncoding(parsing: nil) == .sevenBit)
        #expect(ContentTransferEncoding(parsing: "8BIT") == .eightBit)
        #expect(ContentTransferEncoding(parsing: "x-uuencode") == .other("x-uuencode"))
    }

    @Test("base64 tolerates line breaks, spaces and junk characters")
    func base64Whitespace() {
        #expect(base64("SGVs\r\nbG8g\n d29y bGQ=\r\n") == "Hello world")
        #expect(base64("SGVsbG8*#gd29ybGQ=") == "Hello world")
    }

    @Test("base64 tolerates missing padding and truncation")
    func base64Padding() {
        #expect(base64("SGVsbG8") == "Hello")
        #expect(base64("SGVsbA") == "Hell")
        #expect(base64("SGVsbG8gd") == "Hello ")  // a lone trailing sextet carries no byte
        #expect(base64("") == "")
    }

    @Test("base64 keeps decoding after padding (concatenated encodings)")
    func base64Concatenated() {
        #expect(base64("SGk=\r\nIHRoZXJl") == "Hi there")
    }

    @Test("quoted-printable: soft line breaks, with CRLF, LF and trailing padding after the =")
    func softBreaks() {
        #expect(quotedPrintable("long li=\r\nne, bare=\nLF, padded= \t\r\nend") == "long line, bareLF, paddedend")
    }

    @Test("quoted-printable: hex escapes in either case")
    func hexEscapes() {
        #expect(quotedPrintable("caf=C3=A9 caf=c3=a9 1=3D1") == "café café 1=1")
    }

    @Test("quoted-printable: invalid sequences are kept literally")
    func invalidSequences() {
        #expect(quotedPrintable("=ZZ =4 =\u{7F}x a=") == "=ZZ =4 =\u{7F}x a")
    }

    @Test("quoted-printable: trailing whitespace on a line is transport padding (rule 3)")
    func trailingWhitespace() {
        #expect(quotedPrintable("padded   \r\nkept=20\r\nin middle  ok") == "padded\r\nkept \r\nin middle  ok")
    }

    @Test("identity encodings return the bytes unchanged")
    func identity() {
        let bytes: [UInt8] = [0x00, 0xFF, 0x3D, 0x0D, 0x0A]
        #expect(ContentTransferEncoding.binary.decode(bytes) == bytes)
        #expect(ContentTransferEncoding.other("x-whatever").decode(bytes) == bytes)
    }
}
