/// A mailbox (IMAP folder) as a store keeps it: its name, UID bookkeeping and special use.
///
/// Names use `/` as the hierarchy delimiter (`Archive/2024`); `INBOX` is case-insensitive and
/// always exists. A message lives in exactly one mailbox; UIDs are per mailbox and strictly
/// ascending (RFC 3501 §2.3.1.1).
package struct Mailbox: Sendable, Hashable {
    /// The full name, e.g. `INBOX` or `Archive/2024`.
    package let name: String
    /// Changes only when this name's UIDs may have been reused (the mailbox was deleted and made again).
    package let uidValidity: UInt32
    /// The UID the next message placed here gets (IMAP UIDNEXT).
    package let nextUID: UInt64
    /// The RFC 6154 role of a default folder; nil for other mailboxes.
    package let specialUse: SpecialUse?
    /// Whether a client subscribed to it (IMAP SUBSCRIBE).
    package let subscribed: Bool
    /// Every keyword (flag not starting with `\`) a message here has carried, sorted: IMAP
    /// announces them in FLAGS and PERMANENTFLAGS (RFC 3501 §7.2.6). The set only grows while the
    /// store runs; a disk store restarts with the keywords its messages still carry.
    package let keywords: [String]
    /// The highest mod-sequence of any change here: arrival, flag change or expunge (RFC 7162
    /// HIGHESTMODSEQ). It never goes back while the mailbox keeps its UIDVALIDITY, across restarts too.
    package let highestModSeq: UInt64

    package init(
        name: String, uidValidity: UInt32, nextUID: UInt64, specialUse: SpecialUse?, subscribed: Bool,
        keywords: [String] = [], highestModSeq: UInt64 = 1
    ) {
        self.highestModSeq = highestModSeq
        self.name = name
        self.uidValidity = uidValidity
        self.nextUID = nextUID
        self.specialUse = specialUse
        self.subscribed = subscribed
        self.keywords = keywords
    }

    /// The hierarchy delimiter of mailbox names.
    package static let delimiter: Character = "/"
    /// The name of the mailbox SMTP delivers to.
    package static let inbox = "INBOX"

    /// `INBOX` for any spelling of it (also as the first level of a longer name); other names unchanged.
    package static func canonical(_ name: String) -> String {
        // ASCII case folding (RFC 3501 §5.1: INBOX is case-insensitive); `| 0x20` lowercases letters.
        let bytes = name.utf8
        guard bytes.count >= 5, zip(bytes.prefix(5), "inbox".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return name }
        let rest = bytes.dropFirst(5)
        guard rest.isEmpty || rest.first == UInt8(ascii: "/") else { return name }
        return inbox + String(Substring(rest))
    }

    /// Why `name` cannot name a mailbox, or nil when it can: empty levels, wildcards, control
    /// characters, or more than 255 octets / 16 levels.
    package static func problem(with name: String) -> String? {
        if name.isEmpty { return "a mailbox name cannot be empty" }
        if name.utf8.count > 255 { return "mailbox names are at most 255 octets" }
        if name.contains(where: { $0 == "*" || $0 == "%" }) { return "mailbox names cannot contain * or %" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "mailbox names cannot contain control characters"
        }
        let levels = name.split(separator: delimiter, omittingEmptySubsequences: false)
        if levels.contains(where: \.isEmpty) {
            return "mailbox names cannot have empty levels (\(delimiter)\(delimiter))"
        }
        if levels.count > 16 { return "mailbox names have at most 16 levels" }
        return nil
    }

    /// The names above `name`, outermost first: `a/b/c` → `a`, `a/b`.
    package static func ancestors(of name: String) -> [String] {
        let levels = name.split(separator: delimiter)
        return levels.indices.dropLast().map { levels[...$0].joined(separator: String(delimiter)) }
    }

    /// Whether `name` lies below `ancestor` in the hierarchy.
    package static func isInferior(_ name: String, of ancestor: String) -> Bool {
        name.hasPrefix(ancestor + String(delimiter))
    }
}

/// The role of a default folder, advertised as a LIST attribute (RFC 6154 §2).
package enum SpecialUse: String, Sendable, Hashable, CaseIterable {
    case sent, drafts, trash, junk, archive

    /// The LIST attribute, e.g. `\Sent`.
    package var attribute: String {
        switch self {
        case .sent: "\\Sent"
        case .drafts: "\\Drafts"
        case .trash: "\\Trash"
        case .junk: "\\Junk"
        case .archive: "\\Archive"
        }
    }

    /// The name of the folder every store has from the start.
    package var defaultName: String {
        switch self {
        case .sent: "Sent"
        case .drafts: "Drafts"
        case .trash: "Trash"
        case .junk: "Junk"
        case .archive: "Archive"
        }
    }
}

/// Why a mailbox operation failed; `reason` is written for the client, `code` is the IMAP
/// response code (RFC 5530) that fits.
package struct MailboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `NONEXISTENT`, `ALREADYEXISTS`, `CANNOT`, `TRYCREATE`, `INUSE`…
    package let code: String
    package let reason: String

    package init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }

    package static func nonexistent(_ name: String) -> MailboxError {
        MailboxError(code: "NONEXISTENT", reason: "no mailbox \(name)")
    }

    /// A message was to go into a mailbox that does not exist (RFC 3501 §6.3.11: TRYCREATE).
    package static func tryCreate(_ name: String) -> MailboxError {
        MailboxError(code: "TRYCREATE", reason: "no mailbox \(name); create it first")
    }

    package static func alreadyExists(_ name: String) -> MailboxError {
        MailboxError(code: "ALREADYEXISTS", reason: "mailbox \(name) already exists")
    }

    package static func cannot(_ reason: String) -> MailboxError { MailboxError(code: "CANNOT", reason: reason) }

    package var description: String { "[\(code)] \(reason)" }
}
