import Foundation
import LetterboxNet
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loop of the shared group; every test connection is registered with one.
func testLoop() throws -> EventLoop {
    try EventLoopGroup.shared.get().next()
}

/// A connection over `fd` (which it then owns and closes), with a generous idle timeout by default:
/// 45 s, under the suites' one-minute limit, since on CI's loaded machine a peer's step due after
/// 50 ms has been seen to come more than 10 s late.
func connection(_ fd: Int32, idleTimeout: Duration = .seconds(45)) throws -> Connection {
    try Connection(fd: fd, loop: testLoop(), idleTimeout: idleTimeout)
}

/// Sends a few bytes on a raw descriptor (they fit in the socket buffer, so one call sends them all).
func rawSend(_ fd: Int32, _ text: String) throws {
    let bytes = Array(text.utf8)
    #if canImport(Glibc)
        let flags = Int32(MSG_NOSIGNAL)
    #else
        let flags: Int32 = 0
    #endif
    let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
    guard sent == bytes.count else { throw NetError.system("send", errno: errno) }
}

/// Closes a raw descriptor the test owns.
func rawClose(_ fd: Int32) {
    _ = close(fd)
}

extension Array where Element == UInt8 {
    /// The UTF-8 bytes of `text`.
    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
}

extension Connection {
    /// Sends `line` with CRLF and returns the reply line as text.
    func ask(_ line: String) async throws -> String {
        write(line + "\r\n")
        try await flush()
        return String(decoding: try await readLine(maxLength: 4096), as: UTF8.self)
    }
}

/// Thread-safe list of values recorded by handlers running in other tasks.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    func record(_ value: Value) { values.withLock { $0.append(value) } }

    var all: [Value] { values.withLock { $0 } }
}

/// A logger whose lines are kept for the test to read.
func capturingLogger(_ level: Logger.Level, _ format: Logger.Format) -> (Logger, Recorder<String>) {
    let lines = Recorder<String>()
    return (Logger(level: level, format: format, sink: { lines.record($0) }), lines)
}

/// Shuts `server` down, failing the test instead of hanging it if shutdown never returns.
func stop(_ server: TCPServer, gracePeriod: Duration = .seconds(10)) async throws {
    try await finishing("TCPServer.shutdown", within: gracePeriod + .seconds(20)) {
        await server.shutdown(gracePeriod: gracePeriod)
    }
}

/// The test's end of a socket pair, for a peer that acts later (from a thread or a timer): its
/// sends and its close take turns under a lock, and whatever comes after the close does nothing.
/// A raw descriptor closed when the test ended (its read failed early) could be reused by another
/// test's socket at once, and a late send went there: a TCP client elsewhere in the suite read a
/// "NOOP" its server echoed.
final class GuardedPeer: Sendable {
    private let descriptor: Mutex<Int32?>

    init(_ fd: Int32) { descriptor = Mutex(fd) }

    /// Sends `text`, unless already closed; whether it was sent.
    @discardableResult
    func send(_ text: String) throws -> Bool {
        try descriptor.withLock { fd in
            guard let fd else { return false }
            try rawSend(fd, text)
            return true
        }
    }

    /// Closes the descriptor, once.
    func close() {
        descriptor.withLock { fd in
            if let open = fd { rawClose(open) }
            fd = nil
        }
    }
}

/// The sockets listening on `port` (IPv4), each by the kernel's identity for it (its inode, from
/// `/proc/net/tcp`; empty where there is no such file). A test that closed its listener checks
/// that this one is gone: connecting to the port instead also reached another test's listener
/// that had been given the freed port meanwhile.
func listeningSockets(port: Int) -> Set<UInt64> {
    // Read to the end in a loop: the file reports no size, and one read gives a page of it.
    guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp") else { return [] }
    defer { try? file.close() }
    var bytes: [UInt8] = []
    while let chunk = try? file.read(upToCount: 65_536), !chunk.isEmpty { bytes += chunk }
    var sockets: Set<UInt64> = []
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ")
        // sl, local address:port (hex), remote, state (0A: LISTEN), queues, timer, retransmits, uid, timeout, inode.
        guard fields.count > 9, fields[3] == "0A", let local = fields[1].split(separator: ":").last,
            Int(local, radix: 16) == port, let inode = UInt64(fields[9])
        else { continue }
        sockets.insert(inode)
    }
    return sockets
}
