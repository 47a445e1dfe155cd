import Foundation
import LetterboxHTTP
import LetterboxNet
import LetterboxStore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How long either end of ``withServedConnection(_:_:)`` waits for the other: long enough that
/// only the test's requests and the server's answers end a wait. On CI's loaded 2-core machine a
/// task (the test's, or the one serving the connection) has waited more than 10 s to run, within
/// reach of the 30 s this was.
private let servedConnectionIdleTimeout = Duration.seconds(120)

/// Serves one end of a socket pair with `server` on an event loop and hands the other end to `body`.
private func withServedConnection(
    _ server: HTTPServer, _ body: (Connection) async throws -> Void
) async throws {
    var fds: [Int32] = [0, 0]
    #if canImport(Glibc)
        let streamType = Int32(SOCK_STREAM.rawValue)
    #else
        let streamType = SOCK_STREAM
    #endif
    try #require(socketpair(AF_UNIX, streamType, 0, &fds) == 0)
    for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK) }
    let loop = try EventLoopGroup.shared.get().next()
    let serverFD = fds[0]
    let served = Task(executorPreference: loop) {
        guard let connection = try? Connection(fd: serverFD, loop: loop, idleTimeout: servedConnectionIdleTimeout)
        else { return }
        await server.serve(connection)
        await connection.close()
    }
    let client = try Connection(fd: fds[1], loop: loop, idleTimeout: servedConnectionIdleTimeout)
    try await body(client)
    await client.close()
    await served.value
}

@Suite("HTTP driver over a socket pair")
struct HTTPServerTests {
    let store: MemoryStore
    let events = ProtocolEvents(logger: .silent, transcript: false)
    let server: HTTPServer

    init() async throws {
        store = try await Fixtures.store()
        server = HTTPServer(store: store, events: events) { HTTPMetrics(sessionsOpen: ["http": 1]) }
    }

    @Test("pipelined requests are answered in order on one connection; Connection: close ends it")
    func pipelined() async throws {
        try await withServedConnection(server) { client in
            client.write(
                "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + "HEAD /messages/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /messages/1/raw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            try await client.flush()
            let health = try await readResponse(from: client)
            #expect(health.statusLine == "HTTP/1.1 200 OK")
            #expect(health.bodyText == "ok\n")
            #expect(health.headers["connection"] == nil)
            #expect(health.headers["date"]?.hasSuffix(" GMT") == true)
            let head = try await readResponse(from: client, head: true)
            #expect(head.statusLine == "HTTP/1.1 200 OK")
            #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 0)
            let raw = try await readResponse(from: client)
            #expect(raw.body == Fixtures.welcome)
            #expect(raw.headers["connection"] == "close")
            await #expect(throws: NetError.closed) { try await client.readLine(maxLength: 100) }
        }
    }

    @Test("a malformed request gets 400 with a reason, Connection: close, and counts as a protocol error")
    func malformed() async throws {
        try await withServedConnection(server) { client in
            client.write("BROKEN\r\n\r\n")
            try await client.flush()
            let response = try await readResponse(from: client)
            #expect(response.statusLine == "HTTP/1.1 400 Bad Request")
            #expect(response.headers["connection"] == "close")
            #expect(response.bodyText == "request line must be \"METHOD /path HTTP/1.1\"\n")
            await #expect(throws: NetError.closed) { try await client.readLine(maxLength: 100) }
        }
        #expect(events.protocolErrors == 1)
    }

    @Test("a chunked request body is refused with 411 and the connection closed")
    func chunked() async throws {
        try await withServedConnection(server) { client in
            client.write("DELETE /messages HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            try await client.flush()
            let response = try await readResponse(from: client)
            #expect(response.statusLine == "HTTP/1.1 411 Length Required")
            #expect(response.headers["connection"] == "close")
        }
        #expect(store.messages().count == 3)
    }

    @Test("a request body is consumed, so the next request on the connection is read correctly")
    func bodyThenNext() async throws {
        try await withServedConnection(server) { client in
            client.write("POST /messages HTTP/1.1\r\nContent-Length: 4\r\n\r\nbodyGET /healthz HTTP/1.1\r\n\r\n")
            try await client.flush()
            let refused = try await readResponse(from: client)
            #expect(refused.statusLine == "HTTP/1.1 405 Method Not Allowed")
            #expect(refused.headers["allow"] == "GET, HEAD, DELETE")
            let next = try await readResponse(from: client)
            #expect(next.bodyText == "ok\n")
        }
    }

    @Test("Expect: 100-continue is answered before the body is read")
    func expectContinue() async throws {
        try await withServedConnection(server) { client in
            client.write("DELETE /messages/1 HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
            try await client.flush()
            #expect(
                String(decoding: try await client.readLine(maxLength: 100), as: UTF8.self) == "HTTP/1.1 100 Continue")
            #expect(try await client.readLine(maxLength: 100).isEmpty)
            client.write("{}")
            try await client.flush()
            let response = try await readResponse(from: client)
            #expect(response.bodyText == "1\n")
        }
    }

    @Test("HTTP/1.0 closes unless it asks for keep-alive")
    func http10() async throws {
        try await withServedConnection(server) { client in
            client.write("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n")
            try await client.flush()
            #expect(try await readResponse(from: client).headers["connection"] == "keep-alive")
            #expect(try await readResponse(from: client).headers["connection"] == "close")
            await #expect(throws: NetError.closed) { try await client.readLine(maxLength: 100) }
        }
    }

    @Test("a large message goes out intact")
    func largeBody() async throws {
        let big = Fixtures.raw("Subject: big\n\n" + String(repeating: "0123456789abcdef\n", count: 20_000))
        let message = try await store.append(big, envelope: Envelope(sender: "a@x", recipients: ["b@x"]))
        try await withServedConnection(server) { client in
            client.write("GET /messages/\(message.id)/raw HTTP/1.1\r\nConnection: close\r\n\r\n")
            try await client.flush()
            #expect(try await readResponse(from: client).body == big)
        }
    }

    @Test("the over-capacity reply is a complete 503 with Connection: close")
    func overCapacity() throws {
        let text = String(decoding: HTTPServer.overCapacityReply, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(text.contains("\r\nConnection: close\r\n"))
        let body = "too many connections; try again later\n"
        #expect(text.hasSuffix("Content-Length: \(body.utf8.count)\r\n\r\n\(body)"))
    }
}

extension HTTPServerTests {
    @Test("an event stream whose client stops reading is disconnected, never buffered without bound")
    func slowEventConsumer() async throws {
        try await withServedConnection(server) { client in
            client.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            try await client.flush()
            #expect(String(decoding: try await client.readLine(maxLength: 100), as: UTF8.self) == "HTTP/1.1 200 OK")
            // The client reads nothing more while ~8 MiB of events (more than the socket buffers
            // and the stream's queue together) are published.
            let subject = String(repeating: "s", count: 16_000)
            for _ in 0..<500 {
                _ = try await store.append(
                    Fixtures.raw("From: a@example.com\nSubject: \(subject)\n\nbody\n"),
                    envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]))
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while server.eventHub.subscriberCount > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.eventHub.subscriberCount == 0)
            // Dropped by the stream's own bound, not by the slower transfer timeout.
            #expect(server.eventHub.droppedSubscribers == 1)
            var received = 0
            do {
                while true { received += try await client.readLine(maxLength: 1 << 20).count }
            } catch {
                #expect(error as? NetError == .closed)
            }
            #expect(received < 500 * subject.count / 2, "the stream was not cut short: \(received) octets")
        }
    }
}
