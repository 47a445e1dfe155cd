import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The checker's blocking IMAP connection: sends one command at a time and returns its
/// responses as lines, each literal replaced by `{N}` and a placeholder string, so a FETCH line
/// can be read without its contents. Not thread-safe; one per session thread.
final class CheckerConnection {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// A command's responses: the untagged and continuation lines in order, then the tagged one.
    struct Reply {
        var untagged: [String]
        var tagged: String

        /// `OK`, `NO` or `BAD`.
        var status: Substring { tagged.split(separator: " ").dropFirst().first ?? "" }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var counter = 0

    /// Connects to 127.0.0.1:`port` and reads the greeting; every wait is bounded by `timeout`.
    init(port: Int, timeout: Double = 60) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket failed: errno \(errno)") }
        // A throw from here on releases the connection, fully initialized, so its deinit closes
        // the socket: closing it here too would close whatever descriptor took its number meanwhile.
        guard connectToLoopback(fd, port: port) else {
            throw Failure(description: "connect to port \(port) failed: errno \(errno)")
        }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let greeting = try line()
        guard greeting.hasPrefix("* OK") else {
            throw Failure(description: "greeting: \(greeting)")
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends `text` as a tagged command and reads every response up to its tagged completion.
    /// `literal`, when given, follows the command line as a non-synchronizing literal when
    /// `plus`, else after the server's continuation.
    func command(_ text: String, literal: [UInt8]? = nil, plus: Bool = true) throws -> Reply {
        counter += 1
        let tag = "c\(counter)"
        var untagged: [String] = []
        if let literal {
            try send(Array("\(tag) \(text) {\(literal.count)\(plus ? "+" : "")}\r\n".utf8))
            if !plus {
                while true {
                    let next = try line()
                    if next.hasPrefix("+") { break }
                    if next.hasPrefix(tag + " ") { return Reply(untagged: untagged, tagged: next) }
                    untagged.append(next)
                }
            }
            try send(literal + [0x0D, 0x0A])
        } else {
            try send(Array("\(tag) \(text)\r\n".utf8))
        }
        while true {
            let next = try line()
            if next.hasPrefix(tag + " ") { return Reply(untagged: untagged, tagged: next) }
            untagged.append(next)
        }
    }

    /// IDLE (RFC 2177) for about `milliseconds`: the responses received meanwhile and the
    /// tagged completion after DONE.
    func idle(milliseconds: Int) throws -> Reply {
        counter += 1
        let tag = "c\(counter)"
        try send(Array("\(tag) IDLE\r\n".utf8))
        var untagged: [String] = []
        while true {
            let next = try line()
            if next.hasPrefix(tag + " ") { return Reply(untagged: untagged, tagged: next) }
            if next.hasPrefix("+") { break }
            untagged.append(next)
        }
        let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let wait = max(1, Int32(deadline.timeIntervalSinceNow * 1000))
            if buffer.isEmpty, poll(&poller, 1, wait) <= 0 { continue }
            untagged.append(try line())
        }
        try send(Array("DONE\r\n".utf8))
        while true {
            let next = try line()
            if next.hasPrefix(tag + " ") { return Reply(untagged: untagged, tagged: next) }
            untagged.append(next)
        }
    }

    /// LOGOUT, not waiting for the answer.
    func logOut() { _ = try? send(Array("z LOGOUT\r\n".utf8)) }

    // MARK: Plumbing

    /// One response line without CRLF; each literal (RFC 3501 §4.3) is read and replaced by
    /// `{N}""`, so the line keeps its structure.
    private func line() throws -> String {
        var text: [UInt8] = []
        while true {
            let raw = try rawLine()
            text += raw
            guard raw.last == UInt8(ascii: "}"), let open = raw.lastIndex(of: UInt8(ascii: "{")),
                let size = Int(String(decoding: raw[(open + 1)..<(raw.count - 1)], as: UTF8.self))
            else { return String(decoding: text, as: UTF8.self) }
            try fill(size)
            buffer.removeFirst(size)
            text += Array("\"\"".utf8)
        }
    }

    private func rawLine() throws -> [UInt8] {
        var searched = 0
        while true {
            if let newline = buffer[searched...].firstIndex(of: 0x0A) {
                var line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                if line.last == 0x0D { line.removeLast() }
                return line
            }
            searched = buffer.count
            try receive()
        }
    }

    private func fill(_ count: Int) throws {
        while buffer.count < count { try receive() }
    }

    private func receive() throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard received > 0 else {
            if received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw Failure(description: "timed out waiting for the server")
            }
            throw Failure(
                description: received == 0 ? "connection closed by the server" : "recv failed: errno \(errno)")
        }
        buffer += chunk[..<received]
    }

    private func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { pointer -> Int in
                guard let base = pointer.baseAddress else { return 0 }
                #if canImport(Glibc)
                    return Glibc.send(fd, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                #else
                    return Darwin.send(fd, base + offset, bytes.count - offset, 0)
                #endif
            }
            guard sent > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }
}
