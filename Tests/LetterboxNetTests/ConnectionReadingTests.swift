import LetterboxNet
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Lines, byte counts and large transfers over a socket pair.
@Suite("Connection reading", .timeLimit(.minutes(1)))
struct ConnectionReadingTests {
    @Test("one byte per read: lines end at CRLF or a bare LF, and empty lines count")
    func linesFromSingleBytes() async throws {
        let pair = try SocketPair()
        let writer = try connection(pair.left)
        let reader = try connection(pair.right)
        let wire = "EHLO client.example\r\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\r\n\r\nQUIT\n"
        var lines: [String] = []
        for byte in wire.utf8 {
            try await writer.send([byte])
            // The pair holds exactly one byte now, so each fill receives exactly that byte.
            try await reader.fill()
            while let line = try reader.takeLine(maxLength: 100) {
                lines.append(String(decoding: line, as: UTF8.self))
            }
        }
        #expect(lines == ["EHLO client.example", "MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "", "QUIT"])
        #expect(reader.withBuffered { $0.isEmpty })
        #expect(!reader.hasBufferedLine)
    }

    @Test("readLine waits for the rest of a line sent in small pieces by another task")
    func readLineAcrossSmallWrites() async throws {
        let pair = try SocketPair()
        // The writer may outlive a read that failed: its sends must not reach a reused descriptor.
        let left = GuardedPeer(pair.left)
        defer { left.close() }
        let reader = try connection(pair.right)
        let writer = Task {
            for piece in ["HE", "LO x", "\r", "\nNO", "OP\n", "QU", "IT", "\r\n"] {
                try left.send(piece)
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        #expect(try await reader.readLine(maxLength: 100) == .ascii("HELO x"))
        #expect(try await reader.readLine(maxLength: 100) == .ascii("NOOP"))
        #expect(try await reader.readLine(maxLength: 100) == .ascii("QUIT"))
        try await writer.value
    }

    @Test("pipelined lines in one write are returned one by one; hasBufferedLine tells what is left")
    func pipelinedLines() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right)
        try rawSend(pair.left, "A\r\nB\nC\r\npartial")
        #expect(try await reader.readLine(maxLength: 10) == .ascii("A"))
        #expect(reader.hasBufferedLine)
        #expect(try reader.takeLine(maxLength: 10) == .ascii("B"))
        #expect(try reader.takeLine(maxLength: 10) == .ascii("C"))
        #expect(!reader.hasBufferedLine)
        #expect(try reader.takeLine(maxLength: 10) == nil)
        #expect(reader.withBuffered { Array($0) } == .ascii("partial"))
    }

    @Test("a line over maxLength throws lineTooLong once; the line after it reads normally")
    func lineTooLongInOneRead() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right)
        try rawSend(pair.left, "short\r\n" + String(repeating: "x", count: 100) + "\r\nnext\n")
        #expect(try await reader.readLine(maxLength: 16) == .ascii("short"))
        await #expect(throws: NetError.lineTooLong) { try await reader.readLine(maxLength: 16) }
        #expect(try await reader.readLine(maxLength: 16) == .ascii("next"))
    }

    @Test("an over-long line whose rest arrives over several reads is reported once and discarded")
    func lineTooLongReportedOnce() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right)

        try rawSend(pair.left, String(repeating: "x", count: 40))
        try await reader.fill()
        #expect(throws: NetError.lineTooLong) { try reader.takeLine(maxLength: 16) }

        try rawSend(pair.left, String(repeating: "x", count: 40))
        try await reader.fill()
        #expect(try reader.takeLine(maxLength: 16) == nil)  // still the same line: no second report

        try rawSend(pair.left, "xx\r\n")
        try await reader.fill()
        #expect(try reader.takeLine(maxLength: 16) == nil)  // its end is discarded too

        try rawSend(pair.left, "next\r\n")
        try await reader.fill()
        #expect(try reader.takeLine(maxLength: 16) == .ascii("next"))
    }

    /// The end of an over-long line and the next line often arrive in one segment (a client pipelining
    /// after a long command). The next line must be returned from the buffer, not waited for.
    @Test("the line after an over-long line is read when it arrives together with the long line's end")
    func lineAfterOverlongLineInSameRead() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right)

        try rawSend(pair.left, String(repeating: "x", count: 40))
        await #expect(throws: NetError.lineTooLong) { try await reader.readLine(maxLength: 16) }

        try rawSend(pair.left, "xxxx\r\nnext\r\n")
        // Nothing more will be sent: a read that waits instead of using the buffer ends in idleTimeout.
        #expect(try await reader.readLine(maxLength: 16) == .ascii("next"))
    }

    /// maxLength counts the line without its terminator, so the outcome must not depend on where the
    /// segments split: "0123456789\r" then "\n" is the same 10-octet line as "0123456789\r\n".
    @Test("a line of exactly maxLength split between CR and LF is accepted")
    func maxLengthLineSplitBetweenCRAndLF() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right)

        try rawSend(pair.left, "0123456789\r")
        try await reader.fill()
        #expect(throws: Never.self) { _ = try reader.takeLine(maxLength: 10) }

        try rawSend(pair.left, "\n")
        try await reader.fill()
        #expect(try reader.takeLine(maxLength: 10) == .ascii("0123456789"))
    }

    @Test("a line of exactly maxLength in one read is accepted; one more octet is not")
    func maxLengthBoundary() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right)
        try rawSend(pair.left, "0123456789\r\n0123456789A\r\nok\r\n")
        #expect(try await reader.readLine(maxLength: 10) == .ascii("0123456789"))
        await #expect(throws: NetError.lineTooLong) { try await reader.readLine(maxLength: 10) }
        #expect(try await reader.readLine(maxLength: 10) == .ascii("ok"))
    }

    @Test("readExactly takes bytes already buffered and waits for the rest; a line may follow")
    func readExactlyAcrossChunks() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right)

        try rawSend(pair.left, "abc")
        try await reader.fill()
        #expect(reader.withBuffered { Array($0) } == .ascii("abc"))

        try rawSend(pair.left, "defgh\r\nrest")
        #expect(try await reader.readExactly(5) == .ascii("abcde"))
        #expect(try await reader.readLine(maxLength: 10) == .ascii("fgh"))
        #expect(try await reader.readExactly(0) == [])
        #expect(try await reader.readExactly(4) == .ascii("rest"))
        #expect(reader.withBuffered { $0.isEmpty })
    }

    @Test("readExactly assembles a count from many writes made while it waits")
    func readExactlyWhileWaiting() async throws {
        let pair = try SocketPair()
        // The writer may outlive a read that failed: its sends must not reach a reused descriptor.
        let left = GuardedPeer(pair.left)
        defer { left.close() }
        let reader = try connection(pair.right)
        let pieces = (0..<20).map { String(repeating: String($0 % 10), count: 50) }
        let writer = Task {
            for piece in pieces {
                try left.send(piece)
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        let received = try await reader.readExactly(1000)
        #expect(received == .ascii(pieces.joined()))
        try await writer.value
    }

    @Test("skip discards a count across reads; consume drops buffered bytes")
    func skipAndConsume() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right)

        try rawSend(pair.left, "01234")
        try await reader.fill()
        try rawSend(pair.left, "56789tail\r\n")
        try await reader.skip(10)
        #expect(try await reader.readLine(maxLength: 10) == .ascii("tail"))

        try rawSend(pair.left, "XYline\n")
        try await reader.fill()
        reader.consume(2)
        #expect(try reader.takeLine(maxLength: 10) == .ascii("line"))
    }

    @Test("5 MiB each way through a socket pair arrives byte for byte (writes wait for the reader)")
    func largeRoundTrip() async throws {
        let size = 5 * 1024 * 1024
        // Not a period of any buffer size, so a dropped or repeated chunk shows.
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        let pair = try SocketPair()
        let left = pair.left
        let sender = Task { () -> [UInt8] in
            let connection = try connection(left)
            try await connection.send(payload)
            return try await connection.readExactly(size)
        }
        let receiver = try connection(pair.right)
        let received = try await receiver.readExactly(size)
        #expect(received.count == size)
        #expect(received == payload)
        try await receiver.send(received)
        let echoed = try await sender.value
        #expect(echoed == payload)
    }

    @Test("write queues until flush; send goes after what is queued")
    func writeQueuesUntilFlush() async throws {
        let pair = try SocketPair()
        let writer = try connection(pair.left)
        let reader = try connection(pair.right)
        writer.write("first\r\n")
        writer.write([UInt8]("second\r\n".utf8))
        #expect(writer.pendingOutput == 15)
        try await writer.send(.ascii("third\r\n"))
        #expect(writer.pendingOutput == 0)
        #expect(try await reader.readLine(maxLength: 10) == .ascii("first"))
        #expect(try await reader.readLine(maxLength: 10) == .ascii("second"))
        #expect(try await reader.readLine(maxLength: 10) == .ascii("third"))
    }

    @Test("replies queued with write are sent when the connection waits for more input")
    func queuedRepliesGoOutBeforeWaiting() async throws {
        let pair = try SocketPair()
        let left = pair.left
        let server = Task { () -> [UInt8] in
            let server = try connection(left)
            #expect(try await server.readLine(maxLength: 10) == .ascii("PING"))
            server.write("PONG\r\n")
            // Nothing is buffered, so this read must send PONG before it waits; the client only sends
            // BYE after it has seen PONG.
            return try await server.readLine(maxLength: 10)
        }
        let client = try connection(pair.right)
        try await client.send(.ascii("PING\r\n"))
        #expect(try await client.readLine(maxLength: 10) == .ascii("PONG"))
        try await client.send(.ascii("BYE\r\n"))
        #expect(try await server.value == .ascii("BYE"))
    }
}
