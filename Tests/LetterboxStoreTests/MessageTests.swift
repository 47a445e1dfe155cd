import LetterboxMIME
import LetterboxStore
import TestSupport
import Testing

@Suite("Message")
struct MessageTests {
    @Test("subject, addresses and text of a real message, from the fixture bytes")
    func plainFixture() throws {
        let raw = try Fixture.bytes("plain-7bit.eml")
        let message = Message(id: 1, raw: raw, envelope: envelope())
        #expect(message.size == raw.count)
        #expect(message.subject == "Your weekly report is ready")  // folded header unfolded
        #expect(message.headers.from == [MailAddress(name: "Sender Example", address: "sender@example.com")])
        #expect(message.headers.to == [MailAddress(name: "Ana Lima", address: "ana@example.net")])
        #expect(message.headers.messageID == "<report-2025-10@example.com>")
        #expect(message.text == "Hello Ana,\n\nYour weekly report is ready.\n\n-- \nThe Reports Team\n")
    }

    @Test("encoded subject and Latin-1 quoted-printable body are decoded")
    func latin1Fixture() throws {
        let message = Message(id: 1, raw: try Fixture.bytes("latin1-qp.eml"), envelope: envelope())
        #expect(message.subject == "Résumé de la réunion")
        #expect(message.text == "Bonjour,\n\nVoici le résumé de la réunion de lundi à l'hôtel.\nCoût total : 150 £.\n")
        #expect(MessageFilter(from: "françois müller").matches(message))
    }

    @Test("a multipart/alternative message reads as its text/plain part; filters see To and the Cc group")
    func multipartFixture() throws {
        let message = Message(
            id: 1, raw: try Fixture.bytes("multipart-alternative.eml"),
            envelope: envelope("ana@example.net", ["bob@example.com"]))
        #expect(message.subject == "Lunch on Friday?")
        #expect(message.text.hasPrefix("Shall we have lunch on Friday at 12:30?"))
        #expect(MessageFilter(to: "carol@example.com").matches(message))
        #expect(MessageFilter(to: "eve@example.com").matches(message))  // Cc group member
        #expect(!MessageFilter(to: "frank@").matches(message))
    }

    @Test("headers are parsed once and every reader, in any task, sees the same result")
    func headersCached() async throws {
        let raw = try Fixture.bytes("encoded-headers.eml")
        let message = Message(id: 1, raw: raw, envelope: envelope())
        let expected = MessageHeaders(parsing: raw)
        let subjects = await withTaskGroup(of: String.self) { group in
            for _ in 0..<32 { group.addTask { message.subject } }
            var subjects: [String] = []
            for await subject in group { subjects.append(subject) }
            return subjects
        }
        #expect(subjects.count == 32)
        #expect(Set(subjects) == [expected.subject])
        #expect(message.headers.fields == expected.fields)
        #expect(message.headers.to == expected.to)
    }

    @Test("a message without headers has an empty subject")
    func noHeaders() {
        let message = Message(id: 1, raw: crlf("\nJust a body.\n"), envelope: envelope())
        #expect(message.subject == "")
        #expect(message.headers.from.isEmpty)
    }
}
