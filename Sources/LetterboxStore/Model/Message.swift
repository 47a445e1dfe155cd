public import LetterboxMIME
import LetterboxThreads
import Synchronization

/// One captured message: the exact bytes received, the envelope, and a store-assigned id.
///
/// Immutable and safe to share between tasks. A message of the memory store holds its bytes; a
/// message of a disk store holds only what the index needs (id, envelope, sizes) and reads its
/// file when its bytes or a parsed view is asked for; the store caches recently read messages in a
/// bounded cache. Parsed views (headers, MIME tree, text) are computed on first use and cached
/// alongside the bytes.
public final class Message: Sendable, Identifiable {
    /// Monotonically increasing within a store; also the message's IMAP UID.
    public let id: UInt64
    public let envelope: Envelope
    /// Size in octets of the raw message.
    public let size: Int
    private let body: Body
    /// ``canonicalSize`` once known; -1 before.
    private let canonical: Atomic<Int>

    private enum Body: Sendable {
        case held(MessageViews)
        case stored(any MessageBodySource)
    }

    /// A message that holds its bytes in memory.
    public init(id: UInt64, raw: [UInt8], envelope: Envelope) {
        self.id = id
        self.envelope = envelope
        self.size = raw.count
        self.body = .held(MessageViews(raw: raw))
        self.canonical = Atomic(-1)
    }

    /// A message whose bytes `source` reads on demand; `size` is exact, `canonicalSize` when known
    /// (a Maildir name's `,W=`).
    package init(id: UInt64, envelope: Envelope, size: Int, canonicalSize: Int?, source: any MessageBodySource) {
        self.id = id
        self.envelope = envelope
        self.size = size
        self.body = .stored(source)
        self.canonical = Atomic(canonicalSize ?? -1)
    }

    /// Exactly the bytes received after SMTP dot-unstuffing (or the BDAT chunks joined).
    ///
    /// Empty when the message lives on disk and its file can no longer be read (another program
    /// removed it); ``readRaw()`` says why. Interfaces that serve bytes use ``load()``.
    public var raw: [UInt8] { views.raw }

    /// The bytes of ``raw``, or the reason they cannot be read.
    ///
    /// - Throws: ``StoreError`` when the message's file is gone or unreadable (disk stores only).
    public func readRaw() throws(StoreError) -> [UInt8] { try loadViews().raw }

    /// Size in octets of the message as POP3 and IMAP serve it: every bare LF sent as CRLF, and a
    /// final CRLF added if the message lacks one. Computed once (a disk store knows it from the
    /// file name); ``size`` when the bytes cannot be read.
    public var canonicalSize: Int {
        let cached = canonical.load(ordering: .relaxed)
        if cached >= 0 { return cached }
        guard let views = try? loadViews() else { return size }
        let size = LineEndings.canonicalSize(of: views.raw)
        canonical.store(size, ordering: .relaxed)
        return size
    }

    /// The IMAP ENVELOPE fields of the message's headers (RFC 3501 §7.4.2), parsed once: a
    /// `FETCH 1:* ENVELOPE` over a large mailbox otherwise spends its time parsing addresses.
    public var headerEnvelope: MessageEnvelope { views.headerEnvelope }

    /// The message's header section, parsed once.
    public var headers: MessageHeaders { views.headers }

    /// The MIME structure of the message (RFC 2045–2046), parsed on first use and kept: byte
    /// ranges into ``raw``, sizes and line counts for IMAP, IMAP part numbers through
    /// ``MIMEPart/part(at:)``. Two tasks asking at once may both parse; one result is kept.
    public var partTree: MIMEPart { views.partTree }

    /// The decoded `Subject:` header ("" when absent).
    public var subject: String { headers.subject }

    /// The header fields list filters compare against, decoded once (see ``MessageViews/HeaderSearchFields``).
    package var searchFields: MessageViews.HeaderSearchFields { views.searchFields }

    /// The text a person would read: the text/plain part, or a rendering of the HTML one.
    public var text: String {
        let views = views
        return MessageBody.text(of: views.raw, root: views.partTree)
    }

    /// The decoded source of the first inline text/html part, line breaks as `\n`; nil when there is none.
    public var html: String? {
        let views = views
        return MessageBody.html(of: views.raw, root: views.partTree)
    }

    /// The bytes and their parsed views, read through the store when not held.
    package func loadViews() throws(StoreError) -> MessageViews {
        switch body {
        case .held(let views): return views
        case .stored(let source): return try source.views(of: id, size: size)
        }
    }

    /// ``loadViews()``, or why the file could not be read: for a list that shows such a message
    /// as unreadable instead of failing.
    package func loadedViews() -> Result<MessageViews, StoreError> {
        Result { () throws(StoreError) in try loadViews() }
    }

    /// ``loadViews()`` for code on an event loop: a disk store's file that is not cached is read on
    /// the store's reading threads while the calling task is suspended, so a 10 MiB file does not
    /// hold up every other connection of that loop. Render from the views returned: asking the
    /// message again may find them gone from the cache and read the file once more.
    package func load() async throws(StoreError) -> MessageViews {
        try await Self.load([self])[0].get()
    }

    /// ``load()`` for many messages at once: the files that are not cached are read in one job on
    /// the store's reading threads, so a FETCH of thousands waits its turn once, not once each.
    package static func load(_ messages: [Message]) async -> [Result<MessageViews, StoreError>] {
        var loaded: [Result<MessageViews, StoreError>?] = messages.map { $0.viewsAtHand.map { .success($0) } }
        let unread = loaded.indices.filter { loaded[$0] == nil }
        if !unread.isEmpty {
            let files = unread.map { messages[$0] }
            let read = await BlockingPool.offload {
                files.map { $0.loadedViews() }
            }
            for (position, result) in zip(unread, read) { loaded[position] = result }
        }
        return loaded.compactMap { $0 }
    }

    /// The views when they need no file read: held, or in the store's cache.
    private var viewsAtHand: MessageViews? {
        switch body {
        case .held(let views): views
        case .stored(let source): source.cachedViews(of: id)
        }
    }

    /// ``loadViews()``, or empty views when the file cannot be read.
    private var views: MessageViews { (try? loadViews()) ?? .empty }
}

/// Where a disk store's message bytes come from: read on demand, not held by the ``Message``.
package protocol MessageBodySource: AnyObject, Sendable {
    /// The bytes of message `id` (of `size` octets, as far as the store knows) with their parsed
    /// views, from a cache or read now.
    ///
    /// - Throws: ``StoreError`` when the file is gone or cannot be read.
    func views(of id: UInt64, size: Int) throws(StoreError) -> MessageViews
    /// The views of message `id` if they are at hand without reading a file.
    func cachedViews(of id: UInt64) -> MessageViews?
}
