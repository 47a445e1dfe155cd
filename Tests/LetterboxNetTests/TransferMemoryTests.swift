import LetterboxNet
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a peer can make a connection hold by announcing a transfer (an IMAP literal, a BDAT
/// chunk, a `Content-Length`) and then sending little of it: memory in proportion to the bytes
/// that arrived, never to the count announced.
@Suite("Transfer memory", .timeLimit(.minutes(1)))
struct TransferMemoryTests {
    @Test("readExactly of a large announced count holds memory for what arrived, not for the count")
    func announcedButNotSent() async throws {
        guard let before = HeapUsage.bytesInUse else { return }  // no mallinfo2 here: nothing to measure
        let readers = 16
        let announced = 64 << 20
        let loop = try testLoop()
        var peers: [Int32] = []
        var tasks: [Task<Void, Never>] = []
        for _ in 0..<readers {
            let pair = try SocketPair()
            peers.append(pair.left)
            try rawSend(pair.left, String(repeating: "x", count: 100))
            let fd = pair.right
            tasks.append(
                Task {
                    guard let reader = try? Connection(fd: fd, loop: loop, idleTimeout: .seconds(30)) else { return }
                    _ = try? await reader.readExactly(announced)
                })
        }
        defer { for fd in peers { rawClose(fd) } }
        // Every reader has taken its 100 bytes from the socket and waits for the rest (an event,
        // not a time: polled, with a deadline far beyond need).
        try #require(await waitUntilTaken(sentOn: peers), "a reader never took the bytes sent to it")
        let held = (HeapUsage.bytesInUse ?? before) - before
        // 16 × 64 MiB reserved up front would be 1 GiB; what arrived is 1,600 bytes (plus the
        // input blocks and the tasks; the margin is for tests running beside this one).
        #expect(held < 256 << 20, "the readers hold \(held) bytes for 1,600 received")
        for fd in peers { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        for task in tasks { await task.value }
    }

    @Test("reserveForArrival grows with the bytes held, up to the count announced, and past it when more come")
    func reservationRule() {
        var bytes: [UInt8] = []
        bytes.reserveForArrival(of: 10, expected: 1 << 30)
        #expect(bytes.capacity >= 10 && bytes.capacity < 64 * 1024)
        bytes.append(contentsOf: repeatElement(1, count: 10))
        bytes.reserveForArrival(of: 100_000, expected: 150_000)
        #expect(bytes.capacity >= 100_010 && bytes.capacity < 200_000)
        bytes.append(contentsOf: repeatElement(2, count: 100_000))
        bytes.reserveForArrival(of: 100_000, expected: 150_000)
        #expect(bytes.capacity >= 200_010)
    }
}
