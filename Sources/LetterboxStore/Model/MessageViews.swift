package import LetterboxMIME
import Synchronization

/// A message's bytes with the views parsed from them, each parsed on first use and kept as long
/// as this object lives: the header section, the MIME tree and the IMAP ENVELOPE fields.
///
/// A message held in memory owns one for its whole life; a message on disk gets one when its file
/// is read, kept only while the store's bounded cache (``MessageViewCache``) keeps it. Two tasks
/// asking at once may both parse; one result is kept.
package final class MessageViews: Sendable {
    package let raw: [UInt8]
    private let cache = Mutex(Parsed())

    private struct Parsed {
        var headers: MessageHeaders?
        var tree: MIMEPart?
        var envelope: MessageEnvelope?
        var searchFields: HeaderSearchFields?
    }

    /// The header fields list filters compare against (`to:`, `from:`, `subject:`), decoded once:
    /// a filter over the whole store (an HTTP list, a long poll) would otherwise parse every
    /// message's address lists again at each request.
    package struct HeaderSearchFields: Sendable {
        /// The `To:` and `Cc:` addresses, as written back (`Ana <ana@example.com>`).
        package let recipients: [String]
        /// The `From:` addresses.
        package let senders: [String]
        /// The decoded `Subject:`.
        package let subject: String
    }

    package init(raw: [UInt8]) {
        self.raw = raw
    }

    /// The header section, parsed once (taken from the MIME tree when that is parsed already).
    package var headers: MessageHeaders {
        if let cached = cache.withLock({ $0.headers ?? $0.tree?.headers }) { return cached }
        let headers = MessageHeaders(parsing: raw)
        cache.withLock { $0.headers = headers }
        return headers
    }

    /// The MIME structure, parsed once: byte ranges into ``raw``.
    package var partTree: MIMEPart {
        if let cached = cache.withLock({ $0.tree }) { return cached }
        let root = MIMEPart(parsing: raw)
        return cache.withLock { parsed in
            if let cached = parsed.tree { return cached }
            parsed.tree = root
            return root
        }
    }

    /// The IMAP ENVELOPE fields of the headers (RFC 3501 §7.4.2), parsed once.
    package var headerEnvelope: MessageEnvelope {
        if let cached = cache.withLock({ $0.envelope }) { return cached }
        let envelope = MessageEnvelope(headers: headers)
        cache.withLock { $0.envelope = envelope }
        return envelope
    }

    /// See ``HeaderSearchFields``; parsed once.
    package var searchFields: HeaderSearchFields {
        if let cached = cache.withLock({ $0.searchFields }) { return cached }
        let headers = headers
        let fields = HeaderSearchFields(
            recipients: (headers.to + headers.cc).map(\.description), senders: headers.from.map(\.description),
            subject: headers.subject)
        cache.withLock { $0.searchFields = fields }
        return fields
    }

    package static let empty = MessageViews(raw: [])
}
