import LetterboxMIME
import LetterboxStore

/// A message whose header section is too large to parse whole (over ``threshold`` octets: a
/// message of two million `X-H: v` lines is 16 MB of header): what IMAP's views need of it is
/// taken from its bytes, field by field, not from ``MessageViews/headers`` or
/// ``MessageViews/partTree``, which hold every field.
///
/// - ENVELOPE, SEARCH FROM/SUBJECT/HEADER…, SENT* and SORT parse just the fields they name.
/// - BODYSTRUCTURE and the numbered parts come from a copy of the message whose header keeps
///   only the `Content-*` and `MIME-Version` fields: the body and its parts are the same bytes,
///   shifted by ``Structure/shift``.
struct LargeHeaderSection {
    /// Header sections up to this size are parsed as a whole (and cached with the message).
    static let threshold = 64 * 1024

    let raw: [UInt8]

    /// Nil when `raw`'s header section is small enough to parse: deciding reads no further than
    /// the first ``threshold`` octets.
    init?(_ raw: [UInt8]) {
        guard raw.count > Self.threshold, HeaderBytes.headerIsLonger(than: Self.threshold, in: raw) else { return nil }
        self.raw = raw
    }

    /// Where the body starts in ``raw`` (a scan of the header section).
    var bodyStart: Int { HeaderBytes.bodyStart(of: raw) }

    /// The header fields named `names`, in order.
    func headers(named names: [String]) -> MessageHeaders {
        MessageHeaders(parsing: HeaderBytes.fieldLines(of: raw, names: names, excluding: false).lines)
    }

    static let envelopeFields = [
        "date", "subject", "from", "sender", "reply-to", "to", "cc", "bcc", "in-reply-to", "message-id",
    ]

    /// The IMAP ENVELOPE of the header section (RFC 3501 §7.4.2).
    var envelope: MessageEnvelope { MessageEnvelope(headers: headers(named: Self.envelopeFields)) }

    /// The MIME structure of a copy of the message whose header section holds only the fields that
    /// shape it.
    struct Structure {
        /// Where the body starts in the message.
        let messageBodyStart: Int
        let bytes: [UInt8]
        let root: MIMEPart
        /// Add to an offset in ``bytes`` past the header section to get the offset in the message.
        let shift: Int
        /// Where the body starts in ``bytes``.
        let bodyStart: Int
    }

    var structure: Structure {
        var names: [String] = ["mime-version"]
        // Every Content-* field present, in whatever case: those are what MIME parsing reads.
        names += [
            "content-type", "content-transfer-encoding", "content-disposition", "content-id", "content-description",
            "content-md5", "content-language", "content-location", "content-base",
        ]
        let (header, bodyStart) = HeaderBytes.fieldLines(of: raw, names: names, excluding: false)
        let bytes = header + raw[bodyStart...]
        return Structure(
            messageBodyStart: bodyStart, bytes: bytes, root: MIMEPart(parsing: bytes), shift: bodyStart - header.count,
            bodyStart: header.count)
    }
}

extension MessageViews {
    /// The header fields named `names`: parsed from the bytes alone when the header section is
    /// large (``LargeHeaderSection``), else from ``headers`` (parsed once and kept).
    func headers(named names: [String]) -> MessageHeaders {
        LargeHeaderSection(raw)?.headers(named: names) ?? headers
    }

    /// The IMAP ENVELOPE, from the bytes alone when the header section is large.
    var imapEnvelope: MessageEnvelope {
        LargeHeaderSection(raw)?.envelope ?? headerEnvelope
    }
}
