import LetterboxIMAP
import LetterboxStore
import Testing

/// THREAD=REFERENCES (RFC 5256 §4) transcripts: links by In-Reply-To and References, a dummy for
/// a parent not in the mailbox, threads joined by subject, loops not linked. Dovecot answers the
/// same (see `DovecotThreadDifferentialTests`).
@Suite struct IMAPThreadReferencesTests {
    static func message(_ headers: String, subject: String, time: String) -> String {
        "From: ana@example.com\r\n\(headers)Subject: \(subject)\r\nDate: Mon, 1 Jan 2024 \(time):00 +0000\r\n\r\nbody\r\n"
    }

    private func selected(_ messages: [String]) async throws -> IMAPScript {
        var script = IMAPScript()
        for message in messages { try await script.deliver(message) }
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        return script
    }

    @Test func repliesMissingParentsAndSubjects() async throws {
        var script = try await selected([
            Self.message("Message-ID: <a@x>\r\n", subject: "Plan", time: "09:00"),
            Self.message("Message-ID: <b@x>\r\nIn-Reply-To: <a@x>\r\n", subject: "Re: Plan", time: "10:00"),
            Self.message("Message-ID: <d@x>\r\nReferences: <gone@x>\r\n", subject: "Lost", time: "08:00"),
            Self.message("Message-ID: <e@x>\r\nReferences: <gone@x>\r\n", subject: "Re: Lost", time: "08:30"),
            // No Message-ID, same base subject as 1, neither a reply: a dummy holds both threads.
            Self.message("", subject: "Plan", time: "13:00"),
        ])
        #expect(
            await script.send("c THREAD REFERENCES UTF-8 ALL") == [
                "* THREAD ((3)(4))((1 2)(5))", "c OK THREAD completed",
            ])
        // Without 4, the dummy holds one child: it takes the dummy's place.
        #expect(
            await script.send("d UID THREAD REFERENCES UTF-8 NOT 4") == [
                "* THREAD (3)((1 2)(5))", "d OK UID THREAD completed",
            ])
        #expect(await script.send("e THREAD REFERENCES UTF-8 NOT ALL") == ["* THREAD", "e OK THREAD completed"])
        #expect(await script.send("f CAPABILITY").first?.contains(" THREAD=REFERENCES") == true)
    }

    @Test func aReplyJoinsTheOriginalBySubjectAndLoopsAreNotLinked() async throws {
        var script = try await selected([
            Self.message("Message-ID: <h@x>\r\n", subject: "Re: Topic", time: "07:00"),
            Self.message("Message-ID: <i@x>\r\n", subject: "Topic", time: "14:00"),
            Self.message("Message-ID: <j@x>\r\nReferences: <j@x>\r\n", subject: "Loop", time: "06:00"),
            Self.message("Message-ID: <n@x>\r\nReferences: <p@x> <q@x>\r\n", subject: "One", time: "16:00"),
            Self.message("Message-ID: <o@x>\r\nReferences: <q@x> <p@x>\r\n", subject: "Two", time: "16:30"),
        ])
        // 2 is not a reply, 1 is: 1 becomes 2's child. <p> → <q> is linked first, so 5's
        // <q> → <p> would be a loop: 5 hangs below <p>, a dummy with 4's dummy parent <q>.
        #expect(
            await script.send("c THREAD REFERENCES UTF-8 ALL") == [
                "* THREAD (3)(2 1)((4)(5))", "c OK THREAD completed",
            ])
    }

    @Test func onlyTheLastReferencesOfAMessageAreLinked() async throws {
        // 300 references, the oldest naming message 1: only the last 256 are linked (each link is
        // checked for loops), so 2 does not reach 1; its parent is still its last reference.
        let references = (["<root@x>"] + (1..<300).map { "<r\($0)@x>" }).joined(separator: " ")
        var script = try await selected([
            Self.message("Message-ID: <root@x>\r\n", subject: "Root", time: "09:00"),
            Self.message("Message-ID: <long@x>\r\nReferences: \(references)\r\n", subject: "Long", time: "10:00"),
            Self.message("Message-ID: <next@x>\r\nReferences: <r299@x>\r\n", subject: "Next", time: "11:00"),
        ])
        #expect(
            await script.send("c THREAD REFERENCES UTF-8 ALL") == [
                "* THREAD (1)((2)(3))", "c OK THREAD completed",
            ])
    }
}
