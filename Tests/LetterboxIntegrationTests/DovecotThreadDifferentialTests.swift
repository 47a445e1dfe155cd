import Foundation
import Letterbox
import TestSupport
import Testing

/// THREAD=REFERENCES (RFC 5256 §4) answered by Letterbox, with the memory and the Maildir store,
/// and by Dovecot, for messages with replies, parents not in the mailbox, duplicate and missing
/// Message-IDs, reference loops and threads joined by subject only; compared as in
/// ``DovecotMailboxDifferentialTests`` (same normalisation).
@Suite(.timeLimit(.minutes(3))) struct DovecotThreadDifferentialTests {
    /// Where Letterbox answers differently on purpose (see
    /// ``DovecotExtensionDifferentialTests/acceptedDifferences``).
    static let acceptedDifferences: [(command: String, dovecot: String, letterbox: String, reason: String)] = [
        (
            "THREAD REFERENCES UTF-8 NOT ALL", "* THREAD ", "* THREAD",
            "RFC 5256 §4: thread-data is \"THREAD\" [SP 1*thread-list]; Dovecot leaves a space with no list"
        )
    ]

    /// One message: its Message-ID (none when nil), References and In-Reply-To lines, subject and
    /// the time of its Date on 1 Jan 2024.
    static func message(
        id: String?, references: String? = nil, inReplyTo: String? = nil, subject: String, time: String
    ) -> String {
        var text = "From: ana@example.com\r\n"
        if let id { text += "Message-ID: \(id)\r\n" }
        if let references { text += "References: \(references)\r\n" }
        if let inReplyTo { text += "In-Reply-To: \(inReplyTo)\r\n" }
        return text + "Subject: \(subject)\r\nDate: Mon, 1 Jan 2024 \(time):00 +0000\r\n\r\nbody\r\n"
    }

    /// The fixture set, in sequence order (numbers in the comments).
    static let messages = [
        // 1–3: a thread by In-Reply-To and References.
        message(id: "<a@x>", subject: "Plan", time: "09:00"),
        message(id: "<b@x>", inReplyTo: "<a@x>", subject: "Re: Plan", time: "10:00"),
        message(id: "<c@x>", references: "<a@x> <b@x>", subject: "Re: Plan", time: "11:00"),
        // 4–5: two replies to a parent not in the mailbox: a dummy root holds them.
        message(id: "<d@x>", references: "<missing@x>", subject: "Lost parent", time: "08:00"),
        message(id: "<e@x>", references: "<missing@x>", subject: "Re: Lost parent", time: "08:30"),
        // 6: a duplicate Message-ID: it stands alone, and its subject differs.
        message(id: "<a@x>", subject: "Duplicate of plan", time: "12:00"),
        // 7: no Message-ID; joined to 1's thread by subject (neither is a reply: a dummy holds both).
        message(id: nil, subject: "Plan", time: "13:00"),
        // 8–9: subject only; the reply comes first and joins the original.
        message(id: "<h@x>", subject: "Re: Other topic", time: "07:00"),
        message(id: "<i@x>", subject: "Other topic", time: "14:00"),
        // 10: References naming itself (a loop is not linked).
        message(id: "<j@x>", references: "<j@x>", subject: "Loop", time: "06:00"),
        // 11: In-Reply-To with a comment after the id; answers 2.
        message(id: "<k@x>", inReplyTo: "<b@x> (Bob's message)", subject: "Re: Plan", time: "10:30"),
        // 12–13: a reply that arrives before its parent.
        message(id: "<l@x>", references: "<m@x>", subject: "Re: Early", time: "15:00"),
        message(id: "<m@x>", subject: "Early", time: "14:30"),
        // 14: References in a loop with 15: a→b in one, b→a in the other.
        message(id: "<n@x>", references: "<p@x> <q@x>", subject: "Cycle", time: "16:00"),
        message(id: "<o@x>", references: "<q@x> <p@x>", subject: "Other cycle", time: "16:30"),
        // 16: no subject, no references, no Date (the internal date is used).
        "From: ana@example.com\r\nMessage-ID: <r@x>\r\n\r\nbody\r\n",
        // 17: a forward, by subject, of 13's thread.
        message(id: "<s@x>", subject: "Fwd: Early", time: "17:00"),
        // 18: References whose first id is unknown and last is 3: it joins 1's thread below 3.
        message(id: "<t@x>", references: "<zz@x> <c@x>", subject: "Plan again", time: "18:00"),
    ]

    static let script: [String] =
        ["CREATE Threads"] + messages.map { DovecotExtensionDifferentialTests.appendMessage($0, to: "Threads") } + [
            "SELECT Threads",
            "THREAD REFERENCES UTF-8 ALL",
            "UID THREAD REFERENCES UTF-8 ALL",
            "THREAD REFERENCES UTF-8 NOT 1",
            "THREAD REFERENCES UTF-8 SUBJECT plan",
            "THREAD REFERENCES US-ASCII 2:5",
            "THREAD REFERENCES UTF-8 NOT ALL",
            "THREAD ORDEREDSUBJECT UTF-8 ALL",
            "UNSELECT",
        ]

    @Test(arguments: ["memory", "maildir"]) func referencesThreadLikeDovecot(store: String) async throws {
        try await DovecotMailboxDifferentialTests.compareWithDovecot(
            Self.script, accepted: Self.acceptedDifferences, messages: [], store: store)
    }
}
