import LetterboxText

/// A `Content-Transfer-Encoding` (RFC 2045 §6) and how to undo it.
public enum ContentTransferEncoding: Sendable, Equatable {
    /// `7bit` (also the default): short lines of US-ASCII, no decoding needed.
    case sevenBit
    /// `8bit`: short lines that may hold 8-bit bytes, no decoding needed.
    case eightBit
    /// `binary`: any bytes, no decoding needed.
    case binary
    /// `quoted-printable` (RFC 2045 §6.7).
    case quotedPrintable
    /// `base64` (RFC 2045 §6.8).
    case base64
    /// A value this module does not know (for example `x-uuencode`); the body is left as is.
    case other(String)

    /// Parses a header value; nil or empty means `7bit` (RFC 2045 §6.1).
    public init(parsing value: String?) {
        let token = (value ?? "").trimmingWhitespace().lowercased()
        switch token {
        case "", "7bit": self = .sevenBit
        case "8bit": self = .eightBit
        case "binary": self = .binary
        case "quoted-printable": self = .quotedPrintable
        case "base64": self = .base64
        default: self = .other(token)
        }
    }

    /// Whether the body bytes are the content itself (no decoding needed).
    public var isIdentity: Bool {
        switch self {
        case .sevenBit, .eightBit, .binary, .other: true
        case .quotedPrintable, .base64: false
        }
    }

    /// Decodes a body; lenient, never fails.
    public func decode(_ body: some Collection<UInt8>) -> [UInt8] {
        switch self {
        case .base64: Base64.decode(body)
        case .quotedPrintable: QuotedPrintable.decode(body)
        case .sevenBit, .eightBit, .binary, .other: Array(body)
        }
    }
}
