import LetterboxStore

/// IMAP4rev2 (RFC 9051) of ``IMAPSession``, advertised beside IMAP4rev1 and switched on per
/// session by `ENABLE IMAP4rev2` (§6.3.1, ``enable(_:into:)``); a client that does not enable it is answered as
/// before. What the revision changes (Appendix E), and where it is done:
///
/// - folded-in extensions (NAMESPACE, UNSELECT, UIDPLUS, ESEARCH, SEARCHRES, ENABLE, IDLE,
///   SASL-IR, LIST-EXTENDED, LIST-STATUS, MOVE, LITERAL- (as LITERAL+), BINARY's FETCH side,
///   SPECIAL-USE attributes, RFC 5530 codes): already served for every client;
/// - STATUS SIZE and DELETED (item 3): `IMAPSession+Mailboxes.swift`, for every client;
/// - SEARCH answered with ESEARCH (item 4): ``rev2Command(_:)``;
/// - `[CLOSED]` when SELECT/EXAMINE replaces a selected mailbox (item 9): `prepareSelection`;
/// - an untagged LIST in SELECT/EXAMINE (item 10), no UNSEEN code (item 11), no RECENT
///   response and no `\Recent` flag (item 12): ``select(_:readOnly:parameters:into:)``,
///   ``synchronize(into:allowExpunge:)``;
/// - UTF-8 mailbox names and header text (item 16, 24): ``answersInUTF8``;
/// - UID in every unsolicited FETCH (item 21): ``synchronize(into:allowExpunge:)``.
extension IMAPSession {
    /// Whether mailbox names and header text go out as UTF-8 (UTF8=ACCEPT or IMAP4rev2 enabled),
    /// rather than modified UTF-7 and RFC 2047 words.
    var answersInUTF8: Bool { utf8Accepted || imap4rev2 }

    /// Whether the RECENT response and the `\Recent` flag are sent: not to an IMAP4rev2 client
    /// (RFC 9051 Appendix E item 12).
    var reportsRecent: Bool { !imap4rev2 }

    /// `command` as an IMAP4rev2 client is answered: a SEARCH without RETURN gets the ESEARCH
    /// response of `RETURN (ALL)` (RFC 9051 §6.4.4, §7.3.4), not the SEARCH response.
    func rev2Command(_ command: IMAPCommand) -> IMAPCommand {
        guard imap4rev2, case .search(let key, let uid) = command else { return command }
        return .extendedSearch(key, uid: uid, options: [])
    }

    /// The untagged LIST that SELECT and EXAMINE send an IMAP4rev2 client (RFC 9051 §6.3.2).
    func selectionList(_ mailbox: Mailbox, into out: inout IMAPWriter) {
        guard imap4rev2 else { return }
        out.raw("* LIST () \"/\" ")
        out.astring(wireName(mailbox.name))
        out.raw("\r\n")
    }
}
