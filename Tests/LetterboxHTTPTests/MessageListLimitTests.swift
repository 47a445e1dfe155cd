import Foundation
import LetterboxHTTP
import LetterboxNet
import LetterboxStore
import Testing

/// How long the client and the listener's connections wait for each other: only the test's
/// requests and the server's answers end a wait, however loaded the machine.
private let listenerIdleTimeout = Duration.seconds(120)

/// `GET /messages[.json]?limit=` asked over TCP of a real listener: the first `limit` matches,
/// oldest first, with `X-Total-Count` saying how many match; `since` + `limit` pages through a
/// store while mail arrives; a `limit` that is not 1 or more in digits is a 400; a DELETE refuses
/// `limit` (it removes every match), and the wait and the event stream ignore it as any unknown
/// parameter.
@Suite("GET /messages?limit= over TCP")
struct MessageListLimitTests {
    /// The three fixture messages (ids 1, 2, 3).
    let store: MemoryStore
    let server: HTTPServer

    init() async throws {
        store = try await Fixtures.store()
        server = HTTPServer(store: store, events: ProtocolEvents(logger: .silent, transcript: false)) {
            HTTPMetrics()
        }
    }

    /// Serves the store on 127.0.0.1 (an ephemeral port) and hands `body` a client connected to it.
    private func withClient(_ body: (Client) async throws -> Void) async throws {
        let listener = try TCPServer(
            host: "127.0.0.1", port: 0, group: EventLoopGroup.shared.get(),
            options: .init(
                maxConnections: 8, idleTimeout: listenerIdleTimeout, overCapacityReply: HTTPServer.overCapacityReply))
        try listener.start { [server] connection in await server.serve(connection) }
        do {
            let connection = try Connection.connect(
                host: "127.0.0.1", port: listener.port, loop: EventLoopGroup.shared.get().next(),
                idleTimeout: listenerIdleTimeout)
            try await body(Client(connection: connection))
            await connection.close()
        } catch {
            await listener.shutdown(gracePeriod: .zero)
            throw error
        }
        await listener.shutdown(gracePeriod: .zero)
    }

    /// One keep-alive connection, one request at a time.
    struct Client {
        let connection: Connection

        func send(_ method: String, _ target: String, headers: String = "") async throws -> WireResponse {
            connection.write("\(method) \(target) HTTP/1.1\r\nHost: letterbox\r\n\(headers)\r\n")
            try await connection.flush()
            return try await readResponse(from: connection, head: method == "HEAD")
        }

        func get(_ target: String, headers: String = "") async throws -> WireResponse {
            try await send("GET", target, headers: headers)
        }
    }

    /// The ids of a plain-text list, the first field of each line.
    private func ids(_ response: WireResponse) -> [UInt64] {
        response.bodyText.split(separator: "\n").compactMap { $0.split(separator: "\t").first.flatMap { UInt64($0) } }
    }

    /// The ids of a JSON list.
    private func jsonIDs(_ response: WireResponse) throws -> [UInt64] {
        let array = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
        return array.compactMap { ($0["id"] as? NSNumber)?.uint64Value }
    }

    @Test("limit lists the first N matches, oldest first; X-Total-Count counts every match")
    func limitWithoutSince() async throws {
        try await withClient { client in
            let page = try await client.get("/messages?limit=2")
            #expect(page.statusLine == "HTTP/1.1 200 OK")
            #expect(ids(page) == [1, 2])
            #expect(page.headers["x-total-count"] == "3")
            // The lines are exactly those of the whole list, cut after the second.
            let all = try await client.get("/messages")
            #expect(ids(all) == [1, 2, 3])
            #expect(all.headers["x-total-count"] == "3", "sent without a limit too")
            let firstTwo = all.bodyText.split(separator: "\n", omittingEmptySubsequences: false).prefix(2)
            #expect(page.bodyText == firstTwo.joined(separator: "\n") + "\n")
            // With a filter: the limit applies to the matches, the count to every match.
            let filtered = try await client.get("/messages?from=example.com&limit=1")
            #expect(ids(filtered) == [1])
            #expect(filtered.headers["x-total-count"] == "2")
            let head = try await client.send("HEAD", "/messages?limit=1")
            #expect(head.statusLine == "HTTP/1.1 200 OK" && head.headers["x-total-count"] == "3")
            // An empty value is no limit, as an empty filter is no filter.
            #expect(ids(try await client.get("/messages?limit=")) == [1, 2, 3])
        }
    }

    @Test("limit with since: the first N after the id; the count is of those after it")
    func limitWithSince() async throws {
        try await withClient { client in
            let page = try await client.get("/messages?since=1&limit=1")
            #expect(ids(page) == [2])
            #expect(page.headers["x-total-count"] == "2")
            let last = try await client.get("/messages?since=2&limit=1")
            #expect(ids(last) == [3] && last.headers["x-total-count"] == "1")
            let past = try await client.get("/messages?since=3&limit=1")
            #expect(past.statusLine == "HTTP/1.1 200 OK" && past.bodyText.isEmpty)
            #expect(past.headers["x-total-count"] == "0")
        }
    }

    @Test("a limit beyond the list lists it all; one too large for any integer is clamped, not refused")
    func limitBeyondTheList() async throws {
        try await withClient { client in
            for value in ["3", "4", "1000", NumericParameterTests.huge, String(repeating: "9", count: 400)] {
                let response = try await client.get("/messages?limit=\(value)")
                #expect(response.statusLine == "HTTP/1.1 200 OK", "limit=\(value.prefix(30))")
                #expect(ids(response) == [1, 2, 3], "limit=\(value.prefix(30))")
                #expect(response.headers["x-total-count"] == "3")
            }
        }
    }

    @Test("the JSON forms take limit and send X-Total-Count")
    func jsonForm() async throws {
        try await withClient { client in
            let suffixed = try await client.get("/messages.json?limit=2")
            #expect(suffixed.headers["content-type"] == "application/json")
            #expect(try jsonIDs(suffixed) == [1, 2])
            #expect(suffixed.headers["x-total-count"] == "3")
            let accepted = try await client.get("/messages?since=1&limit=1", headers: "Accept: application/json\r\n")
            #expect(accepted.headers["content-type"] == "application/json")
            #expect(try jsonIDs(accepted) == [2])
            #expect(accepted.headers["x-total-count"] == "2")
            let refused = try await client.get("/messages.json?limit=0")
            #expect(refused.statusLine == "HTTP/1.1 400 Bad Request")
        }
    }

    @Test(
        "a limit that is not 1 or more in decimal digits is a 400 with the reason",
        arguments: ["0", "00", "-1", "%2B5", "+5", "abc", "1e3", "1.5", "0x10", "%205", "2%2C3"])
    func badLimits(value: String) async throws {
        try await withClient { client in
            for target in ["/messages?limit=\(value)", "/messages.json?since=1&limit=\(value)"] {
                let response = try await client.get(target)
                #expect(response.statusLine == "HTTP/1.1 400 Bad Request", "\(target)")
                #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
                // As the server reads the query: `+` is a space, `%XX` an octet.
                let sent = value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? value
                #expect(response.bodyText == "limit must be a number of messages (1 or more), got \"\(sent)\"\n")
                #expect(response.headers["x-total-count"] == nil)
            }
        }
    }

    @Test("since + limit walks the store page by page, each message exactly once, while mail arrives")
    func pageWalk() async throws {
        for number in 4...11 { _ = try await append(number) }
        try await withClient { client in
            var seen: [UInt64] = []
            var last: UInt64 = 0
            var arrivals = 0
            // Bounded, so a server that ignored `since` or `limit` fails the test instead of looping.
            for _ in 0..<20 {
                let page = try await client.get("/messages?since=\(last)&limit=3")
                #expect(page.statusLine == "HTTP/1.1 200 OK")
                let pageIDs = ids(page)
                let total = try #require(page.headers["x-total-count"].flatMap { Int($0) })
                #expect(pageIDs.count == min(3, total))
                seen += pageIDs
                guard total > pageIDs.count, let next = pageIDs.last else { break }
                last = next
                // Mail arriving between pages is found by a later page, after everything before it.
                if arrivals < 2 {
                    arrivals += 1
                    _ = try await append(100 + arrivals)
                }
            }
            #expect(seen == store.messages().map(\.id))
            #expect(seen == Array(1...13))
        }
    }

    @Test("DELETE refuses limit (it would remove every match); wait and events ignore it as any unknown parameter")
    func routesWithoutLimit() async throws {
        try await withClient { client in
            let wait = try await client.get("/messages/wait?since=1&limit=0&timeout=0")
            #expect(
                wait.statusLine == "HTTP/1.1 200 OK" && wait.headers["x-message-id"] == "2",
                "\(wait.statusLine) \(wait.bodyText)")
            #expect(wait.headers["x-total-count"] == nil)
            for target in ["/messages?limit=1", "/messages.json?subject=news&limit=abc", "/messages?limit="] {
                let refused = try await client.send("DELETE", target)
                #expect(refused.statusLine == "HTTP/1.1 400 Bad Request", "DELETE \(target)")
                #expect(refused.bodyText.contains("limit applies to lists"), "DELETE \(target)")
            }
            #expect(store.messages().count == 3, "a refused DELETE removes nothing")
            let deleted = try await client.send("DELETE", "/messages?subject=news")
            #expect(deleted.statusLine == "HTTP/1.1 200 OK" && deleted.bodyText == "1\n")
            #expect(deleted.headers["x-total-count"] == nil)
        }
        try await withClient { client in
            client.connection.write("GET /events?limit=0 HTTP/1.1\r\nHost: letterbox\r\n\r\n")
            try await client.connection.flush()
            let status = try await client.connection.readLine(maxLength: 100)
            #expect(String(decoding: status, as: UTF8.self) == "HTTP/1.1 200 OK")
        }
    }

    /// Stores message `number` ("Subject: Message <number>").
    private func append(_ number: Int) async throws -> Message {
        try await store.append(
            Fixtures.raw("From: shop@example.com\nSubject: Message \(number)\n\nbody \(number)\n"),
            envelope: Envelope(sender: "shop@example.com", recipients: ["ana@example.com"]))
    }
}
