/// The header section of a message or MIME entity (RFC 5322 §2.2, §3.6), parsed leniently.
///
/// A value type, safe to share between tasks. Lookups are case-insensitive on the field name.
/// Values are unfolded but otherwise raw; the typed accessors decode what they return.
public struct MessageHeaders: Sendable {
    /// Every field, in the order it appears, up to the ``HeaderBudget``.
    public let fields: [HeaderField]
    /// How many fields of the section are not in ``fields`` because the ``HeaderBudget`` ran out
    /// (0 for every message but hostile or broken ones).
    public let omittedFields: Int

    /// Parses the header section at the start of `raw`: up to the first empty line (CRLF or
    /// bare LF), or up to the first line that is not a header field. Only those bytes are read,
    /// however long the body. Never fails; unparseable lines are skipped or end the section.
    /// Fields beyond the ``HeaderBudget`` are counted in ``omittedFields``, not parsed.
    public init(parsing raw: [UInt8]) {
        var budget = HeaderBudget()
        let section = HeaderSection(raw: raw, in: 0..<raw.count, budget: &budget)
        self.init(fields: section.fields, omittedFields: section.omittedFields)
    }

    /// Wraps fields that are already parsed and unfolded.
    public init(fields: [HeaderField], omittedFields: Int = 0) {
        self.fields = fields
        self.omittedFields = omittedFields
    }

    /// The values of every field called `name` (case-insensitive), in order.
    public func values(_ name: String) -> [String] {
        fields.compactMap { Self.sameName($0.name, name) ? $0.value : nil }
    }

    /// The value of the first field called `name` (case-insensitive), if any.
    public func first(_ name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// The `Subject:` with RFC 2047 encoded words decoded; "" when absent.
    public var subject: String { first("Subject").map(EncodedWords.decode) ?? "" }

    /// The `From:` mailboxes (usually one).
    public var from: [MailAddress] { addresses("From") }
    /// The `To:` addresses, groups flattened, across every `To:` field.
    public var to: [MailAddress] { addresses("To") }
    /// The `Cc:` addresses, groups flattened, across every `Cc:` field.
    public var cc: [MailAddress] { addresses("Cc") }
    /// The `Bcc:` addresses, if the sender left the field in.
    public var bcc: [MailAddress] { addresses("Bcc") }
    /// The `Reply-To:` addresses.
    public var replyTo: [MailAddress] { addresses("Reply-To") }
    /// The `Sender:` mailbox, if any.
    public var sender: MailAddress? { addresses("Sender").first }

    /// The raw `Date:` value, trimmed; not interpreted.
    public var date: String? { first("Date") }

    /// The raw `Message-ID:` value, angle brackets included.
    public var messageID: String? { first("Message-ID") }

    /// The first `<…>` of `Message-ID:`, angle brackets included; nil when absent or without one
    /// (RFC 5322 §3.6.4). THREAD=REFERENCES links messages by it.
    public var messageIdentifier: String? { messageID.flatMap { Self.messageIDs($0).first } }

    /// The `Date:` value read as an instant (RFC 5322 §3.3, obsolete forms included); nil when
    /// absent or unreadable.
    public var parsedDate: MessageDate? { date.flatMap(MessageDate.init(parsing:)) }

    /// The message identifiers of `In-Reply-To:`, each with its angle brackets (RFC 5322 §3.6.4).
    public var inReplyTo: [String] { values("In-Reply-To").flatMap(Self.messageIDs) }

    /// The message identifiers of `References:`, oldest first, each with its angle brackets.
    public var references: [String] { values("References").flatMap(Self.messageIDs) }

    /// Every `<…>` in a field value; text and comments between them are skipped (the obsolete
    /// phrase form of §4.5.4 included).
    static func messageIDs(_ value: String) -> [String] {
        var result: [String] = []
        var current: String?
        for character in value {
            if character == "<" {
                current = "<"
            } else if character == ">", let id = current {
                if id.count > 1 { result.append(id + ">") }
                current = nil
            } else if current != nil, character != " ", character != "\t", character != "\r", character != "\n" {
                current?.append(character)
            }
        }
        return result
    }

    private func addresses(_ name: String) -> [MailAddress] {
        values(name).flatMap(MailAddress.parseList)
    }

    /// ASCII case-insensitive comparison; field names are US-ASCII (RFC 5322 §3.6.8).
    static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8) { asciiLowercase($0) == asciiLowercase($1) }
    }

    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
