import Foundation
import LetterboxNet
import TestSupport
import Testing

/// How a wait on a connection ends other than with data: end of stream, idle timeout, graceful
/// shutdown, hard abort and task cancellation.
@Suite("Connection lifecycle", .timeLimit(.minutes(1)))
struct ConnectionLifecycleTests {
    @Test("the peer closing ends a waiting read with NetError.closed")
    func peerClosesWhileWaiting() async throws {
        let pair = try SocketPair()
        let left = GuardedPeer(pair.left)
        defer { left.close() }
        let reader = try connection(pair.right)
        let peer = PeerThread(after: .milliseconds(20)) { left.close() }
        await #expect(throws: NetError.closed) { try await reader.readLine(maxLength: 100) }
        try await peer.value()
    }

    @Test("an unterminated line before end of stream is not returned: readLine throws closed")
    func partialLineThenClose() async throws {
        let pair = try SocketPair()
        let reader = try connection(pair.right)
        try rawSend(pair.left, "complete\r\npartial")
        rawClose(pair.left)
        #expect(try await reader.readLine(maxLength: 100) == .ascii("complete"))
        await #expect(throws: NetError.closed) { try await reader.readLine(maxLength: 100) }
        #expect(reader.withBuffered { Array($0) } == .ascii("partial"))
        await #expect(throws: NetError.closed) { try await reader.readExactly(100) }
    }

    @Test("a graceful close by the peer delivers its last bytes, then closed")
    func gracefulPeerClose() async throws {
        let pair = try SocketPair()
        let left = pair.left
        let peer = Task {
            let peer = try connection(left)
            peer.write("221 bye\r\n")
            await peer.close()
        }
        let reader = try connection(pair.right)
        #expect(try await reader.readLine(maxLength: 100) == .ascii("221 bye"))
        await #expect(throws: NetError.closed) { try await reader.readLine(maxLength: 100) }
        try await peer.value
    }

    @Test("a silent peer ends a read with NetError.idleTimeout")
    func idleTimeout() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right, idleTimeout: .milliseconds(300))
        await #expect(throws: NetError.idleTimeout) { try await reader.readLine(maxLength: 100) }
    }

    @Test("drain ends a parked interruptible read with NetError.shuttingDown")
    func drainInterruptsInterruptibleRead() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right)
        let handle = reader.handle
        #expect(!reader.isDraining)
        // Orders the drain after the read has probably parked; either order must give the same result.
        let drainer = PeerThread(after: .milliseconds(50)) { handle.drain() }
        await #expect(throws: NetError.shuttingDown) {
            try await reader.readLine(maxLength: 100, interruptible: true)
        }
        #expect(reader.isDraining)
        try await drainer.value()
    }

    @Test("after drain, a new interruptible read fails at once, but buffered lines are still returned")
    func drainBeforeRead() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right)
        try rawSend(pair.left, "QUIT\r\n")
        reader.handle.drain()
        #expect(try await reader.readLine(maxLength: 100, interruptible: true) == .ascii("QUIT"))
        await #expect(throws: NetError.shuttingDown) {
            try await reader.readLine(maxLength: 100, interruptible: true)
        }
    }

    @Test("drain does not interrupt a non-interruptible read: data sent afterwards arrives")
    func drainSparesNonInterruptibleRead() async throws {
        let pair = try SocketPair()
        let left = GuardedPeer(pair.left)
        defer { left.close() }
        let reader = try connection(pair.right)
        let handle = reader.handle
        let peer = PeerThread(after: .milliseconds(50)) {
            handle.drain()
            Thread.sleep(forTimeInterval: 0.05)
            try left.send("DATA line\r\n")
        }
        #expect(try await reader.readLine(maxLength: 100, interruptible: false) == .ascii("DATA line"))
        #expect(reader.isDraining)
        try await peer.value()
    }

    @Test("an interruptible readLine in the middle of a line is not interrupted by drain")
    func drainSparesHalfReadLine() async throws {
        let pair = try SocketPair()
        let left = GuardedPeer(pair.left)
        defer { left.close() }
        let reader = try connection(pair.right)
        try left.send("MAIL FROM:")
        try await reader.fill()
        reader.handle.drain()
        let peer = PeerThread(after: .milliseconds(50)) { try left.send("<a@example.com>\r\n") }
        #expect(
            try await reader.readLine(maxLength: 100, interruptible: true) == .ascii("MAIL FROM:<a@example.com>"))
        try await peer.value()
    }

    @Test("abort from another task ends a parked read with NetError.closed")
    func abortEndsRead() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try connection(pair.right)
        let handle = reader.handle
        let aborter = PeerThread(after: .milliseconds(50)) { handle.abort() }
        await #expect(throws: NetError.closed) { try await reader.readLine(maxLength: 100) }
        try await aborter.value()
    }

    @Test("cancelling the task of a parked read ends it with CancellationError")
    func cancelParkedRead() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let right = pair.right
        let reading = Task {
            let reader = try connection(right)
            return try await reader.readLine(maxLength: 100)
        }
        // Orders the cancellation after the read has probably parked; before is tested below.
        try await Task.sleep(for: .milliseconds(50))
        reading.cancel()
        await #expect(throws: CancellationError.self) { try await reading.value }
    }

    @Test("a read in an already cancelled task ends with CancellationError instead of parking")
    func cancelBeforeParking() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let right = pair.right
        let reading = Task {
            let reader = try connection(right)
            withUnsafeCurrentTask { $0?.cancel() }
            return try await reader.readLine(maxLength: 100)
        }
        await #expect(throws: CancellationError.self) { try await reading.value }
    }

    @Test("cancelling a send that waits for a reader that never reads ends it with CancellationError")
    func cancelBlockedSend() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let right = pair.right
        let sending = Task {
            let writer = try connection(right)
            // Far more than a socket pair buffers, so the send must wait for writability.
            try await writer.send([UInt8](repeating: 0x41, count: 16 * 1024 * 1024))
        }
        try await Task.sleep(for: .milliseconds(50))
        sending.cancel()
        await #expect(throws: CancellationError.self) { try await sending.value }
    }
}
