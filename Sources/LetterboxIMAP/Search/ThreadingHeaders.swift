import LetterboxMIME
import LetterboxStore

/// What THREAD=REFERENCES reads of one message (RFC 5256 §4): its Message-ID, the messages it
/// answers, its base subject and its sent date. Read with LetterboxMIME's header scanner.
struct ThreadingHeaders: Sendable {
    /// The first `<…>` of Message-ID; nil when there is none (the message then stands alone).
    let messageID: String?
    /// The `<…>` of References, oldest first; when References holds none, the first of
    /// In-Reply-To (RFC 5256 §4, REFERENCES step 1). At most the last ``maxReferences``: a
    /// header of a megabyte could name 40,000, and each link is checked for loops.
    let references: [String]
    static let maxReferences = 256
    /// The base subject (RFC 5256 §2.1) compared as SORT compares it (i;ascii-casemap).
    let subject: String
    let isReplyOrForward: Bool
    /// The sent date (the internal date when Date is missing or unreadable, §2.2).
    let date: SortOrder.Value

    static let fields = ["message-id", "references", "in-reply-to", "subject", "date"]

    init(_ message: Message) {
        let views = SearchEvaluator.views(of: message)
        let headers = views.headers(named: Self.fields)
        messageID = headers.messageIdentifier
        let listed = headers.references
        references = listed.isEmpty ? Array(headers.inReplyTo.prefix(1)) : Array(listed.suffix(Self.maxReferences))
        let base = SortOrder.baseSubjectAndMark(headers.subject)
        subject = SortOrder.asciiUppercased(base.subject)
        isReplyOrForward = base.isReplyOrForward
        date = SortOrder.key(of: message, views: views, .date)
    }
}
