import Dispatch
import LetterboxNet
import Synchronization
import TestSupport
import Testing

/// The time budgets of a connection: a line from its first byte, a transfer's minimum rate, the
/// login phase, and a long poll that notices its peer leaving.
@Suite("Connection deadlines", .timeLimit(.minutes(1)))
struct ConnectionDeadlineTests {
    /// Short line and transfer budgets, a generous idle timeout: only the budget under test can end a read.
    static func budgets(
        line: Duration = .seconds(20), grace: Duration = .seconds(20), rate: Int? = nil, login: Duration? = nil
    )
        -> ConnectionTimeouts
    {
        ConnectionTimeouts(idle: .seconds(20), line: line, transferGrace: grace, minimumRate: rate, login: login)
    }

    @Test("a line dribbled a byte at a time ends in lineTimeout, however often the bytes come (slowloris)")
    func dribbledLine() async throws {
        let pair = try SocketPair()
        let peer = Dribbler(fd: pair.left)
        defer { peer.stop() }
        let reader = try Connection(fd: pair.right, loop: testLoop(), timeouts: Self.budgets(line: .milliseconds(300)))
        await #expect(throws: NetError.lineTimeout) { try await reader.readLine(maxLength: 1 << 20) }
    }

    @Test("the line deadline counts from the line's first byte, not from the start of the wait")
    func lineDeadlineStartsAtFirstByte() async throws {
        let pair = try SocketPair()
        let peer = GuardedPeer(pair.left)
        defer { peer.close() }
        let reader = try Connection(fd: pair.right, loop: testLoop(), timeouts: Self.budgets(line: .milliseconds(200)))
        _ = PeerThread(after: .milliseconds(600)) { try peer.send("NOOP\r\n") }
        #expect(try await reader.readLine(maxLength: 100) == .ascii("NOOP"))
    }

    @Test("lines that continue a command share the deadline of its first byte (an HTTP head)")
    func continuingLines() async throws {
        // The same exchange twice: a line, a pause past the line budget, then a second line sent
        // whole, which alone is read at once. Only as a continuation of the first does it time out.
        for continuing in [false, true] {
            let pair = try SocketPair()
            defer { rawClose(pair.left) }
            let reader = try Connection(
                fd: pair.right, loop: testLoop(), timeouts: Self.budgets(line: .milliseconds(300)))
            try rawSend(pair.left, "Header: one\r\n")
            #expect(try await reader.readLine(maxLength: 100) == .ascii("Header: one"))
            try await Task.sleep(for: .milliseconds(500))
            try rawSend(pair.left, "Header: two\r\n")
            if continuing {
                await #expect(throws: NetError.lineTimeout) {
                    try await reader.readLine(maxLength: 100, continuing: true)
                }
            } else {
                #expect(try await reader.readLine(maxLength: 100) == .ascii("Header: two"))
            }
        }
    }

    @Test("a transfer below the minimum rate ends in transferTimeout")
    func slowTransfer() async throws {
        let pair = try SocketPair()
        let peer = Dribbler(fd: pair.left)
        defer { peer.stop() }
        // 1,000 B/s after 200 ms of grace; the peer sends about 50 B/s.
        let reader = try Connection(
            fd: pair.right, loop: testLoop(), timeouts: Self.budgets(grace: .milliseconds(200), rate: 1000))
        await #expect(throws: NetError.transferTimeout) { _ = try await reader.readExactly(100_000) }
    }

    @Test("a transfer that keeps the rate completes")
    func transferAtRate() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try Connection(
            fd: pair.right, loop: testLoop(), timeouts: Self.budgets(grace: .milliseconds(200), rate: 1000))
        try rawSend(pair.left, String(repeating: "x", count: 50_000))
        #expect(try await reader.readExactly(50_000).count == 50_000)
    }

    @Test("transfers inside a shared transfer keep one rate: many small ones, each in time, still time out")
    func sharedTransfer() async throws {
        let pair = try SocketPair()
        // 10 bytes every 50 ms: 200 B/s against 1,000 B/s after 300 ms; each 10-byte read alone is quick.
        let peer = Dribbler(fd: pair.left, interval: .milliseconds(50), bytesPerSend: 10)
        defer { peer.stop() }
        let reader = try Connection(
            fd: pair.right, loop: testLoop(), timeouts: Self.budgets(grace: .milliseconds(300), rate: 1000))
        reader.beginSharedTransfer()
        await #expect(throws: NetError.transferTimeout) {
            for _ in 0..<400 { _ = try await reader.readExactly(10) }
        }
    }

    @Test("inside a shared transfer the waits for the lines between its pieces end at its allowance too")
    func sharedTransferLines() async throws {
        let pair = try SocketPair()
        // A line and its one-byte piece arrive together every 50 ms: no read of a piece ever waits.
        let peer = Dribbler(fd: pair.left, text: "L\r\nx", interval: .milliseconds(50), bytesPerSend: 4)
        defer { peer.stop() }
        let reader = try Connection(
            fd: pair.right, loop: testLoop(), timeouts: Self.budgets(grace: .milliseconds(300), rate: 1000))
        reader.beginSharedTransfer()
        await #expect(throws: NetError.transferTimeout) {
            for _ in 0..<400 {
                _ = try await reader.readLine(maxLength: 10)
                _ = try await reader.readExactly(1)
            }
        }
    }

    @Test("a wait whose deadline has already passed ends at once, even if the peer's bytes come right after")
    func deadlinePassedBeforeTheWait() async throws {
        let pair = try SocketPair()
        let peer = GuardedPeer(pair.left)
        defer { peer.close() }
        let reader = try Connection(
            fd: pair.right, loop: testLoop(), timeouts: Self.budgets(login: .milliseconds(50)))
        // The login deadline passes while nothing waits; then the bytes come 10 ms into the wait,
        // before the loop's next sweep of parked waiters (every 250 ms) could expire it.
        try await Task.sleep(for: .milliseconds(200))
        _ = PeerThread(after: .milliseconds(10)) { try peer.send("NOOP\r\n") }
        await #expect(throws: NetError.loginTimeout) { try await reader.readLine(maxLength: 100) }
    }

    @Test("bytes sent after the deadline are not read, even when they are already waiting as the read starts")
    func bytesAfterTheDeadlineAreNotRead() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let reader = try Connection(
            fd: pair.right, loop: testLoop(), timeouts: Self.budgets(login: .milliseconds(50)))
        // The login deadline passes, then the peer sends: the read starts late (as a task on a
        // loaded loop does) and finds the bytes in the socket.
        try await Task.sleep(for: .milliseconds(200))
        try rawSend(pair.left, "NOOP\r\n")
        await #expect(throws: NetError.loginTimeout) { try await reader.readLine(maxLength: 100) }
    }

    @Test("before loggedIn every wait ends at the login deadline; after it only the idle timeout counts")
    func loginPhase() async throws {
        let silent = try SocketPair()
        defer { rawClose(silent.left) }
        let waiting = try Connection(
            fd: silent.right, loop: testLoop(), timeouts: Self.budgets(login: .milliseconds(300)))
        #expect(waiting.awaitsLogin)
        await #expect(throws: NetError.loginTimeout) { try await waiting.readLine(maxLength: 100) }

        let pair = try SocketPair()
        let peer = GuardedPeer(pair.left)
        defer { peer.close() }
        let reader = try Connection(fd: pair.right, loop: testLoop(), timeouts: Self.budgets(login: .milliseconds(300)))
        reader.loggedIn()
        #expect(!reader.awaitsLogin)
        _ = PeerThread(after: .milliseconds(900)) { try peer.send("NOOP\r\n") }
        #expect(try await reader.readLine(maxLength: 100) == .ascii("NOOP"))
    }

    @Test("awaitWakeOrHangUp ends with closed when the peer closes, reading nothing")
    func hangUpEndsTheWait() async throws {
        let pair = try SocketPair()
        let peer = GuardedPeer(pair.left)
        defer { peer.close() }
        let waiter = try connection(pair.right)
        _ = PeerThread(after: .milliseconds(50)) { peer.close() }
        await #expect(throws: NetError.closed) { try await waiter.awaitWakeOrHangUp() }
    }

    @Test("awaitWakeOrHangUp ends with woken when woken, and leaves a pipelined request unread")
    func wakeEndsTheWait() async throws {
        let pair = try SocketPair()
        defer { rawClose(pair.left) }
        let waiter = try connection(pair.right)
        try rawSend(pair.left, "next\r\n")
        let handle = waiter.handle
        _ = PeerThread(after: .milliseconds(100)) { handle.wake() }
        await #expect(throws: NetError.woken) { try await waiter.awaitWakeOrHangUp() }
        #expect(try await waiter.readLine(maxLength: 100) == .ascii("next"))
    }

    @Test("a pause (a failed login's delay) ends with closed when the peer closes, even behind pipelined bytes")
    func hangUpEndsThePause() async throws {
        let pair = try SocketPair()
        let peer = GuardedPeer(pair.left)
        defer { peer.close() }
        let pausing = try connection(pair.right)
        _ = PeerThread(after: .milliseconds(50)) {
            try peer.send("a NOOP\r\n")
            peer.close()
        }
        await #expect(throws: NetError.closed) { try await pausing.flushThenWait(.seconds(600)) }
    }

    @Test("what the peer pipelines during a pause is read after it, in order")
    func pauseKeepsPipelinedBytes() async throws {
        let pair = try SocketPair()
        let peer = GuardedPeer(pair.left)
        defer { peer.close() }
        let pausing = try connection(pair.right)
        _ = PeerThread(after: .milliseconds(50)) { try peer.send("next\r\nlast\r\n") }
        try await pausing.flushThenWait(.milliseconds(300))
        #expect(try await pausing.readLine(maxLength: 100) == .ascii("next"))
        #expect(try await pausing.readLine(maxLength: 100) == .ascii("last"))
    }
}

/// A slow peer: sends `text` one byte at a time, then `x` for ever, `interval` apart, from a
/// Dispatch thread, until ``stop()``, which also closes `fd` (through ``GuardedPeer``, so no byte
/// can go to a descriptor number reused meanwhile).
final class Dribbler: Sendable {
    private let peer: GuardedPeer
    private let bytes: [UInt8]
    private let interval: DispatchTimeInterval
    private let bytesPerSend: Int
    /// How many bytes were sent.
    private let sent = Mutex(0)

    init(fd: Int32, text: String = "", interval: DispatchTimeInterval = .milliseconds(20), bytesPerSend: Int = 1) {
        self.peer = GuardedPeer(fd)
        self.bytes = Array(text.utf8)
        self.interval = interval
        self.bytesPerSend = bytesPerSend
        schedule()
    }

    /// Stops sending and closes the descriptor.
    func stop() { peer.close() }

    private func schedule() {
        DispatchQueue.global().asyncAfter(deadline: .now() + interval) { [self] in
            let index = sent.withLock { sent in
                defer { sent += bytesPerSend }
                return sent
            }
            let chunk = (index..<(index + bytesPerSend)).map {
                bytes.isEmpty ? UInt8(ascii: "x") : bytes[$0 % bytes.count]
            }
            if (try? peer.send(String(decoding: chunk, as: UTF8.self))) == true { schedule() }
        }
    }
}
