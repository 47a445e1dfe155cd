import LetterboxStore

/// Keyword announcements of ``IMAPSession``: a client learns the keywords of the selected
/// mailbox from FLAGS and PERMANENTFLAGS (RFC 3501 §7.2.6, §7.1), in SELECT/EXAMINE and again
/// whenever one it has not heard of appears, before any FETCH that shows it. Keywords another
/// session created reach this one with its next untagged updates (``synchronize(into:allowExpunge:)``).
extension IMAPSession {
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
            out.raw("* OK [PERMANENTFLAGS (\(flags) \\*)] flags permitted\r\n")
        }
    }
}
