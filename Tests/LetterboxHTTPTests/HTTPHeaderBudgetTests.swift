import LetterboxHTTP
import LetterboxMIME
import LetterboxStore
import Testing

/// A message of very many header lines: every parsed view is bounded, the byte views are whole.
@Suite("HTTP views of a message with 200,000 header fields")
struct HTTPHeaderBudgetTests {
    let router: HTTPRouter
    let raw: [UInt8]

    init() async throws {
        var raw: [UInt8] = []
        for _ in 0..<200_000 { raw += Array("X-H: v\r\n".utf8) }
        raw += Array("Subject: late\r\n\r\nthe body\r\n".utf8)
        self.raw = raw
        let store = MemoryStore()
        _ = try await store.append(raw, envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]))
        router = HTTPRouter(store: store)
    }

    @Test("headers.json lists the first fields, then how many were left out")
    func headersJSON() async throws {
        let response = try await router.get("/messages/1/headers.json")
        let array = try #require(try response.jsonBody() as? [[String: Any]])
        #expect(array.count == HeaderBudget.maximumFields + 1)
        #expect(array.last?["omitted"] as? Int == 200_001 - HeaderBudget.maximumFields)
        #expect(array.first?["name"] as? String == "X-H")
        #expect(response.body.count < 1 << 20)
    }

    @Test("the detail views are bounded; the raw and header-section views are whole")
    func views() async throws {
        let detail = try await router.get("/messages/1.json")
        #expect(detail.status == .ok && detail.body.count < 1 << 20)
        let object = try #require(try detail.jsonBody() as? [String: Any])
        #expect((object["headers"] as? [Any])?.count == HeaderBudget.maximumFields + 1)
        #expect(object["text"] as? String == "the body\n" || object["text"] as? String == "the body\r\n")
        #expect(try await router.get("/messages/1/raw").body == raw)
        #expect(try await router.get("/messages/1/headers").body.count == raw.count - "the body\r\n".utf8.count)
        #expect(try await router.get("/messages.json").body.count < 4096)
    }
}
