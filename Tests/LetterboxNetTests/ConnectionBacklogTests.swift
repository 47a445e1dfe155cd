import LetterboxNet
import TestSupport
import Testing

/// What pipelined input can make a connection hold or do: queued output is sent once it passes
/// ``Connection/outputLimit``, and after a failed send no buffered line is returned any more.
@Suite("Connection backlog", .timeLimit(.minutes(1)))
struct ConnectionBacklogTests {
    @Test("a line already buffered is not returned after a send to the peer failed")
    func failedSendEndsBufferedLines() async throws {
        let pair = try SocketPair()
        let server = try connection(pair.right)
        try rawSend(pair.left, "ONE\r\nTWO\r\nTHREE\r\n")
        #expect(try await server.readLine(maxLength: 100) == .ascii("ONE"))
        rawClose(pair.left)
        server.write("+OK\r\n")
        // A peer that left: the send fails (EPIPE on a socket pair).
        await #expect(throws: NetError.self) { try await server.flush() }
        // TWO and THREE are buffered, but nobody is there to answer.
        await #expect(throws: NetError.self) { try await server.readLine(maxLength: 100) }
        await #expect(throws: NetError.self) { try await server.send(.ascii("late\r\n")) }
    }

    @Test("output queued past the limit is sent before the next buffered line is returned")
    func queuedOutputIsBounded() async throws {
        let pair = try SocketPair()
        let left = pair.left
        let server = try connection(pair.right)
        let client = Task { () -> Int in
            let client = try connection(left)
            try await client.send(.ascii("A\r\nB\r\n"))
            var received = 0
            while received < Connection.outputLimit {
                try await client.fill()
                let count = client.withBuffered { $0.count }
                client.consume(count)
                received += count
            }
            return received
        }
        #expect(try await server.readLine(maxLength: 10) == .ascii("A"))
        server.write([UInt8](repeating: 0x2E, count: Connection.outputLimit))
        #expect(try await server.readLine(maxLength: 10) == .ascii("B"))
        #expect(server.pendingOutput == 0, "a full output queue was kept while a buffered line was read")
        try await server.flush()
        #expect(try await client.value == Connection.outputLimit)
    }
}
