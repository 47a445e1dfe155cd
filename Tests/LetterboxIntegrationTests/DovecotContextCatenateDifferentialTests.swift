import Foundation
import Letterbox
import TestSupport
import Testing

/// CONTEXT=SEARCH (RFC 5267 §4: UPDATE, ADDTO/REMOVEFROM, CANCELUPDATE, PARTIAL, the bound on
/// live searches) and CATENATE (RFC 4469) answered by Letterbox, with the memory and the Maildir
/// store, and by Dovecot (which offers both), in one session whose own STORE, APPEND and
/// EXPUNGE change the live results; compared as in ``DovecotMailboxDifferentialTests``.
@Suite(.timeLimit(.minutes(3))) struct DovecotContextCatenateDifferentialTests {
    /// Where Letterbox answers differently on purpose, and why.
    static let acceptedDifferences: [(command: String, dovecot: String, letterbox: String, reason: String)] = [
        (
            "EXPUNGE", "\n    * 3 RECENT", "",
            "Dovecot restates RECENT after expunges; RFC 3501 §7.3.2 asks for it when messages arrive"
        )
    ]

    static func message(_ subject: String) -> String {
        DovecotExtensionDifferentialTests.message(subject)
    }

    /// The script's commands are tagged `d2`, `d3`… (LOGIN is `d1`), on both servers alike.
    static func tag(of command: String, in script: [String]) -> String {
        "d\((script.firstIndex(of: command) ?? 0) + 2)"
    }

    static let liveSearch = "UID SEARCH RETURN (ALL UPDATE) UNSEEN"
    static let countingSearch = "SEARCH RETURN (COUNT UPDATE) SEEN"

    static let script: [String] = {
        var script =
            ["CREATE Ctx"] + ["one", "two", "three"].map { DovecotExtensionDifferentialTests.append($0, to: "Ctx") } + [
                "SELECT Ctx",
                liveSearch,
                "STORE 2 +FLAGS (\\Seen)",
                DovecotExtensionDifferentialTests.append("four", to: "Ctx"),
                "NOOP",
                countingSearch,
                "STORE 1 +FLAGS.SILENT (\\Seen \\Deleted)",
                "EXPUNGE",
                "SEARCH RETURN (PARTIAL 1:2) ALL",
                "SEARCH RETURN (PARTIAL 2:9 COUNT) ALL",
                "UID SEARCH RETURN (PARTIAL 3:2 MIN) ALL",
                "SEARCH RETURN (PARTIAL 7:9) ALL",
                "SEARCH RETURN (PARTIAL 1:2 ALL) ALL",
                "SEARCH RETURN (CONTEXT) SEEN",
            ]
        // CANCELUPDATE names the live searches by their tags.
        script += [
            "CANCELUPDATE \"\(tag(of: liveSearch, in: script))\"",
            "UID STORE 3 +FLAGS.SILENT (\\Seen)",
            "CANCELUPDATE \"\(tag(of: liveSearch, in: script))\"",
            "CANCELUPDATE \"\(tag(of: countingSearch, in: script))\"",
            "STORE 1 -FLAGS.SILENT (\\Seen)",
        ]
        // The bound: 10 live searches, then `* NO [NOUPDATE "tag"]`.
        script += (1...11).map { _ in "SEARCH RETURN (COUNT UPDATE) ALL" }
        script += [
            // CATENATE: literals and URLs to messages and parts in this server (RFC 4469, RFC 5092).
            "APPEND Ctx CATENATE (TEXT {\(header.utf8.count)+}\r\n\(header) URL \"/Ctx/;UID=3/;SECTION=TEXT\")",
            "UID FETCH 5 (BODY.PEEK[])",
            "APPEND Ctx CATENATE (URL \";UID=4\" TEXT {2+}\r\n\r\n)",
            "UID FETCH 6 (RFC822.SIZE)",
            "APPEND Ctx CATENATE (URL \"/Ctx/;UID=99\")",
            "APPEND Ctx CATENATE (URL \"/Nowhere/;UID=1\")",
            "APPEND Ctx CATENATE (URL \"/Ctx/;UID=3/;SECTION=HEADER\" TEXT {6+}\r\nbody\r\n) CATENATE (URL \"/Ctx/;UID=98\")",
            "SEARCH RETURN (COUNT) ALL",
            "APPEND Ctx CATENATE (URL \"/Ctx/;UID=3/;SECTION=HEADER\" TEXT {6+}\r\nbody\r\n) CATENATE (URL \";UID=2\")",
            "UID FETCH 7:8 (RFC822.SIZE)",
            "UNSELECT",
        ]
        return script
    }()

    static let header = "From: b@example.com\r\nSubject: joined\r\n\r\n"

    @Test(arguments: ["memory", "maildir"]) func contextsAndCatenateLikeDovecot(store: String) async throws {
        try await DovecotMailboxDifferentialTests.compareWithDovecot(
            Self.script, accepted: Self.acceptedDifferences, messages: [], store: store)
    }
}
