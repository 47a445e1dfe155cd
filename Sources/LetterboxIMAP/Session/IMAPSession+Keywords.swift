import LetterboxStore

/// Keyword announcements of ``IMAPSession``: a client learns the keywords of the selected
/// mailbox from FLAGS and PERMANENTFLAGS (RFC 3501 §7.2.6, §7.1), in SELECT/EXAMINE and again
/// whenever one it has not heard of appears, before any FETCH that shows it. Keywords another
/// session created reach this one with its next untagged updates (``synchronize(into:allowExpunge:)``).
///
/// Keywords are bounded: a mailbox holds at most ``maxKeywordsPerMailbox`` of them, each at most
/// ``maxKeywordLength`` octets (Dovecot's `mail_max_keyword_length`), since every session is told
/// all of them in FLAGS. Once a mailbox has all it may hold, PERMANENTFLAGS no longer carries
/// `\*` (RFC 3501 §7.1: no new keywords can be made), and a STORE, APPEND, COPY or MOVE that
/// would make one is answered `NO [LIMIT]` (RFC 5530 §3) and changes nothing.
extension IMAPSession {
    /// The most keywords one mailbox holds.
    static let maxKeywordsPerMailbox = 256
    /// The longest keyword, in octets.
    static let maxKeywordLength = 50

    /// Why `flags` cannot be given to messages in `mailbox`, as the tagged `NO`; nil when they
    /// can (system flags and keywords the mailbox already has always can).
    func keywordRefusal(_ flags: some Sequence<String>, in mailbox: String) -> String? {
        let wanted = Set(flags.filter { !$0.hasPrefix("\\") })
        guard !wanted.isEmpty else { return nil }
        let known = Set(store.mailbox(named: mailbox)?.keywords ?? [])
        let new = wanted.subtracting(known)
        if new.contains(where: { $0.utf8.count > Self.maxKeywordLength }) {
            return "NO [LIMIT] a keyword is longer than \(Self.maxKeywordLength) octets"
        }
        guard known.count + new.count > Self.maxKeywordsPerMailbox else { return nil }
        return "NO [LIMIT] a mailbox holds at most \(Self.maxKeywordsPerMailbox) keywords"
            + " (\(known.count) in use): use one of them"
    }

    /// Writes `* FLAGS (…)` and `* OK [PERMANENTFLAGS (… \*)]` when `keywords` holds one this
    /// session has not announced (or `always`); the lists carry every keyword announced so far,
    /// since a FLAGS response replaces the client's list. System flags in `keywords` are ignored.
    /// A read-only (EXAMINE) session may change no flag: its PERMANENTFLAGS are empty (RFC 3501 §6.3.2).
    mutating func announceKeywords(
        _ keywords: some Sequence<String>, into out: inout IMAPWriter, always: Bool = false
    ) {
        var added = false
        for keyword in keywords where !keyword.hasPrefix("\\") && !announcedKeywords.contains(keyword) {
            announcedKeywords.insert(keyword)
            added = true
        }
        guard added || always else { return }
        let flags = (MessageFlags.system + announcedKeywords.sorted()).joined(separator: " ")
        out.raw("* FLAGS (\(flags))\r\n")
        if readOnly {
            out.raw("* OK [PERMANENTFLAGS ()] read-only mailbox\r\n")
        } else {
            // `\*`: new keywords may be made, until the mailbox holds all it may.
            let more = announcedKeywords.count < Self.maxKeywordsPerMailbox ? " \\*" : ""
            out.raw("* OK [PERMANENTFLAGS (\(flags)\(more))] flags permitted\r\n")
        }
    }
}
