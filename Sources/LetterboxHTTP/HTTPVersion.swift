/// The protocol version from a request line, e.g. `HTTP/1.1` (RFC 9112 §2.3).
package struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    package var major: Int
    package var minor: Int

    package init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    package static let http1_0 = HTTPVersion(major: 1, minor: 0)
    package static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// `HTTP/1.1`.
    package var description: String { "HTTP/\(major).\(minor)" }

    /// Parses `HTTP/<digit>.<digit>` exactly (case-sensitive, RFC 9112 §2.3); nil otherwise.
    package init?(parsing text: Substring) {
        let bytes = Array(text.utf8)
        guard bytes.count == 8, bytes.starts(with: "HTTP/".utf8), bytes[6] == UInt8(ascii: "."),
            let major = bytes[5].asciiDigitValue, let minor = bytes[7].asciiDigitValue
        else { return nil }
        self.init(major: major, minor: minor)
    }
}

extension UInt8 {
    /// 0–9 for an ASCII digit, else nil.
    var asciiDigitValue: Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) ? Int(self - UInt8(ascii: "0")) : nil
    }
}
