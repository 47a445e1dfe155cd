import LetterboxNet
import TestSupport
import Testing

@testable import LetterboxSMTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A client that declares a large message (MAIL FROM `SIZE=`) and then sends little of it makes
/// the server hold memory for what arrived, not for what it declared.
@Suite("SMTP transfer memory", .timeLimit(.minutes(1)))
struct SMTPTransferMemoryTests {
    @Test("BDAT chunks after SIZE=<limit> hold what arrived, not the declared size")
    func declaredSizeWithBDAT() {
        guard let before = HeapUsage.bytesInUse else { return }  // no mallinfo2 here: nothing to measure
        let limit = 32 << 20
        var scripts: [SessionScript] = []
        for _ in 0..<32 {
            var script = SessionScript(SMTPConfiguration(hostname: "test.local", maxMessageSize: limit))
            _ = script.send("EHLO c")
            _ = script.send("MAIL FROM:<a@x> SIZE=\(limit)")
            _ = script.send("RCPT TO:<b@x>")
            #expect(script.send("BDAT 9", chunk: "Subject: ") == ["250 2.0.0 9 octets received"])
            scripts.append(script)
        }
        let held = (HeapUsage.bytesInUse ?? before) - before
        // 32 × 32 MiB reserved at the first chunk would be 1 GiB, for 288 bytes received (the
        // margin leaves room for whatever tests running beside this one allocate meanwhile).
        #expect(held < 256 << 20, "32 sessions hold \(held) bytes for 288 received")
        #expect(scripts.count == 32)
    }

    @Test("DATA after SIZE=<limit> holds what arrived while the client stalls, not the declared size")
    func declaredSizeWithDATA() async throws {
        guard let before = HeapUsage.bytesInUse else { return }
        let limit = 32 << 20
        let loop = try EventLoopGroup.shared.get().next()
        var peers: [Int32] = []
        var tasks: [Task<Void, Never>] = []
        for _ in 0..<32 {
            let pair = try SocketPair()
            peers.append(pair.left)
            let sent = Array("Subject: stalled\r\n".utf8).withUnsafeBytes {
                send(pair.left, $0.baseAddress, $0.count, 0)
            }
            try #require(sent == 18)
            let fd = pair.right
            tasks.append(
                Task {
                    guard let connection = try? Connection(fd: fd, loop: loop, idleTimeout: .seconds(30)) else {
                        return
                    }
                    _ = try? await DotStuffedReader.read(from: connection, limit: limit, declaredSize: limit)
                })
        }
        defer { for fd in peers { _ = close(fd) } }
        try #require(await waitUntilTaken(sentOn: peers), "a reader never took the bytes sent to it")
        let held = (HeapUsage.bytesInUse ?? before) - before
        // 1 GiB reserved up front before; 576 bytes received.
        #expect(held < 256 << 20, "32 DATA readers hold \(held) bytes for 576 received")
        for fd in peers { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        for task in tasks { await task.value }
    }
}
