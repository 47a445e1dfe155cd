/// Percent-decoding of request targets (RFC 3986 §2.1) and of query strings in the
/// `application/x-www-form-urlencoded` style, where `+` also means a space.
enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` as a space when `plusAsSpace`) and validates the result as UTF-8.
    ///
    /// - Throws: ``HTTPRequestError`` (400) naming `part` for a malformed escape or invalid UTF-8.
    static func decode(_ text: Substring, plusAsSpace: Bool, part: String) throws(HTTPRequestError) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) || (plusAsSpace && text.utf8.contains(UInt8(ascii: "+"))) else {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next()?.hexDigitValue, let low = iterator.next()?.hexDigitValue else {
                    throw .badRequest("invalid percent-encoding in \(part)")
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest("\(part) is not valid UTF-8 after percent-decoding")
        }
        return decoded
    }
}

extension UInt8 {
    /// 0–15 for an ASCII hexadecimal digit, else nil.
    fileprivate var hexDigitValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
