/// One MIME entity (RFC 2045 §2.4) located in a message's raw bytes: its header section, its
/// body, and, for multipart and encapsulated-message types, the entities inside.
///
/// A part holds byte ranges into the buffer it was parsed from, never the bytes themselves;
/// pass that same buffer to ``body(in:)``, ``decodedBody(in:)`` or ``text(in:)``. A value type,
/// safe to share between tasks.
public struct MIMEPart: Sendable {
    /// Nesting deeper than this is not parsed (the inner body stays a leaf), so hostile input
    /// cannot exhaust the stack.
    static let maximumDepth = 40

    /// All of the part: header section, separator and body.
    public let range: Range<Int>
    /// The header fields, without the blank line that ends them. With it, the header section
    /// is `headerRange.lowerBound..<bodyRange.lowerBound` (what IMAP's `BODY[HEADER]` and
    /// `BODY[n.MIME]` return).
    public let headerRange: Range<Int>
    /// The body, still transfer-encoded. For a part inside a multipart it excludes the line
    /// break before the next delimiter (RFC 2046 §5.1.1).
    public let bodyRange: Range<Int>
    /// The part's header fields.
    public let headers: MessageHeaders
    /// The parsed `Content-Type`, or the default (RFC 2045 §5.2, RFC 2046 §5.1.5).
    public let contentType: ContentType
    /// For `multipart/*`: the body parts in order. For `message/rfc822` (and `message/global`)
    /// with an identity transfer encoding: the encapsulated message. Otherwise empty.
    public let children: [MIMEPart]

    /// Parses a whole message. Never fails; malformed structure degrades to fewer parts.
    public init(parsing raw: [UInt8]) {
        self.init(raw: raw, range: 0..<raw.count, defaultContentType: .textPlain, depth: 0)
    }

    init(raw: [UInt8], range: Range<Int>, defaultContentType: ContentType, depth: Int) {
        let section = HeaderSection(raw: raw, in: range)
        let headers = MessageHeaders(fields: section.fields)
        let contentType = headers.first("Content-Type").flatMap(ContentType.init(parsing:)) ?? defaultContentType
        self.range = range
        self.headerRange = section.range
        self.bodyRange = section.bodyStart..<range.upperBound
        self.headers = headers
        self.contentType = contentType

        var children: [MIMEPart] = []
        if depth < Self.maximumDepth {
            if contentType.isMultipart, let boundary = contentType.boundary, !boundary.isEmpty {
                let childDefault: ContentType = contentType.subtype == "digest" ? .messageRFC822 : .textPlain
                for partRange in MultipartSplitter.parts(of: raw, in: bodyRange, boundary: boundary) {
                    children.append(
                        MIMEPart(raw: raw, range: partRange, defaultContentType: childDefault, depth: depth + 1))
                }
            } else if contentType.type == "message",
                contentType.subtype == "rfc822" || contentType.subtype == "global",
                ContentTransferEncoding(parsing: headers.first("Content-Transfer-Encoding")).isIdentity
            {
                children.append(MIMEPart(raw: raw, range: bodyRange, defaultContentType: .textPlain, depth: depth + 1))
            }
        }
        self.children = children
    }

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

    /// The body bytes as stored (still transfer-encoded). `raw` must be the buffer this part
    /// was parsed from; out-of-range bounds yield an empty slice rather than a trap.
    public func body(in raw: [UInt8]) -> ArraySlice<UInt8> {
        guard bodyRange.lowerBound >= 0, bodyRange.upperBound <= raw.count else { return [] }
        return raw[bodyRange]
    }

    /// The body with its Content-Transfer-Encoding undone.
    public func decodedBody(in raw: [UInt8]) -> [UInt8] {
        contentTransferEncoding.decode(body(in: raw))
    }

    /// The decoded body as text, using the `charset` parameter (US-ASCII when absent; see
    /// the module's charset fallbacks). Line breaks are returned as they are.
    public func text(in raw: [UInt8]) -> String {
        Charset.decode(decodedBody(in: raw), charset: contentType.charset)
    }
}
