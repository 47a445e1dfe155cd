import LetterboxMIME
import Testing

@Suite("Content-Type and Content-Disposition parameters")
struct ContentTypeTests {
    @Test("type and subtype are lowercased; parameter names too, values are not")
    func basics() throws {
        let type = try #require(ContentType(parsing: #"Text/HTML; Charset="UTF-8"; format=flowed"#))
        #expect(type.mimeType == "text/html")
        #expect(type.charset == "UTF-8")
        #expect(type.parameters["format"] == "flowed")
    }

    @Test("quoted values may hold semicolons, equals signs and escaped quotes")
    func quotedValues() throws {
        let type = try #require(ContentType(parsing: #"multipart/mixed; boundary="----=_Part;0=\"x\""; x=1"#))
        #expect(type.boundary == #"----=_Part;0="x""#)
        #expect(type.parameters["x"] == "1")
        #expect(type.isMultipart)
    }

    @Test("folded values and comments")
    func foldedAndComments() throws {
        let type = try #require(ContentType(parsing: "text/plain (a comment) ;\t charset = us-ascii (Plain text)"))
        #expect(type.mimeType == "text/plain")
        #expect(type.charset == "us-ascii")
    }

    @Test("a value without type/subtype is no content type (the default applies, RFC 2045 §5.2)")
    func invalid() {
        #expect(ContentType(parsing: "text") == nil)
        #expect(ContentType(parsing: "") == nil)
        #expect(ContentType(parsing: "; charset=utf-8") == nil)
    }

    @Test("RFC 2231 continuations with a charset are joined and decoded")
    func rfc2231Continuations() {
        let disposition = ContentDisposition(
            parsing:
                "attachment; filename*0*=utf-8''r%C3%A9union%20; filename*1=\"notes.txt\"")
        #expect(disposition.isAttachment)
        #expect(disposition.filename == "réunion notes.txt")
    }

    @Test("RFC 2231 single extended value with language, winning over the plain form")
    func rfc2231Single() {
        let disposition = ContentDisposition(
            parsing:
                "inline; filename=\"fallback.txt\"; filename*=iso-8859-1'fr'r%E9sum%E9.txt")
        #expect(disposition.kind == "inline")
        #expect(!disposition.isAttachment)
        #expect(disposition.filename == "résumé.txt")
    }

    @Test("RFC 2231 sections out of order are put in order")
    func rfc2231Order() throws {
        let type = try #require(
            ContentType(parsing: "message/external-body; URL*1=\"/file.txt\"; URL*0=\"ftp://host\""))
        #expect(type.parameters["url"] == "ftp://host/file.txt")
    }

    @Test("encoded-word file names (non-standard but common) are decoded")
    func encodedWordName() throws {
        let type = try #require(ContentType(parsing: #"application/pdf; name="=?UTF-8?B?w6l0w6kucGRm?=""#))
        #expect(type.name == "été.pdf")
    }

    @Test("unquoted values with spaces are taken up to the next semicolon")
    func sloppyValues() {
        let disposition = ContentDisposition(parsing: "ATTACHMENT; filename=my report.pdf ; size=10")
        #expect(disposition.isAttachment)
        #expect(disposition.filename == "my report.pdf")
        #expect(disposition.parameters["size"] == "10")
    }
}
