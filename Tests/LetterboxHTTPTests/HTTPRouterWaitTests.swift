import Foundation
import LetterboxHTTP
import LetterboxStore
import Testing

@Suite("Inspection API: long-poll waits")
struct HTTPRouterWaitTests {
    @Test("a message already stored is returned at once, with X-Message-Id")
    func existing() async throws {
        let router = HTTPRouter(store: try await Fixtures.store())
        let response = try await router.get("/messages/wait?to=bob%40example.com&timeout=30")
        #expect(response.status == .ok)
        #expect(response.headers["X-Message-Id"] == "2")
        #expect(response.bodyText == (try await router.get("/messages/2")).bodyText)
    }

    @Test("since skips what is already there")
    func since() async throws {
        let router = HTTPRouter(store: try await Fixtures.store())
        let response = try await router.get("/messages/wait?to=example&since=1&timeout=30")
        #expect(response.headers["X-Message-Id"] == "2")
    }

    @Test("a wait is woken by a message stored after it began")
    func wokenByArrival() async throws {
        let store = MemoryStore()
        let router = HTTPRouter(store: store)
        async let delivered = {
            try await Task.sleep(for: .milliseconds(50))
            _ = try await store.append(
                Fixtures.raw("Subject: other\n\nx\n"),
                envelope: Envelope(sender: "a@x", recipients: ["other@example.com"]))
            return try await store.append(
                Fixtures.raw("Subject: Late\n\nLate body\n"),
                envelope: Envelope(sender: "late@example.com", recipients: ["late@example.com"]))
        }()
        let response = try await router.get("/messages/wait.json?to=late%40example.com&timeout=60")
        let message = try await delivered
        #expect(response.status == .ok)
        #expect(response.headers["X-Message-Id"] == String(message.id))
        let object = try #require(try response.jsonBody() as? [String: Any])
        #expect(object["subject"] as? String == "Late")
        #expect(object["text"] as? String == "Late body\n")
    }

    @Test("nothing arriving ends in 408 naming the filter and the timeout")
    func timeout() async throws {
        let router = HTTPRouter(store: try await Fixtures.store())
        let response = try await router.get("/messages/wait?to=nobody%40example.com&timeout=0.2")
        #expect(response.status == .requestTimeout)
        #expect(response.bodyText == "no message matching to=nobody@example.com arrived within 0.2s\n")
        #expect(response.headers["X-Message-Id"] == nil)
    }

    @Test("without filters the timeout message says no message arrived")
    func timeoutWithoutFilter() async throws {
        let response = try await HTTPRouter(store: MemoryStore()).get("/messages/wait?timeout=0")
        #expect(response.status == .requestTimeout)
        #expect(response.bodyText == "no message arrived within 0s\n")
    }

    @Test("Accept: application/json gives the detailed object")
    func acceptJSON() async throws {
        let router = HTTPRouter(store: try await Fixtures.store())
        let response = try await router.get("/messages/wait?subject=news", headers: ["Accept": "application/json"])
        #expect((try response.jsonBody() as? [String: Any])?["html"] as? String == "<p>HTML news</p>")
    }

    @Test("a timeout that is not a non-negative number is 400", arguments: ["soon", "-1", "nan", "inf", "1e3"])
    func invalidTimeout(value: String) async throws {
        let response = try await HTTPRouter(store: MemoryStore()).get("/messages/wait?timeout=\(value)")
        #expect(response.status == .badRequest)
        #expect(response.bodyText == "timeout must be a number of seconds such as 5 or 0.5, got \"\(value)\"\n")
    }

    @Test("an invalid since is 400 before any waiting")
    func invalidSince() async throws {
        let response = try await HTTPRouter(store: MemoryStore()).get("/messages/wait?since=x&timeout=300")
        #expect(response.status == .badRequest)
    }

    @Test("the router tells a driver which requests may wait")
    func mayWait() throws {
        let router = HTTPRouter(store: MemoryStore())
        #expect(router.mayWait(try HTTPRequest(method: "GET", target: "/messages/wait?to=x")))
        #expect(router.mayWait(try HTTPRequest(method: "GET", target: "/messages/wait.json")))
        #expect(!router.mayWait(try HTTPRequest(method: "GET", target: "/messages")))
    }
}
