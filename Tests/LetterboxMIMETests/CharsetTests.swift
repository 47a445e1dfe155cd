import Foundation
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

    @Test("other charsets through iconv: Latin-2, KOI8-R, UTF-16")
    func iconvCharsets() {
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

    /// Bytes Python's codecs wrote for each text (`text.encode(codec)`), by MIME label.
    static let pythonEncoded: [(label: String, bytes: [UInt8], text: String)] = [
        (
            "ISO-2022-JP",
            [
                0x1B, 0x24, 0x42, 0x24, 0x33, 0x24, 0x73, 0x24, 0x4B, 0x24, 0x41, 0x24, 0x4F, 0x40, 0x24, 0x33, 0x26,
                0x1B, 0x28, 0x42,
            ],
            "こんにちは世界"
        ),
        ("Shift_JIS", [0x93, 0xFA, 0x96, 0x7B, 0x8C, 0xEA, 0x87, 0x40], "日本語①"),  // ① is a CP932 extension
        ("EUC-JP", [0xC6, 0xFC, 0xCB, 0xDC, 0xB8, 0xEC], "日本語"),
        ("ks_c_5601-1987", [0xC7, 0xD1, 0xB1, 0xB9, 0xBE, 0xEE], "한국어"),
        ("EUC-KR", [0xC7, 0xD1, 0xB1, 0xB9, 0xBE, 0xEE], "한국어"),
        ("GB2312", [0xD6, 0xD0, 0xCE, 0xC4, 0xD3, 0xCA, 0xBC, 0xFE], "中文邮件"),
        ("GB18030", [0xD6, 0xD0, 0xCE, 0xC4, 0xD3, 0xCA, 0xBC, 0xFE], "中文邮件"),
        ("Big5", [0xC1, 0x63, 0xC5, 0xE9, 0xA4, 0xA4, 0xA4, 0xE5], "繁體中文"),
        ("Big5-HKSCS", [0xAD, 0xBB, 0xB4, 0xE4], "香港"),
        ("KOI8-U", [0xB7, 0xD6, 0xC1, 0xCB], "Їжак"),
        ("ISO-8859-7", [0xC5, 0xEB, 0xEB, 0xE7, 0xED, 0xE9, 0xEA, 0xDC], "Ελληνικά"),
        ("ISO-8859-5", [0xBF, 0xE0, 0xD8, 0xD2, 0xD5, 0xE2], "Привет"),
        ("windows-1251", [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2], "Привет"),
        ("windows-1255", [0xF9, 0xEC, 0xE5, 0xED], "שלום"),
        ("windows-1256", [0xE3, 0xD1, 0xCD, 0xC8, 0xC7], "مرحبا"),
        ("macintosh", [0x63, 0x61, 0x66, 0x8E], "café"),
        ("UTF-16BE", [0x00, 0x41, 0x20, 0xAC], "A€"),
        ("UTF-32LE", [0x41, 0x00, 0x00, 0x00, 0xAC, 0x20, 0x00, 0x00], "A€"),
    ]

    @Test("CJK, Cyrillic, Greek, Hebrew, Arabic: the bytes Python encodes decode to the same text")
    func agreesWithPythonCodecs() {
        for sample in Self.pythonEncoded {
            #expect(Charset.decode(sample.bytes, charset: sample.label) == sample.text, "\(sample.label)")
        }
    }

    @Test("bytes invalid in an iconv charset fall back like an unknown charset")
    func invalidBytesFallBack() {
        // An odd byte count is a truncated UTF-16 code unit.
        #expect(Charset.decode([0xFF, 0xFE, 0x41], charset: "utf-16") == "ÿþA")
        // 0x80 is no Shift_JIS lead byte; the rest is valid UTF-8.
        #expect(Charset.decode([0x80] + Array("é".utf8), charset: "shift_jis") == "\u{80}Ã©")
    }

    @Test("this system's iconv has a converter for every charset the table names")
    func everyIconvNameOpens() {
        for name in Charset.iconvNames.sorted() {
            #expect(IconvDecoder.decode([], from: name) == "", "iconv_open(\"UTF-8\", \"\(name)\") failed")
        }
        #expect(IconvDecoder.decode([0x41], from: "X-NO-SUCH-CHARSET") == nil)
    }

    @Test("the Docker image ships a converter for exactly the charsets the table names")
    func dockerImageShipsTheConverters() throws {
        let dockerfile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docker/Dockerfile")
        let text = try String(contentsOf: dockerfile, encoding: .utf8).replacingOccurrences(of: "\\\n", with: " ")
        let start = try #require(text.range(of: "ARG GCONV_CHARSETS=\""))
        let end = try #require(text[start.upperBound...].firstIndex(of: "\""))
        let shipped = Set(text[start.upperBound..<end].split(whereSeparator: \.isWhitespace).map(String.init))
        #expect(
            shipped == Charset.iconvNames,
            "only in docker/Dockerfile: \(shipped.subtracting(Charset.iconvNames)); only in Charset.swift: \(Charset.iconvNames.subtracting(shipped))"
        )
    }
}
