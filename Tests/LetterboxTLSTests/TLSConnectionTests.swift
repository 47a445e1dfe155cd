import LetterboxNet
import TestSupport
import Testing

@testable import LetterboxTLS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// TLS through real sockets: OpenSSL reads and writes the connection's socket itself.
@Suite struct TLSConnectionTests {
    /// How long either end waits for the other: long enough that only the peer ends a wait. Both
    /// ends are driven by tasks, and on CI's loaded 2-core machine a task has waited more than
    /// 10 s to run, within reach of the 30 s this was.
    static let idleTimeout = Duration.seconds(120)

    /// A connection over `fd` that has completed its handshake with `context`.
    private static func tls(_ fd: Int32, _ context: TLSContext) async throws -> Connection {
        let connection = try Connection(
            fd: fd, loop: EventLoopGroup.shared.get().next(), idleTimeout: Self.idleTimeout)
        try await connection.startTLS(context)
        return connection
    }

    @Test(.enabled(if: TLSTransportTests.runnable, "libssl.so.3 is not installed (apt-get install libssl3)"))
    func fiveMiBEachWayArriveByteForByteWhileWritesWaitForTheReader() async throws {
        let pair = try SocketPair()
        let (left, right) = (pair.left, pair.right)
        let serverContext = try TLSContext.server(CertificateAndKey.selfSigned())
        let size = 5 * 1024 * 1024 + 4321  // not a multiple of a record or of any buffer
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        // Far more than a socket buffer holds: each writer waits (WANT_WRITE) for its reader.
        let server = Task {
            let connection = try await Self.tls(left, serverContext)
            let received = try await connection.readExactly(size)
            try await connection.send(received)
            await connection.close()
            return received
        }
        let client = try await Self.tls(right, TLSContext.unverifiedClient())
        try await client.send(payload)
        let echoed = try await client.readExactly(size)
        #expect(try await server.value == payload)
        #expect(echoed == payload)
        await client.close()
    }

    @Test(.enabled(if: TLSTransportTests.runnable, "libssl.so.3 is not installed (apt-get install libssl3)"))
    func sessionsThatGiveTheirBuffersBackBetweenCommandsKeepWorking() async throws {
        let pair = try SocketPair()
        let (left, right) = (pair.left, pair.right)
        let serverContext = try TLSContext.server(CertificateAndKey.selfSigned())
        let big = [UInt8](repeating: 0x62, count: 300_000)
        // Every readLine waits for a command: the server frees its buffers before each wait.
        let server = Task {
            let connection = try await Self.tls(left, serverContext)
            while true {
                let line = try await connection.readLine(maxLength: 100)
                if line == Array("QUIT".utf8) { break }
                connection.write(line + [0x0D, 0x0A])
                try await connection.send(big)
            }
            await connection.close()
        }
        let client = try await Self.tls(right, TLSContext.unverifiedClient())
        for round in 0..<5 {
            // Commands pipelined and alone, so buffers are given back both empty and after a burst.
            client.write(round % 2 == 0 ? "one \(round)\r\n" : "one \(round)\r\ntwo \(round)\r\n")
            try await client.flush()
            for name in round % 2 == 0 ? ["one"] : ["one", "two"] {
                #expect(try await client.readLine(maxLength: 100) == Array("\(name) \(round)".utf8))
                #expect(try await client.readExactly(big.count) == big)
            }
        }
        client.write("QUIT\r\n")
        try await client.flush()
        try await server.value
        await client.close()
    }

    @Test(.enabled(if: TLSTransportTests.runnable, "libssl.so.3 is not installed (apt-get install libssl3)"))
    func writingToAPeerThatLeftFailsWithAnErrorInsteadOfSIGPIPE() async throws {
        let pair = try SocketPair()
        let (left, right) = (pair.left, pair.right)
        let serverContext = try TLSContext.server(CertificateAndKey.selfSigned())
        let server = Task { () -> NetError? in
            let connection = try await Self.tls(left, serverContext)
            defer { connection.closeAbruptly() }
            // With OpenSSL's own socket BIO (write(2)) this would raise SIGPIPE and end the test process.
            do {
                for _ in 0..<8 { try await connection.send([UInt8](repeating: 0x61, count: 1 << 20)) }
            } catch let error as NetError {
                return error
            }
            return nil
        }
        let client = try await Self.tls(right, TLSContext.unverifiedClient())
        client.closeAbruptly()
        let failure = try await server.value
        #expect(failure != nil)
    }
}
