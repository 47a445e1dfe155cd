import Foundation
import LetterboxStore
import Testing

/// The `q=` search syntax: what each token means, and the errors that say what is wrong.
@Suite struct SearchQueryTests {
    /// 2026-12-07T10:00:00Z
    private let now = Date(timeIntervalSince1970: 1_796_637_600)

    private func parse(_ text: String) throws -> [SearchTerm] { try SearchQuery.parse(text, now: now) }

    private func reason(_ text: String) -> String {
        do {
            _ = try SearchQuery.parse(text, now: now)
            return "parsed"
        } catch { return error.reason }
    }

    private func message(
        id: UInt64 = 1, raw: String, sender: String = "shop@example.com", to: [String] = ["ana@example.com"],
        at: Date? = nil
    ) -> Message {
        Message(
            id: id, raw: Array(raw.replacingOccurrences(of: "\n", with: "\r\n").utf8),
            envelope: Envelope(
                sender: sender, recipients: to, helo: "h", peer: "127.0.0.1:1", receivedAt: at ?? now))
    }

    @Test func tokensMapToCriteria() throws {
        #expect(
            try parse("to:ana FROM:shop subject:\"your order\" has:attachment is:unread -is:read larger:10k smaller:1M")
                == [
                    SearchTerm(.to("ana")), SearchTerm(.from("shop")), SearchTerm(.subject("your order")),
                    SearchTerm(.hasAttachment), SearchTerm(.seen, negated: true), SearchTerm(.seen, negated: true),
                    SearchTerm(.larger(10_240)), SearchTerm(.smaller(1_048_576)),
                ])
        #expect(
            try parse("  reset \"two words\"  -spam -\"not this\" ") == [
                SearchTerm(.contains("reset")), SearchTerm(.contains("two words")),
                SearchTerm(.contains("spam"), negated: true), SearchTerm(.contains("not this"), negated: true),
            ])
        #expect(
            try parse("\"https://example.com/a\" 10:30 subject:\"say \\\"hi\\\"\"") == [
                SearchTerm(.contains("https://example.com/a")), SearchTerm(.contains("10:30")),
                SearchTerm(.subject("say \"hi\"")),
            ])
        #expect(try parse("") == [] && parse("   ") == [])
    }

    @Test func datesAreUTCDaysInstantsOrTimeAgo() throws {
        let day = Date(timeIntervalSince1970: 1_796_601_600)  // 2026-12-07T00:00:00Z
        #expect(
            try parse("after:2026-12-07 before:2026-12-08") == [
                SearchTerm(.receivedSince(day)), SearchTerm(.receivedBefore(day.addingTimeInterval(86_400))),
            ])
        #expect(
            try parse("before:2026-12-07T10:30:15Z") == [SearchTerm(.receivedBefore(day.addingTimeInterval(37_815)))])
        #expect(
            try parse("before:2026-12-07T10:30+01:00") == [SearchTerm(.receivedBefore(day.addingTimeInterval(34_200)))])
        #expect(
            try parse("after:2h -after:1w") == [
                SearchTerm(.receivedSince(now.addingTimeInterval(-7200))),
                SearchTerm(.receivedSince(now.addingTimeInterval(-604_800)), negated: true),
            ])
        #expect(try parse("before:2024-02-29") != [])
    }

    @Test func mistakesAreExplained() {
        #expect(reason("subjet:hello").contains("unknown search key \"subjet:\""))
        #expect(reason("subjet:hello").contains("quote it"))
        #expect(reason("to:") == "to: needs a value, as in to:ana@example.com (in \"to:\")")
        #expect(reason("has:pdf") == "has: takes attachment, got \"has:pdf\"")
        #expect(reason("is:starred") == "is: takes unread or read, got \"is:starred\"")
        #expect(reason("before:2026-02-30").hasPrefix("before: takes a date such as 2026-12-07"))
        #expect(reason("after:yesterday").contains("got \"after:yesterday\""))
        #expect(reason("larger:10q").hasPrefix("larger: takes a size in octets"))
        #expect(reason("subject:\"open") == "the quote opened at character 9 is never closed")
        #expect(reason("a - b").hasPrefix("a lone \"-\""))
        #expect(reason("\"\"").contains("empty phrase"))
    }

    @Test func orJoinsAlternativesAndBindsTighterThanAnd() throws {
        #expect(
            try parse("from:a OR from:b") == [SearchTerm(.anyOf([SearchTerm(.from("a")), SearchTerm(.from("b"))]))])
        #expect(
            try parse("to:ana from:a OR -is:read OR \"x y\" larger:5") == [
                SearchTerm(.to("ana")),
                SearchTerm(
                    .anyOf([SearchTerm(.from("a")), SearchTerm(.seen, negated: true), SearchTerm(.contains("x y"))])),
                SearchTerm(.larger(5)),
            ])
        // Only a bare, capital OR is the keyword.
        #expect(try parse("a or b") == ["a", "or", "b"].map { SearchTerm(.contains($0)) })
        #expect(
            try parse("\"OR\" ORANGE -OR") == [
                SearchTerm(.contains("OR")), SearchTerm(.contains("ORANGE")),
                SearchTerm(.contains("OR"), negated: true),
            ])
        for text in ["OR a", "a OR", "a OR OR b", "OR", "a OR  "] {
            #expect(reason(text).hasPrefix("OR needs a term on each side"), "\(text)")
        }
        #expect(reason("a OR to:") == "to: needs a value, as in to:ana@example.com (in \"to:\")")
        // Written back as it was read; a negated group (only the API can build one) as De Morgan's AND.
        let text = "to:ana from:a OR is:unread OR \"x y\" \"OR\""
        #expect(SearchQuery.text(of: try parse(text)) == text)
        let negated = SearchTerm(.anyOf([SearchTerm(.from("a")), SearchTerm(.to("b"), negated: true)]), negated: true)
        #expect(SearchQuery.text(of: [negated]) == "-from:a to:b")

        let ana = message(
            raw: "From: alice@example.com\nTo: ana@example.com\nSubject: Hi\n\nbody\n", sender: "alice@example.com")
        let bo = message(
            id: 2, raw: "From: bob@example.com\nTo: bo@example.com\nSubject: Yo\n\nbody\n", sender: "bob@example.com",
            to: ["bo@example.com"])
        func matching(_ query: String, flags: MessageFlags = MessageFlags()) throws -> [UInt64] {
            let filter = MessageFilter(terms: try parse(query))
            return [ana, bo].filter { filter.matches($0, flags: flags) }.map(\.id)
        }
        #expect(try matching("from:alice OR from:bob") == [1, 2])
        #expect(try matching("to:bo from:alice OR from:bob") == [2])
        #expect(try matching("from:alice OR from:bob to:bo") == [2])
        #expect(try matching("from:nobody OR subject:yo") == [2])
        #expect(try matching("-from:alice OR subject:hi") == [1, 2])
        #expect(try matching("-from:alice OR subject:yo") == [2])
        #expect(try matching("is:read OR from:bob") == [2])
        #expect(try matching("is:read OR from:bob", flags: MessageFlags([MessageFlags.seen])) == [1, 2])
        #expect(MessageFilter(terms: try parse("from:a OR is:unread")).needsFlags)
        #expect(!MessageFilter(terms: try parse("from:a OR to:b")).needsFlags)
    }

    @Test func termsRenderBackToTheQuery() throws {
        let text =
            "to:ana -subject:\"two words\" has:attachment is:unread is:read \"a:b\" after:2026-12-07T00:00:00Z larger:5"
        let terms = try parse(text)
        #expect(SearchQuery.text(of: terms) == text)
        #expect(try parse(SearchQuery.text(of: terms)) == terms)
        #expect(MessageFilter(to: "bo", terms: [SearchTerm(.seen, negated: true)]).description == "to=bo q=is:unread")
    }

    @Test func filterTermsMatchAsTheNamedFieldsDo() throws {
        let plain = message(
            raw: "From: Shop <shop@example.com>\nTo: ana@example.com\nSubject: Your order\n\nReset code 1234\n")
        let withFile = message(
            id: 2,
            raw: """
                From: billing@example.com
                To: bo@example.com
                Subject: Invoice
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: text/plain

                See attached.
                --b
                Content-Type: application/pdf
                Content-Disposition: attachment; filename=invoice.pdf

                JVBERi0=
                --b--

                """, sender: "billing@example.com", to: ["bo@example.com"], at: now.addingTimeInterval(-3 * 86_400))
        func matching(_ query: String, flags: MessageFlags = MessageFlags()) throws -> [UInt64] {
            let filter = MessageFilter(terms: try parse(query))
            return [plain, withFile].filter { filter.matches($0, flags: flags) }.map(\.id)
        }
        #expect(try matching("to:ANA") == [1])
        #expect(try matching("-to:ana") == [2])
        #expect(try matching("from:billing subject:invoice") == [2])
        #expect(try matching("has:attachment") == [2])
        #expect(try matching("-has:attachment code") == [1])
        #expect(try matching("\"reset code\"") == [1])
        #expect(try matching("is:unread") == [1, 2])
        #expect(try matching("is:read") == [])
        #expect(try matching("is:read", flags: MessageFlags([MessageFlags.seen])) == [1, 2])
        #expect(try matching("after:1d") == [1])
        #expect(try matching("before:2026-12-05") == [2])
        #expect(try matching("larger:200") == [2])
        #expect(try matching("smaller:200") == [1])
        // Named fields and terms combine with AND.
        #expect(MessageFilter(to: "bo", terms: try parse("has:attachment")).matches(withFile))
        #expect(!MessageFilter(to: "ana", terms: try parse("has:attachment")).matches(withFile))
    }

    @Test func storeReadsFlagsForUnread() async throws {
        let store = MemoryStore()
        for subject in ["one", "two", "three"] {
            _ = try await store.append(
                Array("Subject: \(subject)\r\n\r\nx\r\n".utf8),
                envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"], helo: "h", peer: "p"))
        }
        store.updateFlags(.add(MessageFlags([MessageFlags.seen])), ids: [2])
        let unread = MessageFilter(terms: try parse("is:unread"))
        #expect(store.messages(matching: unread).map(\.id) == [1, 3])
        #expect(store.messages(matching: MessageFilter(terms: try parse("is:read"))).map(\.id) == [2])
        #expect(store.snapshot(matching: unread).entries.map(\.message.id) == [1, 3])
        #expect(
            await store.waitForMessage(
                matching: MessageFilter(subject: "two", terms: try parse("is:read")), timeout: .seconds(5))?.id == 2)
    }
}
