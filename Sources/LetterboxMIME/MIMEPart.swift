import LetterboxText

/// One MIME entity (RFC 2045 §2.4) located in a message's raw bytes: its header section, its
/// body, and, for multipart and encapsulated-message types, the entities inside.
///
/// A part holds byte ranges into the buffer it was parsed from, never the bytes themselves;
/// pass that same buffer to ``body(in:)``, ``decodedBody(in:)`` or ``text(in:)``. Sizes and line
/// counts are computed while parsing, so IMAP's BODYSTRUCTURE and `BODY[section]` (RFC 3501
/// §6.4.5, §7.4.2) need no second pass. A value type, safe to share between tasks.
///
/// Parsing is linear in the message size (each byte is scanned for line breaks once, and once
/// more for boundaries when the message is multipart) and bounded: nesting deeper than
/// ``maximumDepth`` and parts beyond ``maximumPartCount`` are not parsed into children.
public struct MIMEPart: Sendable {
    /// Entities nested deeper than this are not parsed (the body stays a leaf), so hostile input
    /// cannot exhaust the stack. The root is at depth 0.
    public static let maximumDepth = 40
    /// At most this many parts (the root included) are made from one message; the parts of a
    /// multipart beyond the limit are left in its epilogue.
    public static let maximumPartCount = 20_000

    /// All of the part: header section, separator and body.
    public let range: Range<Int>
    /// The header fields, without the blank line that ends them. With it, the header section
    /// is ``headerSectionRange`` (what IMAP's `BODY[HEADER]` and `BODY[n.MIME]` return).
    public let headerRange: Range<Int>
    /// The body, still transfer-encoded (what IMAP's `BODY[TEXT]` or `BODY[n]` returns). For a
    /// part inside a multipart it excludes the line break before the next delimiter
    /// (RFC 2046 §5.1.1).
    public let bodyRange: Range<Int>
    /// The part's header fields.
    public let headers: MessageHeaders
    /// The parsed `Content-Type`, or the default (RFC 2045 §5.2, RFC 2046 §5.1.5).
    public let contentType: ContentType
    /// For `multipart/*`: the body parts in order. For `message/rfc822` (and `message/global`)
    /// with an identity transfer encoding: one child, the encapsulated message. Otherwise empty.
    public let children: [MIMEPart]
    /// For `multipart/*`: the bytes before the first delimiter, without the line break that
    /// belongs to it (RFC 2046 §5.1.1); the whole body when there is no delimiter. Nil for
    /// other types, and for a multipart not split (no boundary, or nested too deep).
    public let preambleRange: Range<Int>?
    /// For `multipart/*`: the bytes after the close delimiter line. Empty, at the end of the
    /// body, when the close delimiter is missing; after the last child when the part limit cut
    /// the multipart short. Nil whenever ``preambleRange`` is.
    public let epilogueRange: Range<Int>?
    /// Lines in the body: line feeds (CRLF or bare LF), so a last line without a line break is
    /// not counted. IMAP's `body-fld-lines` for `text/*` and `message/rfc822` parts.
    public let bodyLineCount: Int
    /// Line feeds in the body not preceded by CR.
    let bodyBareLineFeeds: Int
    /// Line feeds in the header section, blank line included.
    let headerSectionLineCount: Int
    /// Line feeds in the header section not preceded by CR.
    let headerSectionBareLineFeeds: Int

    /// Parses a whole message. Never fails; malformed structure degrades to fewer parts.
    public init(parsing raw: [UInt8]) {
        var parser = MIMEParser(raw: raw)
        self = parser.parse(range: 0..<raw.count, defaultContentType: .textPlain, depth: 0)
    }

    init(
        range: Range<Int>, headerRange: Range<Int>, bodyRange: Range<Int>, headers: MessageHeaders,
        contentType: ContentType, children: [MIMEPart], preambleRange: Range<Int>?, epilogueRange: Range<Int>?,
        headerLines: LineCount, bodyLines: LineCount
    ) {
        self.range = range
        self.headerRange = headerRange
        self.bodyRange = bodyRange
        self.headers = headers
        self.contentType = contentType
        self.children = children
        self.preambleRange = preambleRange
        self.epilogueRange = epilogueRange
        self.headerSectionLineCount = headerLines.lineFeeds
        self.headerSectionBareLineFeeds = headerLines.bareLineFeeds
        self.bodyLineCount = bodyLines.lineFeeds
        self.bodyBareLineFeeds = bodyLines.bareLineFeeds
    }

    // MARK: Sizes

    /// The header section with the blank line that ends it (when there is one):
    /// `headerRange.lowerBound..<bodyRange.lowerBound`.
    public var headerSectionRange: Range<Int> { headerRange.lowerBound..<bodyRange.lowerBound }

    /// Octets of the body as stored, still transfer-encoded.
    public var bodySize: Int { bodyRange.count }

    /// Octets of the body once every bare LF is sent as CRLF, as IMAP and POP3 serve mail
    /// (`body-fld-octets`); no line break is added at the end.
    public var canonicalBodySize: Int { bodyRange.count + bodyBareLineFeeds }

    /// Octets of ``headerSectionRange`` once every bare LF is sent as CRLF.
    public var canonicalHeaderSectionSize: Int { headerSectionRange.count + headerSectionBareLineFeeds }

    /// Lines in the whole part, header section included (line feeds, as ``bodyLineCount``).
    public var lineCount: Int { headerSectionLineCount + bodyLineCount }

    /// Octets of the whole part once every bare LF is sent as CRLF.
    public var canonicalSize: Int { range.count + headerSectionBareLineFeeds + bodyBareLineFeeds }

    // MARK: Kinds

    /// Whether this is a `multipart/*` part.
    public var isMultipart: Bool { contentType.isMultipart }

    /// The encapsulated message of a `message/rfc822` (or `message/global`) part: its headers
    /// give the ENVELOPE and its structure the nested BODYSTRUCTURE. Nil for other parts, and
    /// for a message part whose transfer encoding hides it (base64, quoted-printable).
    public var encapsulatedMessage: MIMEPart? {
        contentType.type == "message" && !children.isEmpty ? children[0] : nil
    }

    /// The envelope fields of this part's header section (meaningful for a message: the root, or
    /// an ``encapsulatedMessage``).
    public var envelope: MessageEnvelope { MessageEnvelope(headers: headers) }

    // MARK: Fields

    /// The parsed `Content-Transfer-Encoding` (7bit when absent).
    public var contentTransferEncoding: ContentTransferEncoding {
        ContentTransferEncoding(parsing: headers.first("Content-Transfer-Encoding"))
    }

    /// The parsed `Content-Disposition`, if present.
    public var contentDisposition: ContentDisposition? {
        headers.first("Content-Disposition").map(ContentDisposition.init(parsing:))
    }

    /// Whether `Content-Disposition: attachment` marks the part as a file to save.
    public var isAttachment: Bool { contentDisposition?.isAttachment ?? false }

    /// The file name from Content-Disposition, else from the Content-Type `name` parameter.
    public var filename: String? { contentDisposition?.filename ?? contentType.name }

    /// The `Content-ID:` value as written, angle brackets included (RFC 2045 §7); nil when absent.
    public var contentID: String? { headers.first("Content-ID") }

    /// The `Content-Description:` value as written, encoded words kept (RFC 2045 §8).
    public var contentDescription: String? { headers.first("Content-Description") }

    /// The language tags of `Content-Language:` (RFC 3282), in order; empty when absent.
    public var contentLanguage: [String] {
        guard let value = headers.first("Content-Language") else { return [] }
        return value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// The `Content-Location:` URI (RFC 2557 §4.2), with the whitespace folding left in it removed.
    public var contentLocation: String? {
        headers.first("Content-Location").map { value in
            String(value.unicodeScalars.filter { $0 != " " && $0 != "\t" && $0 != "\r" && $0 != "\n" })
        }
    }

    /// The `Content-MD5:` value as written (RFC 1864); nil when absent.
    public var contentMD5: String? { headers.first("Content-MD5") }

    // MARK: Bytes

    /// The body bytes as stored (still transfer-encoded). `raw` must be the buffer this part
    /// was parsed from; out-of-range bounds yield an empty slice rather than a trap.
    public func body(in raw: [UInt8]) -> ArraySlice<UInt8> {
        slice(bodyRange, of: raw)
    }

    /// The header section bytes (fields and the blank line), as IMAP's `BODY[n.MIME]` or
    /// `BODY[HEADER]` returns them. Out-of-range bounds yield an empty slice.
    public func headerSection(in raw: [UInt8]) -> ArraySlice<UInt8> {
        slice(headerSectionRange, of: raw)
    }

    /// The body with its Content-Transfer-Encoding undone.
    public func decodedBody(in raw: [UInt8]) -> [UInt8] {
        contentTransferEncoding.decode(body(in: raw))
    }

    /// Octets of the decoded body, computed without decoding base64 into a buffer.
    public func decodedSize(in raw: [UInt8]) -> Int {
        let encoding = contentTransferEncoding
        switch encoding {
        case .base64: return Base64.decodedCount(body(in: raw))
        case .quotedPrintable: return encoding.decode(body(in: raw)).count
        case .sevenBit, .eightBit, .binary, .other: return body(in: raw).count
        }
    }

    /// The decoded body as text, using the `charset` parameter (US-ASCII when absent; see
    /// the module's charset fallbacks). Line breaks are returned as they are.
    public func text(in raw: [UInt8]) -> String {
        Charset.decode(decodedBody(in: raw), charset: contentType.charset)
    }

    private func slice(_ range: Range<Int>, of raw: [UInt8]) -> ArraySlice<UInt8> {
        guard range.lowerBound >= 0, range.upperBound <= raw.count else { return [] }
        return raw[range]
    }
}
