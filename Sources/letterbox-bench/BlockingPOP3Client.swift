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
    typealias Failure = BlockingClientFailure

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
    private var buffer = ReceiveBuffer(minimumReceive: 256 * 1024, initialSize: 1024 * 1024)

    /// Connects and reads the greeting; with a `timeout`, every wait (connect, send, receive)
    /// gives up after that many seconds.
    init(port: Int, timeout: Double? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if let timeout { PeerSocket.setTimeout(fd, timeout) }
        // Thrown after every property is set, so deinit closes.
        guard LoopbackPort.connect(fd, to: port) else {
            throw Failure(description: "connect to port \(port) failed: errno \(errno)")
        }
        _ = try status()
    }

    deinit { Glibc.close(fd) }

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
            if statusEnd == nil, let newline = buffer.firstNewline() {
                statusEnd = newline + 1
                guard buffer.starts(at: 0, with: Array("+OK".utf8)) else {
                    let reply = buffer.text(0, newline)
                    buffer.removeAll()
                    throw Failure(description: "\(line): \(reply)")
                }
            }
            if let statusEnd, endsWithTerminator(after: statusEnd) { break }
            try buffer.receive(from: fd)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let bodyStart = statusEnd ?? 0
        let response = Response(
            status: buffer.text(0, bodyStart - 2), body: buffer.bytes(bodyStart..<buffer.count - 3), seconds: seconds)
        buffer.removeAll()
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

    private func send(_ line: String) throws { try BlockingSocket.sendAll(fd, Array((line + "\r\n").utf8)) }

    /// Reads one status line; throws on `-ERR`.
    private func status() throws -> String {
        while true {
            if let newline = buffer.firstNewline() {
                let line = buffer.text(0, newline - (newline > 0 && buffer[newline - 1] == 0x0D ? 1 : 0))
                buffer.discard(upTo: newline + 1)
                guard line.hasPrefix("+OK") else { throw Failure(description: "expected +OK, got \(line)") }
                return line
            }
            try buffer.receive(from: fd)
        }
    }

    /// Whether the buffer ends with the terminating "." line of a reply whose status line ends at
    /// `statusEnd`. The terminator is the last thing sent (no pipelining), and a body line of just
    /// "." would have been stuffed, so CRLF "." CRLF at the end can only be the terminator.
    private func endsWithTerminator(after statusEnd: Int) -> Bool {
        buffer.count >= statusEnd + 3 && buffer.count >= 5
            && buffer.starts(at: buffer.count - 5, with: [0x0D, 0x0A, 0x2E, 0x0D, 0x0A])
    }
}
