import LetterboxMIME
import Synchronization

/// One captured message: the exact bytes received, the envelope, and a store-assigned id.
///
/// Immutable and safe to share between tasks. Parsed views (headers, text body) are computed on
/// first use and cached.
public final class Message: Sendable, Identifiable {
    /// Monotonically increasing within a store; also the message's IMAP UID.
    public let id: UInt64
    /// Exactly the bytes received after SMTP dot-unstuffing (or the BDAT chunks joined).
    public let raw: [UInt8]
    public let envelope: Envelope
    private let parsed = Mutex<MessageHeaders?>(nil)
    private let tree = Mutex<MIMEPart?>(nil)
    private let canonical = Mutex<Int?>(nil)
    private let parsedEnvelope = Mutex<MessageEnvelope?>(nil)

    public init(id: UInt64, raw: [UInt8], envelope: Envelope) {
        self.id = id
        self.raw = raw
        self.envelope = envelope
    }

    /// Size in octets of the raw message.
    public var size: Int { raw.count }

    /// Size in octets of the message as POP3 and IMAP serve it: every bare LF sent as CRLF, and a
    /// final CRLF added if the message lacks one. Computed once.
    public var canonicalSize: Int {
        if let cached = canonical.withLock({ $0 }) { return cached }
        let size = LineEndings.canonicalSize(of: raw)
        canonical.withLock { $0 = size }
        return size
    }

    /// The IMAP ENVELOPE fields of the message's headers (RFC 3501 §7.4.2), parsed once: a
    /// `FETCH 1:* ENVELOPE` over a large mailbox otherwise spends its time parsing addresses.
    public var headerEnvelope: MessageEnvelope {
        if let cached = parsedEnvelope.withLock({ $0 }) { return cached }
        let envelope = MessageEnvelope(headers: headers)
        parsedEnvelope.withLock { $0 = envelope }
        return envelope
    }

    /// The message's header section, parsed once.
    public var headers: MessageHeaders {
        if let cached = parsed.withLock({ $0 }) { return cached }
        let headers = tree.withLock { $0?.headers } ?? MessageHeaders(parsing: raw)
        parsed.withLock { $0 = headers }
        return headers
    }

    /// The MIME structure of the message (RFC 2045–2046), parsed on first use and kept: byte
    /// ranges into ``raw``, sizes and line counts for IMAP, IMAP part numbers through
    /// ``MIMEPart/part(at:)``. Two tasks asking at once may both parse; one result is kept.
    public var partTree: MIMEPart {
        if let cached = tree.withLock({ $0 }) { return cached }
        let root = MIMEPart(parsing: raw)
        return tree.withLock { cached in
            if let cached { return cached }
            cached = root
            return root
        }
    }

    /// The decoded `Subject:` header ("" when absent).
    public var subject: String { headers.subject }

    /// The text a person would read: the text/plain part, or a rendering of the HTML one.
    public var text: String { MessageBody.text(of: raw, root: partTree) }

    /// The decoded source of the first inline text/html part, line breaks as `\n`; nil when there is none.
    public var html: String? { MessageBody.html(of: raw, root: partTree) }
}
