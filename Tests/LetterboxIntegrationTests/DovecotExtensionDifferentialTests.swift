import Foundation
import Letterbox
import Testing

/// The smaller IMAP extensions answered by Letterbox and by Dovecot, compared as in
/// ``DovecotMailboxDifferentialTests`` (same normalisation): LIST-EXTENDED (RFC 5258), LIST-STATUS
/// (RFC 5819), SPECIAL-USE selection (RFC 6154), STATUS=SIZE (RFC 8438), ESORT (RFC 5267) and
/// SEARCHRES (RFC 5182).
@Suite(.timeLimit(.minutes(3))) struct DovecotExtensionDifferentialTests {
    /// Where Letterbox answers differently on purpose: the command, what Dovecot says and what
    /// Letterbox says instead (both normalised), and why.
    static let acceptedDifferences: [(command: String, dovecot: String, letterbox: String, reason: String)] = [
        (
            "APPEND Multi {\(message("one").utf8.count)+}\r\n\(message("one")) {0+}\r\n", "    NO", "    NO [CANNOT]",
            "Letterbox names the reason with the RFC 5530 code; Dovecot gives none"
        ),
        (
            "SORT (DISPLAYFROM) UTF-8 ALL", "* SORT 5 2 4 3 1", "* SORT 5 4 3 1 2",
            "Letterbox sorts with i;ascii-casemap (I18NLEVEL=1, RFC 5256 §2.1; RFC 5957 §3 keeps the SORT"
                + " collation), so Ä comes after Z; Dovecot uses i;unicode-casemap, which reads Ä as A"
        ),
        (
            "SORT (REVERSE DISPLAYFROM) UTF-8 ALL", "* SORT 1 3 4 2 5", "* SORT 2 1 3 4 5",
            "Letterbox sorts with i;ascii-casemap (I18NLEVEL=1), Dovecot with i;unicode-casemap"
        ),
        (
            "THREAD ORDEREDSUBJECT UTF-8 NOT ALL", "* THREAD ", "* THREAD",
            "RFC 5256 §4: thread-data is \"THREAD\" [SP 1*thread-list]; Dovecot leaves a space with no list"
        ),
        (
            "FETCH 1 (FLAGS BINARY[1])", "BINARY[1] ~{12}", "BINARY[1] {12}",
            "RFC 3516 §4.2 asks for a literal8 only for octets holding NUL; Letterbox sends others as a literal"
        ),
        (
            "FETCH 2 (BINARY.PEEK[1])", "    * 2 FETCH (UID 2)\n", "",
            "Dovecot sends the UID of a message whose part it then refuses with UNKNOWN-CTE; nothing asked for it"
        ),
        (
            "FETCH 2 (BINARY.SIZE[1])", "    * 2 FETCH (UID 2)\n", "",
            "Dovecot sends the UID of a message whose part it then refuses with UNKNOWN-CTE; nothing asked for it"
        ),
        (
            "EXPUNGE", "\n    * 3 RECENT", "",
            "Dovecot restates RECENT after expunges; RFC 3501 §7.3.2 asks for it when messages arrive"
        ),
    ]

    static func message(_ subject: String) -> String {
        "From: ana@example.com\r\nSubject: \(subject)\r\n\r\nbody \(subject)\r\n"
    }

    static func append(_ subject: String, to mailbox: String) -> String {
        appendMessage(message(subject), to: mailbox)
    }

    static func appendMessage(_ text: String, to mailbox: String) -> String {
        return "APPEND \(mailbox) {\(text.utf8.count)+}\r\n\(text)"
    }

    /// Messages for SORT=DISPLAY and THREAD: display names with encoded words, an empty one, a
    /// group; subjects with `Re:`, `Fwd:` and a `[list]` blob.
    static let threadMessages = [
        ("Zed <aaa@example.com>", "bob@example.com", "Re: hello", "10:00"),
        ("=?utf-8?q?=C3=84rger?= <zzz@example.com>", "\"Carl\" <c@example.com>", "hello", "09:00"),
        ("mmm@example.com", "Anna <y@example.com>", "other", "11:00"),
        ("\"\" <bbb@example.com>", "undisclosed-recipients:;", "Fwd: hello", "08:00"),
        ("adam <q@example.com>", "zed@example.com", "[list] other", "12:00"),
    ].map { from, to, subject, time in
        "From: \(from)\r\nTo: \(to)\r\nSubject: \(subject)\r\nDate: Mon, 1 Jan 2024 \(time):00 +0000\r\n\r\nbody\r\n"
    }

    /// A multipart message for BINARY (RFC 3516): a quoted-printable text part, a base64 part
    /// holding NUL; and one with a transfer encoding nobody decodes.
    static let binaryMessages = [
        "From: a@example.com\r\nSubject: bin\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
            + "--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + "Gr=C3=BC=C3=9Fe =\r\nWelt\r\n--XX\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\nYWIAY2QB/w==\r\n--XX--\r\n",
        "From: a@example.com\r\nSubject: odd\r\nMIME-Version: 1.0\r\nContent-Type: application/x-odd\r\n"
            + "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n",
    ]

    /// The script, run in order on both servers.
    static let script: [String] =
        [
            // Parents made explicitly: Dovecot's Maildir++ layout does not make them by itself.
            "CREATE Lists", "CREATE Lists/swift", "CREATE Fruit", "CREATE Fruit/Banana", "CREATE Veg",
            "CREATE Veg/Kale", "SUBSCRIBE Lists/swift", "SUBSCRIBE Fruit", "SUBSCRIBE Fruit/Banana",
            "SUBSCRIBE Veg/Kale",
            // A subscription outlives its mailbox (RFC 3501 §6.3.4): \NonExistent (RFC 5258 §3.4).
            "CREATE Ghost", "SUBSCRIBE Ghost", "DELETE Ghost",
            "LIST (SUBSCRIBED) \"\" *",
            "LIST (SUBSCRIBED) \"\" %",
            "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %",
            "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" * RETURN (CHILDREN SPECIAL-USE)",
            "LIST \"\" * RETURN (SPECIAL-USE SUBSCRIBED CHILDREN)",
            "LIST (SPECIAL-USE) \"\" *",
            "LIST (SPECIAL-USE RECURSIVEMATCH) \"\" %",
            "LIST (SUBSCRIBED SPECIAL-USE) \"\" %",
            "LIST () \"\" %",
            "LIST (REMOTE) \"\" L*",
            "LIST \"\" (Lists Fruit/*) RETURN (STATUS (MESSAGES UNSEEN SIZE))",
            "LIST (SUBSCRIBED) \"\" (Fruit* Veg/% G*) RETURN (CHILDREN STATUS (MESSAGES))",
            "LIST \"\" (INBOX) RETURN (STATUS (MESSAGES UIDNEXT SIZE))",
            "LIST (RECURSIVEMATCH) \"\" %",
            "LIST (BOGUS) \"\" %",
            "LIST \"\" % RETURN (BOGUS)",
            "LIST \"\" % RETURN (STATUS (BOGUS))",
            // MULTIAPPEND (RFC 3502): all or none; APPENDUID with a UID set (RFC 4315 §3).
            "CREATE Multi",
            "APPEND Multi (\\Seen) {\(message("one").utf8.count)+}\r\n\(message("one")) \"21-Nov-1997 09:55:06 -0600\" "
                + "{\(message("two").utf8.count)+}\r\n\(message("two"))",
            "APPEND Multi {\(message("one").utf8.count)+}\r\n\(message("one")) {0+}\r\n",
            "APPEND Nowhere {\(message("one").utf8.count)+}\r\n\(message("one")) {\(message("two").utf8.count)+}\r\n"
                + message("two"),
            "APPEND Multi {\(message("one").utf8.count)+}\r\n\(message("one")) ()",
            "STATUS Multi (MESSAGES UIDNEXT UNSEEN)",
            "CREATE Sorted",
        ] + ["delta", "alpha", "charlie", "bravo"].map { append($0, to: "Sorted") } + [
            "STATUS Sorted (MESSAGES SIZE)",
            "SELECT Sorted",
            "SORT RETURN (ALL) (SUBJECT) UTF-8 ALL",
            "SORT RETURN (MIN MAX COUNT ALL) (SUBJECT) UTF-8 ALL",
            "UID SORT RETURN () (REVERSE SUBJECT) UTF-8 ALL",
            "SORT RETURN (ALL) (REVERSE SUBJECT) UTF-8 ALL",
            "SORT RETURN (MIN) (SUBJECT) UTF-8 NOT SUBJECT alpha",
            "SORT RETURN (COUNT) (SUBJECT) UTF-8 NOT ALL",
            "FETCH $ (UID)",
            "SEARCH RETURN (SAVE) SUBJECT a",
            "FETCH $ (UID)",
            "SEARCH $",
            "UID SEARCH UID $",
            "SEARCH RETURN (SAVE MIN) 2:4",
            "FETCH $ (UID)",
            "SEARCH RETURN (SAVE MIN MAX) 2:4",
            "FETCH $ (UID)",
            "SEARCH RETURN (SAVE COUNT MIN) 2:4",
            "FETCH $ (UID)",
            "SORT RETURN (SAVE) (SUBJECT) UTF-8 1:2",
            "SEARCH RETURN (ALL) $",
            "FETCH $,1 (UID)",
            "SEARCH RETURN (SAVE) SUBJECT nothing",
            "FETCH $ (UID)",
            "SEARCH RETURN (SAVE ALL) 3:4",
            "STORE 3 +FLAGS.SILENT (\\Deleted)",
            "EXPUNGE",
            "FETCH $ (UID)",
            "UID STORE $ +FLAGS.SILENT (\\Seen)",
            "UID FETCH $ (FLAGS)",
            "UNSELECT",
            "CREATE Display",
        ] + threadMessages.map { appendMessage($0, to: "Display") } + [
            "SELECT Display",
            "SORT (DISPLAYFROM) UTF-8 ALL",
            "SORT (DISPLAYTO) UTF-8 ALL",
            "SORT (REVERSE DISPLAYFROM) UTF-8 ALL",
            "THREAD ORDEREDSUBJECT UTF-8 ALL",
            "UID THREAD ORDEREDSUBJECT UTF-8 NOT 2",
            "THREAD ORDEREDSUBJECT UTF-8 NOT ALL",
            "THREAD BOGUS UTF-8 ALL",
            "UNSELECT",
            "CREATE Binary",
        ] + binaryMessages.map { appendMessage($0, to: "Binary") } + [
            "SELECT Binary",
            "FETCH 1 (BINARY.SIZE[1] BINARY.SIZE[2] BINARY.PEEK[2])",
            "FETCH 1 (BINARY.PEEK[2]<1.3>)",
            "FETCH 1 (BINARY.PEEK[4])",
            "FETCH 1 (FLAGS BINARY[1])",
            "FETCH 2 (BINARY.PEEK[1])",
            "FETCH 2 (BINARY.SIZE[1])",
            "UNSELECT",
        ]

    @Test func extensionsAnswerLikeDovecot() async throws {
        try await DovecotMailboxDifferentialTests.compareWithDovecot(
            Self.script, accepted: Self.acceptedDifferences, messages: [])
    }
}
