import LetterboxText

/// Turns bytes labelled with a MIME charset name (RFC 2045 §5.1, RFC 2046 §4.1.2) into text.
///
/// Never fails: a charset this module cannot decode falls back to UTF-8 when the bytes are valid
/// UTF-8 (mislabelled mail is common) and to ISO-8859-1 otherwise, which maps every byte.
enum Charset {
    /// How a charset name is decoded.
    enum Decoder: Equatable {
        /// US-ASCII, and no label at all: 8-bit bytes are read as UTF-8 when valid, else Latin-1.
        case ascii
        case utf8
        case latin1
        /// A single-byte charset that equals ISO-8859-1 except for the listed code points.
        case singleByte(overrides: [UInt8: UInt16])
        /// Any other charset, by its `iconv` name (`IconvDecoder`).
        case iconv(String)
        case unknown
    }

    /// Decodes `bytes` according to `charset` (a MIME charset label, any case, quotes allowed).
    static func decode(_ bytes: some Collection<UInt8>, charset: String?) -> String {
        switch decoder(for: charset) {
        case .ascii:
            if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
            return String(validating: bytes, as: UTF8.self) ?? latin1(bytes)
        case .utf8:
            // Invalid sequences become U+FFFD rather than losing the whole text.
            return String(decoding: bytes, as: UTF8.self)
        case .latin1:
            return latin1(bytes)
        case .singleByte(let overrides):
            return singleByte(bytes, overrides: overrides)
        case .iconv(let name):
            return IconvDecoder.decode(bytes, from: name) ?? fallback(bytes)
        case .unknown:
            return fallback(bytes)
        }
    }

    /// The decoder for a charset label; `nil` or empty means US-ASCII (RFC 2045 §5.2).
    static func decoder(for charset: String?) -> Decoder {
        guard let charset else { return .ascii }
        let name = normalized(charset)
        if name.isEmpty { return .ascii }
        if let known = aliases[name] { return known }
        return .unknown
    }

    /// Bytes read as UTF-8 when valid, else as ISO-8859-1.
    static func fallback(_ bytes: some Collection<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self) ?? latin1(bytes)
    }

    /// ISO-8859-1: every byte is the Unicode code point of the same value.
    static func latin1(_ bytes: some Collection<UInt8>) -> String {
        singleByte(bytes, overrides: [:])
    }

    /// Builds the UTF-8 directly (much faster than appending scalars one by one).
    private static func singleByte(_ bytes: some Collection<UInt8>, overrides: [UInt8: UInt16]) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                utf8.append(byte)
            } else if let code = overrides[byte], let scalar = Unicode.Scalar(code) {
                UTF8.encode(scalar) { utf8.append($0) }
            } else {
                utf8.append(0xC0 | byte >> 6)
                utf8.append(0x80 | byte & 0x3F)
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Lowercased, trimmed, without surrounding quotes; `_` folded to `-` so that
    /// `ISO_8859-1` and `iso-8859-1` meet.
    private static func normalized(_ charset: String) -> String {
        var name = charset.trimmingWhitespace()
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast())
        }
        return String(name.lowercased().map { $0 == "_" ? "-" : $0 })
    }

    /// Every `iconv` name the table decodes through: the converters a runtime must have (the
    /// Docker image ships only these).
    static var iconvNames: Set<String> {
        Set(aliases.values.compactMap { if case .iconv(let name) = $0 { name } else { nil } })
    }

    private static let aliases: [String: Decoder] = {
        var table: [String: Decoder] = [:]
        func add(_ names: [String], _ decoder: Decoder) {
            for name in names { table[name] = decoder }
        }
        add(["us-ascii", "ascii", "ansi-x3.4-1968", "iso646-us", "us", "7bit", "8bit"], .ascii)
        add(["utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8"], .utf8)
        add(["iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "cp819", "iso-ir-100", "ibm819"], .latin1)
        add(["iso-8859-15", "iso8859-15", "latin9", "latin-9", "l9"], .singleByte(overrides: latin9Overrides))
        add(["windows-1252", "cp1252", "x-cp1252", "ms-ansi"], .singleByte(overrides: windows1252Overrides))
        // The rest through iconv, by names glibc and macOS's libiconv both know. Where a label is
        // used in practice for a superset (Outlook's ks_c_5601-1987 for CP949, GB2312 mail with
        // GBK characters), the superset decodes it, as the WHATWG Encoding Standard does.
        // docker/Dockerfile ships glibc's converters for exactly these iconv names
        // (GCONV_CHARSETS; CharsetTests checks): add a new one there too.
        add(["utf-16"], .iconv("UTF-16"))
        add(["utf-16le"], .iconv("UTF-16LE"))
        add(["utf-16be"], .iconv("UTF-16BE"))
        add(["utf-32"], .iconv("UTF-32"))
        add(["utf-32le"], .iconv("UTF-32LE"))
        add(["utf-32be"], .iconv("UTF-32BE"))
        for number in [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 16] {
            add(["iso-8859-\(number)", "iso8859-\(number)"], .iconv("ISO-8859-\(number)"))
        }
        add(["latin2", "l2"], .iconv("ISO-8859-2"))
        for number in [1250, 1251, 1253, 1254, 1255, 1256, 1257, 1258] {
            add(["windows-\(number)", "cp\(number)"], .iconv("CP\(number)"))
        }
        add(["macintosh", "mac", "macroman", "x-mac-roman"], .iconv("MACINTOSH"))
        add(["koi8-r", "koi8r"], .iconv("KOI8-R"))
        add(["koi8-u", "koi8u"], .iconv("KOI8-U"))
        // Foundation's Shift_JIS was Microsoft's (CP932), which Japanese mail in practice is.
        add(["shift-jis", "sjis", "x-sjis", "cp932", "windows-31j"], .iconv("CP932"))
        add(["iso-2022-jp"], .iconv("ISO-2022-JP"))
        add(["euc-jp", "x-euc-jp"], .iconv("EUC-JP"))
        add(["gb2312", "euc-cn", "x-euc-cn", "gbk", "cp936", "x-gbk"], .iconv("GBK"))
        add(["gb18030"], .iconv("GB18030"))
        add(["big5", "x-big5", "cn-big5"], .iconv("BIG5"))
        add(["big5-hkscs"], .iconv("BIG5-HKSCS"))
        add(["euc-kr", "ks-c-5601-1987", "cp949"], .iconv("CP949"))
        return table
    }()

    /// ISO-8859-15 differs from ISO-8859-1 in eight positions.
    private static let latin9Overrides: [UInt8: UInt16] = [
        0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D,
        0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153, 0xBE: 0x0178,
    ]

    /// Windows-1252 differs from ISO-8859-1 in 0x80–0x9F; the five undefined bytes keep their
    /// C1 code points, as the WHATWG Encoding Standard does.
    private static let windows1252Overrides: [UInt8: UInt16] = {
        let codes: [UInt16] = [
            0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
            0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
            0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
            0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
        ]
        var table: [UInt8: UInt16] = [:]
        for (offset, code) in codes.enumerated() { table[UInt8(0x80 + offset)] = code }
        return table
    }()
}
