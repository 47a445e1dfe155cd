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
    private let canonical = Mutex<Int?>(nil)

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

    /// The message's header section, parsed once.
    public var headers: MessageHeaders {
        if let cached = parsed.withLock({ $0 }) { return cached }
        let headers = MessageHeaders(parsing: raw)
        parsed.withLock { $0 = headers }
        return headers
    }

    /// The decoded `Subject:` header ("" when absent).
    public var subject: String { headers.subject }

    /// The text a person would read: the text/plain part, or a rendering of the HTML one.
    public var text: String { MessageBody.text(of: raw) }
}
