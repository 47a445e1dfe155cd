/// The header fields IMAP's ENVELOPE is built from (RFC 3501 §7.4.2), taken from one header
/// section: a message's, or an encapsulated `message/rfc822` part's.
///
/// Values are as written (unfolded, trimmed), not decoded: IMAP sends them raw and leaves
/// RFC 2047 decoding to the client. A value type, safe to share between tasks.
public struct MessageEnvelope: Sendable, Equatable {
    /// The `Date:` value; nil when absent.
    public var date: String?
    /// The `Subject:` value, encoded words kept; nil when absent.
    public var subject: String?
    /// The `From:` list.
    public var from: [EnvelopeAddress]
    /// The `Sender:` list; the `From:` list when `Sender:` is absent or empty (RFC 3501 §7.4.2).
    public var sender: [EnvelopeAddress]
    /// The `Reply-To:` list; the `From:` list when `Reply-To:` is absent or empty (RFC 3501 §7.4.2).
    public var replyTo: [EnvelopeAddress]
    /// The `To:` list, groups kept as start and end markers.
    public var to: [EnvelopeAddress]
    /// The `Cc:` list.
    public var cc: [EnvelopeAddress]
    /// The `Bcc:` list.
    public var bcc: [EnvelopeAddress]
    /// The `In-Reply-To:` value; nil when absent.
    public var inReplyTo: String?
    /// The `Message-ID:` value, angle brackets included; nil when absent.
    public var messageID: String?

    /// Reads the envelope fields of `headers`. The first field of each name counts, except that
    /// address fields repeated (against RFC 5322 §3.6) are joined. Never fails.
    public init(headers: MessageHeaders) {
        func list(_ name: String) -> [EnvelopeAddress] {
            headers.values(name).flatMap(EnvelopeAddress.parseList)
        }
        date = headers.first("Date")
        subject = headers.first("Subject")
        from = list("From")
        let sender = list("Sender")
        self.sender = sender.isEmpty ? from : sender
        let replyTo = list("Reply-To")
        self.replyTo = replyTo.isEmpty ? from : replyTo
        to = list("To")
        cc = list("Cc")
        bcc = list("Bcc")
        inReplyTo = headers.first("In-Reply-To")
        messageID = headers.first("Message-ID")
    }
}

/// One element of an address list as IMAP's ENVELOPE lists it (RFC 3501 §7.4.2): a mailbox, or
/// the start or the end of a group (`(NIL NIL "name" NIL)` … `(NIL NIL NIL NIL)` on the wire).
public enum EnvelopeAddress: Sendable, Hashable {
    /// A mailbox. `name` is the display name as written (quotes removed, encoded words kept);
    /// `mailbox` the local part and `host` the domain (nil for an address without `@`, such as a
    /// bare `postmaster` or the `<>` of a bounce, which leaves `mailbox` empty).
    case mailbox(name: String?, mailbox: String, host: String?)
    /// `name:` opening a group (RFC 5322 §3.4).
    case groupStart(name: String)
    /// The `;` that closes a group.
    case groupEnd

    /// Parses an RFC 5322 address-list leniently, keeping groups and raw names. A bare address
    /// with a comment, `user@example.org (Real Name)`, is named by the comment, as Dovecot's
    /// ENVELOPE names it. Never fails.
    public static func parseList(_ value: String) -> [EnvelopeAddress] {
        var parser = AddressListParser(value, namesFromComments: true)
        return parser.parseItems().map { item in
            switch item {
            case .mailbox(let phrase, let address):
                // The domain follows the last "@" (a quoted local part may hold one).
                guard let at = address.lastIndex(of: "@") else {
                    return .mailbox(name: phrase, mailbox: address, host: nil)
                }
                return .mailbox(
                    name: phrase, mailbox: String(address[..<at]), host: String(address[address.index(after: at)...]))
            case .groupStart(let phrase):
                return .groupStart(name: phrase)
            case .groupEnd:
                return .groupEnd
            }
        }
    }
}
