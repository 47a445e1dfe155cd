import LetterboxMIME

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Criteria that select messages, combined with AND; an empty filter matches every message
/// captured over SMTP, in whichever mailbox a client has since moved it.
///
/// Text comparisons are case-insensitive substring matches. Shared by the HTTP endpoint, the
/// embedding API and waiters, so every interface means the same thing by "to": the named fields
/// and the ``terms`` of a search query (``SearchQuery``) are tested by the same
/// ``MessageCriterion``.
public struct MessageFilter: Sendable, Hashable, CustomStringConvertible {
    /// Matches envelope recipients (Bcc included) and the `To:`/`Cc:` headers.
    public var to: String?
    /// Matches the envelope sender and the `From:` header.
    public var from: String?
    /// Matches the decoded subject.
    public var subject: String?
    /// Matches only messages whose id is greater than this.
    public var sinceID: UInt64?
    /// Matches messages with exactly this envelope recipient (case-insensitive), Bcc included.
    public var recipient: String?
    /// Matches the decoded text body or the decoded HTML source (see ``Message/text`` and
    /// ``Message/html``).
    public var contains: String?
    /// Where to look: nil (the default) for the messages captured over SMTP, wherever they are now;
    /// ``everyMailbox`` (`*`) for every message in every mailbox, including those a client put
    /// there (IMAP APPEND, COPY); a mailbox name (`INBOX` in any case) for what that mailbox holds.
    public var mailbox: String?
    /// Further criteria, each of which must hold (or, negated, fail): a parsed `q=` search query.
    public var terms: [SearchTerm]

    /// The ``mailbox`` value that selects every message in every mailbox.
    public static let everyMailbox = "*"

    public init(
        to: String? = nil, from: String? = nil, subject: String? = nil, sinceID: UInt64? = nil,
        recipient: String? = nil,
        contains: String? = nil, mailbox: String? = nil, terms: [SearchTerm] = []
    ) {
        self.to = to
        self.from = from
        self.subject = subject
        self.sinceID = sinceID
        self.recipient = recipient
        self.contains = contains
        self.mailbox = mailbox.map(Mailbox.canonical)
        self.terms = terms
    }

    /// The messages a mail client logged in as `login` sees in INBOX (POP3, IMAP): a login that
    /// is an address sees the mail whose envelope recipients include it, any other login sees everything.
    public static func mailbox(login: String) -> MessageFilter { view(login: login, mailbox: Mailbox.inbox) }

    /// What `login` sees in `mailbox`: INBOX as ``mailbox(login:)`` says; every other mailbox is
    /// shared by all logins and shown whole (what one client files there, every client sees).
    public static func view(login: String, mailbox: String) -> MessageFilter {
        let name = Mailbox.canonical(mailbox)
        return MessageFilter(recipient: name == Mailbox.inbox && login.contains("@") ? login : nil, mailbox: name)
    }

    /// True when no criterion is set: every message captured over SMTP matches.
    public var isEmpty: Bool {
        to == nil && from == nil && subject == nil && sinceID == nil && recipient == nil && contains == nil
            && mailbox == nil && terms.isEmpty
    }

    /// Whether a term reads flags, so the store must pass each message's flags to ``matches(_:flags:)``.
    public var needsFlags: Bool { terms.contains { $0.criterion.needsFlags } }

    /// Whether a message in `mailbox`, captured over SMTP or not, passes the ``mailbox`` criterion.
    package func admits(mailbox name: String, captured: Bool) -> Bool {
        switch mailbox {
        case nil: captured
        case Self.everyMailbox?: true
        // Compared as given first: canonicalizing for every message of a large mailbox costs a login.
        case let wanted?: wanted == name || Mailbox.canonical(wanted) == name
        }
    }

    /// Whether the message passes every criterion but ``mailbox`` (which only a store can judge,
    /// knowing where the message is), taking it to carry no flags (see ``matches(_:flags:)``).
    public func matches(_ message: Message) -> Bool { matches(message, flags: MessageFlags()) }

    /// Whether the message, carrying `flags` (its flags in the store, which `is:unread` reads),
    /// passes every criterion but ``mailbox``. Cheap criteria are tested first: the body is decoded
    /// only when every other criterion has matched.
    public func matches(_ message: Message, flags: MessageFlags) -> Bool {
        if let sinceID, message.id <= sinceID { return false }
        if let recipient,
            !message.envelope.recipients.contains(where: { $0.equalsIgnoringCase(recipient) })
        {
            return false
        }
        return tests.allSatisfy { $0.matches(message, flags: flags) }
    }

    /// The named text fields as terms, then ``terms``, cheapest first (a stable order otherwise).
    private var tests: [SearchTerm] {
        var tests: [SearchTerm] = []
        if let to { tests.append(SearchTerm(.to(to))) }
        if let from { tests.append(SearchTerm(.from(from))) }
        if let subject { tests.append(SearchTerm(.subject(subject))) }
        if let contains { tests.append(SearchTerm(.contains(contains))) }
        tests += terms
        guard tests.count > 1 else { return tests }
        return tests.enumerated().sorted {
            ($0.element.criterion.cost, $0.offset) < ($1.element.criterion.cost, $1.offset)
        }
        .map(\.element)
    }

    /// `to=… from=… subject=… since=… contains=… mailbox=… q=…`, or `any message`.
    public var description: String {
        var parts: [String] = []
        if let to { parts.append("to=\(to)") }
        if let from { parts.append("from=\(from)") }
        if let subject { parts.append("subject=\(subject)") }
        if let sinceID { parts.append("since=\(sinceID)") }
        if let recipient { parts.append("recipient=\(recipient)") }
        if let contains { parts.append("contains=\(contains)") }
        if let mailbox { parts.append("mailbox=\(mailbox)") }
        if !terms.isEmpty { parts.append("q=\(SearchQuery.text(of: terms))") }
        return parts.isEmpty ? "any message" : parts.joined(separator: " ")
    }
}
