import LetterboxHTTP
import LetterboxNet
import LetterboxStore
import TestSupport
import Testing

/// How long the client, the listener's connections and the shutdown's grace wait: only the
/// server's answer ends the client's read, however loaded the machine. Before the fix a wait in
/// progress kept shutdown waiting this whole grace, and was then cut off with no answer.
private let patience = Duration.seconds(120)

@Suite("A long poll in progress at a graceful shutdown")
struct LongPollShutdownTests {
    @Test("is answered 503 at once, with Connection: close, instead of being cut off without an answer")
    func waitAnsweredAtShutdown() async throws {
        let store = try await Fixtures.store()
        let server = HTTPServer(store: store, events: ProtocolEvents(logger: .silent, transcript: false)) {
            HTTPMetrics()
        }
        let listener = try TCPServer(
            host: "127.0.0.1", port: 0, group: EventLoopGroup.shared.get(),
            options: .init(maxConnections: 8, idleTimeout: patience, overCapacityReply: HTTPServer.overCapacityReply))
        try listener.start { [server] connection in await server.serve(connection) }
        let client = try Connection.connect(
            host: "127.0.0.1", port: listener.port, loop: EventLoopGroup.shared.get().next(), idleTimeout: patience)
        // Nothing stored matches, so the wait lasts until its 300 s timeout or the shutdown.
        client.write("GET /messages/wait?to=nobody@example.net&timeout=300 HTTP/1.1\r\nHost: letterbox\r\n\r\n")
        try await client.flush()
        try await finishing("the wait started", within: patience) {
            while server.longPolls.inProgress == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }

        let shutdown = Task { await listener.shutdown(gracePeriod: patience) }
        let response = try await readResponse(from: client)
        #expect(response.statusLine == "HTTP/1.1 503 Service Unavailable")
        #expect(response.bodyText.contains("shutting down"))
        #expect(response.headers["connection"] == "close")
        await shutdown.value
        #expect(server.longPolls.inProgress == 0)
        await client.close()
    }
}
