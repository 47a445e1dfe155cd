import LetterboxStore
import TestSupport
import Testing

@Suite("MessageFilter")
struct MessageFilterTests {
    /// To: Ana, Cc: Carol, Bcc-only envelope recipient Zoe; header From differs from the envelope sender.
    private let message = Message(
        id: 7,
        raw: crlf(
            """
            From: "Shop, Online" <shop@example.com>
            To: Ana Lima <ana@example.com>
            Cc: carol@example.org
            Subject: =?UTF-8?Q?Your_r=C3=A9sum=C3=A9?= is READY

            Hello.

            """),
        envelope: Envelope(
            sender: "bounces@mailer.example.net",
            recipients: ["ana@example.com", "carol@example.org", "zoe@hidden.example"]))

    @Test("an empty filter matches everything")
    func empty() {
        #expect(MessageFilter().isEmpty)
        #expect(MessageFilter().matches(message))
        #expect(!MessageFilter(sinceID: 0).isEmpty)
    }

    @Test(
        "to matches a Bcc-only envelope recipient, the To header and the Cc header",
        arguments: [
            "zoe@hidden.example", "ZOE@HIDDEN", "ana@example.com", "Ana Lima", "carol@example.org", "example.org",
        ])
    func toMatches(to: String) {
        #expect(MessageFilter(to: to).matches(message))
    }

    @Test("to does not match the sender or strangers", arguments: ["shop@example.com", "bounces@", "bob@example.com"])
    func toRejects(to: String) {
        #expect(!MessageFilter(to: to).matches(message))
    }

    @Test("to matches a To header address that is not an envelope recipient")
    func toHeaderOnly() {
        let headerOnly = Message(
            id: 1, raw: mail(to: "Team <team@example.com>"), envelope: envelope("s@example.com", ["x@example.com"]))
        #expect(MessageFilter(to: "team@example.com").matches(headerOnly))
    }

    @Test(
        "from matches the envelope sender and the From header",
        arguments: [
            "bounces@mailer.example.net", "MAILER.EXAMPLE", "shop@example.com", "Shop, Online",
        ])
    func fromMatches(from: String) {
        #expect(MessageFilter(from: from).matches(message))
    }

    @Test("from does not match recipients")
    func fromRejects() {
        #expect(!MessageFilter(from: "ana@example.com").matches(message))
        #expect(!MessageFilter(from: "zoe@").matches(message))
    }

    @Test(
        "subject matches the RFC 2047-decoded subject, case-insensitively",
        arguments: [
            "résumé", "RÉSUMÉ", "your résumé is ready", "READY",
        ])
    func subjectMatches(subject: String) {
        #expect(MessageFilter(subject: subject).matches(message))
    }

    @Test("subject does not match the encoded form")
    func subjectRejectsEncodedForm() {
        #expect(!MessageFilter(subject: "=?UTF-8?Q?").matches(message))
        #expect(!MessageFilter(subject: "r=C3=A9sum").matches(message))
    }

    @Test("sinceID is exclusive")
    func sinceIDExclusive() {
        #expect(MessageFilter(sinceID: 6).matches(message))
        #expect(!MessageFilter(sinceID: 7).matches(message))
        #expect(!MessageFilter(sinceID: 8).matches(message))
    }

    @Test("criteria combine with AND")
    func andCombination() {
        #expect(MessageFilter(to: "zoe@", from: "shop@", subject: "ready", sinceID: 1).matches(message))
        #expect(!MessageFilter(to: "zoe@", from: "shop@", subject: "invoice").matches(message))
        #expect(!MessageFilter(to: "bob@", from: "shop@", subject: "ready").matches(message))
        #expect(!MessageFilter(to: "zoe@", from: "ana@", subject: "ready").matches(message))
        #expect(!MessageFilter(to: "zoe@", from: "shop@", subject: "ready", sinceID: 7).matches(message))
    }

    @Test("the store applies filters and keeps the oldest-first order")
    func storeFiltering() async throws {
        let store = MemoryStore()
        let a = try await store.append(
            mail(subject: "Welcome"), envelope: envelope("s@example.com", ["ana@example.com"]))
        _ = try await store.append(
            mail(to: "bob@example.com", subject: "Other"), envelope: envelope("s@example.com", ["bob@example.com"]))
        let c = try await store.append(
            mail(to: "list@example.com", subject: "welcome back"),
            envelope: envelope("s@example.com", ["ana@example.com"]))
        #expect(store.messages(matching: MessageFilter(to: "ana@")).map(\.id) == [a.id, c.id])
        #expect(store.messages(matching: MessageFilter(subject: "WELCOME", sinceID: a.id)).map(\.id) == [c.id])
        #expect(store.messages(matching: MessageFilter()).count == 3)
    }

    @Test("description names each criterion in a fixed order, or says any message")
    func description() {
        #expect(MessageFilter().description == "any message")
        #expect(MessageFilter(subject: "Hi").description == "subject=Hi")
        #expect(
            MessageFilter(to: "ana@example.com", from: "shop@example.com", subject: "Welcome", sinceID: 4).description
                == "to=ana@example.com from=shop@example.com subject=Welcome since=4")
    }
}
