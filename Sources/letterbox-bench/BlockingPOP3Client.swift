import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A deliberately simple blocking POP3 client for measurements: one per thread, no pipelining.
///
/// Replies are received straight into one growable buffer (no per-chunk copies), so the client
/// stays far faster than the servers it measures. Not thread-safe; use it from one thread.
final class BlockingPOP3Client {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// A multi-line reply: its status line, the dot-stuffed lines between it and the final `.`
    /// (terminator excluded), and the seconds from sending the command to receiving that `.`.
    struct Response {
        var status: String
        var body: [UInt8]
        var seconds: Double

        /// The body's lines without CRLF, un-stuffed (RFC 1939 §3).
        var lines: [Substring] {
            String(decoding: BlockingPOP3Client.unstuff(body), as: UTF8.self)
                .split(separator: "\r\n", omittingEmptySubsequences: false).dropLast().map { $0 }
        }
    }

    private let fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var count = 0
    private static let minimumReceive = 256 * 1024

    /// Connects and reads the greeting; with a `timeout`, every wait (connect, send, receive)
    /// gives up after that many seconds.
    init(port: Int, timeout: Double? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        buffer = .allocate(byteCount: 4 * Self.minimumReceive, alignment: 16)
        if let timeout { PeerSocket.setTimeout(fd, timeout) }
        // Thrown after every property is set, so deinit closes and frees.
        guard LoopbackPort.connect(fd, to: port) else {
            throw Failure(description: "connect to port \(port) failed: errno \(errno)")
        }
        _ = try status()
    }

    deinit {
        Glibc.close(fd)
        buffer.deallocate()
    }

    /// USER and PASS (RFC 1939 §7); returns the `+OK` line that opened the maildrop.
    @discardableResult
    func logIn(user: String, password: String) throws -> String {
        _ = try command("USER \(user)")
        return try command("PASS \(password)")
    }

    /// Sends one command and reads its single-line reply; throws on `-ERR`.
    @discardableResult
    func command(_ line: String) throws -> String {
        try send(line)
        return try status()
    }

    /// Sends one command and reads its multi-line reply up to the final `.`; throws on `-ERR`.
    func multiline(_ line: String) throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        try send(line)
        var statusEnd: Int?
        while true {
            if statusEnd == nil, let newline = firstNewline() {
                statusEnd = newline + 1
                guard bytes(0, 3) == Array("+OK".utf8) else {
                    let reply = text(0, newline)
                    count = 0
                    throw Failure(description: "\(line): \(reply)")
                }
            }
            if let statusEnd, endsWithTerminator(after: statusEnd) { break }
            try receive()
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let bodyStart = statusEnd ?? 0
        let response = Response(
            status: text(0, bodyStart - 2), body: bytes(bodyStart, count - 3 - bodyStart), seconds: seconds)
        count = 0
        return response
    }

    /// QUIT, then close (the socket itself closes when the client is released).
    func quit() {
        _ = try? command("QUIT")
    }

    /// Removes the stuffed `.` from every line that starts with one (RFC 1939 §3).
    static func unstuff(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var lineStart = true
        for byte in body {
            if lineStart && byte == UInt8(ascii: ".") {
                lineStart = false
                continue
            }
            lineStart = byte == 0x0A
            out.append(byte)
        }
        return out
    }

    // MARK: Plumbing

    private func send(_ line: String) throws {
        let bytes = Array((line + "\r\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads one status line; throws on `-ERR`.
    private func status() throws -> String {
        while true {
            if let newline = firstNewline() {
                let line = text(0, newline - (newline > 0 && buffer[newline - 1] == 0x0D ? 1 : 0))
                let rest = count - newline - 1
                if rest > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + newline + 1, byteCount: rest) }
                count = rest
                guard line.hasPrefix("+OK") else { throw Failure(description: "expected +OK, got \(line)") }
                return line
            }
            try receive()
        }
    }

    /// One `recv` straight into the buffer, grown so at least 256 KiB are free.
    private func receive() throws {
        if buffer.count - count < Self.minimumReceive {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            larger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: count)
            buffer.deallocate()
            buffer = larger
        }
        let received = recv(fd, buffer.baseAddress! + count, buffer.count - count, 0)
        guard received > 0 else {
            throw Failure(description: received == 0 ? "connection closed" : "recv failed: errno \(errno)")
        }
        count += received
    }

    /// Whether the buffer ends with the terminating "." line of a reply whose status line ends at
    /// `statusEnd`. The terminator is the last thing sent (no pipelining), and a body line of just
    /// "." would have been stuffed, so CRLF "." CRLF at the end can only be the terminator.
    private func endsWithTerminator(after statusEnd: Int) -> Bool {
        count >= statusEnd + 3 && count >= 5 && bytes(count - 5, 5) == [0x0D, 0x0A, 0x2E, 0x0D, 0x0A]
    }

    private func firstNewline() -> Int? {
        guard count > 0, let found = memchr(buffer.baseAddress!, 0x0A, count) else { return nil }
        return buffer.baseAddress!.distance(to: found)
    }

    private func bytes(_ start: Int, _ length: Int) -> [UInt8] { Array(buffer[start..<start + length]) }

    private func text(_ start: Int, _ length: Int) -> String {
        String(decoding: buffer[start..<start + length], as: UTF8.self)
    }
}
