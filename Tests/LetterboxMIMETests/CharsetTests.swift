import Testing

@testable import LetterboxMIME

@Suite("Charset decoding")
struct CharsetTests {
    @Test("UTF-8, with invalid bytes replaced rather than failing")
    func utf8() {
        #expect(Charset.decode(Array("ação".utf8), charset: "UTF-8") == "ação")
        #expect(Charset.decode([0x61, 0xFF, 0x62], charset: "utf8") == "a\u{FFFD}b")
    }

    @Test("ISO-8859-1 maps every byte; quoted and underscored labels are understood")
    func latin1() {
        #expect(Charset.decode([0x63, 0x61, 0x66, 0xE9], charset: "\"ISO_8859-1\"") == "café")
        #expect(Charset.decode([0xA3, 0xFF], charset: "latin1") == "£ÿ")
    }

    @Test("ISO-8859-15 and Windows-1252 differ from Latin-1 where it matters")
    func latin9AndWindows1252() {
        #expect(Charset.decode([0xA4, 0xBD], charset: "iso-8859-15") == "€œ")
        #expect(Charset.decode([0x80, 0x93, 0x94, 0x85], charset: "windows-1252") == "€“”…")
    }

    @Test("other charsets through Foundation: Latin-2, KOI8-R, UTF-16")
    func foundationCharsets() {
        #expect(Charset.decode([0xB1, 0xE6], charset: "iso-8859-2") == "ąć")
        #expect(Charset.decode([0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], charset: "KOI8-R") == "Привет")
        #expect(Charset.decode([0xFF, 0xFE, 0x41, 0x00], charset: "utf-16") == "A")
    }

    @Test("US-ASCII and no label: 8-bit bytes read as UTF-8 when valid, else Latin-1")
    func asciiLenient() {
        #expect(Charset.decode(Array("plain".utf8), charset: nil) == "plain")
        #expect(Charset.decode(Array("olá".utf8), charset: "us-ascii") == "olá")
        #expect(Charset.decode([0x6F, 0x6C, 0xE1], charset: nil) == "olá")
    }

    @Test("an unknown charset never fails")
    func unknown() {
        #expect(Charset.decode(Array("olá".utf8), charset: "x-made-up") == "olá")
        #expect(Charset.decode([0x6F, 0x6C, 0xE1], charset: "x-made-up") == "olá")
    }
}
