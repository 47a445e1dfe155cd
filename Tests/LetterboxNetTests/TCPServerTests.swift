import LetterboxNet
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A listener on an ephemeral port whose handler echoes every line, recording how each session ended.
private struct EchoServer {
    let server: TCPServer
    let endings = Recorder<NetError>()

    static let busyReply = "421 too many connections"
    /// Long enough never to end a wait the test ends itself: on CI's loaded 2-core machine a
    /// test task waited over 10 s to run between a reply and its shutdown, and the server's
    /// idle timeout (then 10 s), timed on its own loop, ended the wait the shutdown was to end.
    /// The suite's time limit bounds a hang.
    static let idleTimeout = Duration.seconds(600)

    init(maxConnections: Int = 10_000, start: Bool = true) throws {
        server = try TCPServer(
            host: "127.0.0.1", port: 0, group: EventLoopGroup.shared.get(),
            options: TCPServer.Options(
                maxConnections: maxConnections, idleTimeout: Self.idleTimeout,
                overCapacityReply: Array((Self.busyReply + "\r\n").utf8)))
        if start {
            let endings = endings
            try server.start { connection in
                do {
                    while true {
                        let line = try await connection.readLine(maxLength: 1000, interruptible: true)
                        connection.write(line)
                        connection.write("\r\n")
                    }
                } catch let error as NetError {
                    endings.record(error)
                } catch {
                    endings.record(NetError.system("unexpected \(error)", errno: 0))
                }
            }
        }
    }

    func connect() throws -> Connection {
        try Connection.connect(
            host: "127.0.0.1", port: server.port, loop: testLoop(), idleTimeout: Self.idleTimeout)
    }
}

@Suite("TCPServer", .timeLimit(.minutes(1)))
struct TCPServerTests {
    @Test("port 0 binds a real port that accepts connections")
    func ephemeralPort() async throws {
        let echo = try EchoServer()
        #expect(echo.server.port > 0)
        #expect(echo.server.port != 0 && echo.server.port < 65_536)
        let client = try echo.connect()
        #expect(try await client.ask("hello") == "hello")
        #expect(client.local.hasPrefix("127.0.0.1:"))
        #expect(client.peer == "127.0.0.1:\(echo.server.port)")
        await client.close()
        try await stop(echo.server, gracePeriod: .seconds(10))
    }

    @Test("a connection over maxConnections gets the over-capacity reply and is closed; others carry on")
    func overCapacity() async throws {
        let echo = try EchoServer(maxConnections: 1)
        let first = try echo.connect()
        #expect(try await first.ask("one") == "one")  // now certainly open
        #expect(echo.server.openConnections == 1)

        let second = try echo.connect()
        #expect(String(decoding: try await second.readLine(maxLength: 100), as: UTF8.self) == EchoServer.busyReply)
        await #expect(throws: NetError.closed) { try await second.readLine(maxLength: 100) }

        #expect(try await first.ask("still here") == "still here")
        await first.close()
        await second.close()
        try await stop(echo.server, gracePeriod: .seconds(10))
    }

    @Test("shutdown drains idle connections, closes them, and stops accepting")
    func shutdownStopsAcceptingAndClosesIdle() async throws {
        let echo = try EchoServer()
        let port = echo.server.port
        let client = try echo.connect()
        #expect(try await client.ask("ping") == "ping")  // the handler is now waiting between requests
        #expect(echo.server.openConnections == 1)
        let listener = listeningSockets(port: port)

        try await stop(echo.server, gracePeriod: .seconds(10))

        #expect(echo.server.openConnections == 0)
        // The handler was asked to finish (not aborted): its wait between requests ended with shuttingDown.
        #expect(echo.endings.all == [.shuttingDown])
        await #expect(throws: NetError.closed) { try await client.readLine(maxLength: 100) }
        #expect(echo.server.acceptedConnections == 1)
        expectStoppedListening(listener, port: port)

        try await stop(echo.server, gracePeriod: .seconds(10))  // a second shutdown is harmless
    }

    @Test("a handler busy past the grace period is aborted; shutdown still returns with nothing open")
    func shutdownAbortsAfterGracePeriod() async throws {
        let endings = Recorder<String>()
        let server = try TCPServer(
            host: "127.0.0.1", port: 0, group: EventLoopGroup.shared.get(),
            options: TCPServer.Options(maxConnections: 10, idleTimeout: EchoServer.idleTimeout, overCapacityReply: []))
        try server.start { connection in
            do {
                // Not interruptible: a drain does not end it, only the abort after the grace period.
                _ = try await connection.readLine(maxLength: 100)
                connection.write("got it\r\n")
                _ = try await connection.readLine(maxLength: 100)
                endings.record("read")
            } catch {
                endings.record("\(error)")
            }
        }
        let client = try Connection.connect(
            host: "127.0.0.1", port: server.port, loop: testLoop(), idleTimeout: EchoServer.idleTimeout)
        #expect(try await client.ask("first") == "got it")
        try await stop(server, gracePeriod: .milliseconds(100))
        #expect(server.openConnections == 0)
        #expect(endings.all == ["\(NetError.closed)"])
        await #expect(throws: NetError.closed) { try await client.readLine(maxLength: 100) }
    }

    /// A server that was bound (so its port is known) but never started must not keep listening after
    /// shutdown: the kernel would otherwise complete connections into the backlog that nobody accepts.
    @Test("shutdown of a server that was never started closes its listening socket")
    func shutdownWithoutStart() async throws {
        let echo = try EchoServer(start: false)
        let listener = listeningSockets(port: echo.server.port)
        try await stop(echo.server, gracePeriod: .seconds(10))
        expectStoppedListening(listener, port: echo.server.port)
    }

    /// The listener found before the shutdown (`listener`) is gone. Where `/proc/net/tcp` names
    /// it, by its identity, since another test's server may have been given the freed port at
    /// once (seen under the whole suite); elsewhere, by a refused connect.
    private func expectStoppedListening(
        _ listener: Set<UInt64>, port: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #if os(Linux)
            #expect(!listener.isEmpty, "/proc/net/tcp did not list the listener", sourceLocation: sourceLocation)
        #endif
        if listener.isEmpty {
            let refused = #expect(throws: NetError.self, sourceLocation: sourceLocation) {
                try Connection.connect(host: "127.0.0.1", port: port, loop: testLoop())
            }
            #expect(refused?.detail.contains("errno \(ECONNREFUSED)") == true, sourceLocation: sourceLocation)
        } else {
            #expect(listeningSockets(port: port).isDisjoint(with: listener), sourceLocation: sourceLocation)
        }
    }

    @Test("200 concurrent connections each complete a request/response echo")
    func manyConcurrentConnections() async throws {
        let echo = try EchoServer()
        let count = 200
        let port = echo.server.port
        let replies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<count {
                group.addTask {
                    let client = try Connection.connect(
                        host: "127.0.0.1", port: port, loop: testLoop(), idleTimeout: EchoServer.idleTimeout)
                    let reply = try await client.ask("hello from \(index)")
                    await client.close()
                    return (index, reply)
                }
            }
            var replies: [Int: String] = [:]
            for try await (index, reply) in group { replies[index] = reply }
            return replies
        }
        #expect(replies.count == count)
        for index in 0..<count { #expect(replies[index] == "hello from \(index)") }
        #expect(echo.server.acceptedConnections == count)
        try await stop(echo.server, gracePeriod: .seconds(10))
        #expect(echo.server.openConnections == 0)
    }
}
