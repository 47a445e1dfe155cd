import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A deliberately simple blocking IMAP client for measurements: one per thread, one command at a
/// time. Replies are received straight into one growable buffer and scanned in place (literals
/// skipped by their announced length), so the client stays far faster than the servers it
/// measures. Not thread-safe; use it from one thread.
final class BlockingIMAPClient {
    typealias Failure = BlockingClientFailure

    /// A tagged command's reply.
    struct Response {
        /// The untagged responses, literals included, exactly as received (empty unless asked for).
        var untagged: [UInt8]
        /// How many untagged responses (`* …`) came before the tagged one.
        var untaggedCount: Int
        /// The tagged completion line, without CRLF.
        var completion: String
        /// Seconds from sending the command to receiving the tagged line.
        var seconds: Double

        /// The numbers of the `* SEARCH` response.
        var searchResults: [Int] {
            let text = String(decoding: untagged, as: UTF8.self)
            guard let line = text.split(separator: "\r\n").first(where: { $0.hasPrefix("* SEARCH") }) else { return [] }
            return line.split(separator: " ").dropFirst(2).compactMap { Int($0) }
        }
    }

    /// The socket, for a thread that must interrupt a blocked reader (`shutdown`).
    let fd: Int32
    private var buffer = ReceiveBuffer(minimumReceive: 64 * 1024, initialSize: 128 * 1024)
    private var counter = 0
    /// When the last `recv` returned: the arrival time of whatever it completed.
    private var lastReceive: UInt64 = 0

    /// Connects to 127.0.0.1:`port` and reads the greeting. `timeout` bounds every wait for data.
    init(port: Int, timeout: Double = 120) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        // Thrown after every property is set, so deinit closes.
        guard LoopbackPort.connect(fd, to: port) else {
            throw Failure(description: "connect to port \(port) failed: errno \(errno)")
        }
        var limit = timeval(tv_sec: time_t(timeout), tv_usec: suseconds_t((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let greeting = try line().text
        guard greeting.hasPrefix("* OK") else { throw Failure(description: "greeting: \(greeting)") }
    }

    deinit { Glibc.close(fd) }

    /// LOGIN (RFC 3501 §6.2.3).
    func logIn(user: String, password: String) throws {
        _ = try command("LOGIN \(user) \(password)")
    }

    /// SELECT INBOX; returns the EXISTS count.
    @discardableResult
    func selectInbox() throws -> Int {
        let response = try command("SELECT INBOX", keep: true)
        let text = String(decoding: response.untagged, as: UTF8.self)
        let exists = text.split(separator: "\r\n").first { $0.hasSuffix(" EXISTS") }
        return exists.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
    }

    /// Sends one tagged command and reads every response up to the tagged one; throws unless it is
    /// OK. With `keep`, the untagged responses are returned as well.
    @discardableResult
    func command(_ text: String, keep: Bool = false) throws -> Response {
        counter += 1
        let tag = Array("b\(counter) ".utf8)
        let start = DispatchTime.now().uptimeNanoseconds
        try send(Array(tag) + Array(text.utf8) + [0x0D, 0x0A])
        var untaggedCount = 0
        var lineStart = 0
        var cursor = 0
        while true {
            guard let newline = buffer.firstNewline(from: cursor) else {
                try receive()
                continue
            }
            // A line that ends in {n} goes on after n octets (RFC 3501 §4.3).
            if let literal = literalLength(endingAt: newline) {
                let next = newline + 1 + literal
                while buffer.count < next { try receive() }
                cursor = next
                continue
            }
            if buffer.starts(at: lineStart, with: tag) {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let completion = buffer.text(lineStart, newline - lineStart).trimmingCharacters(in: .newlines)
                let untagged = keep ? buffer.bytes(0..<lineStart) : []
                buffer.discard(upTo: newline + 1)
                guard completion.split(separator: " ").dropFirst().first == "OK" else {
                    throw Failure(description: "\(text.prefix(80)): \(completion)")
                }
                return Response(
                    untagged: untagged, untaggedCount: untaggedCount, completion: completion, seconds: seconds)
            }
            if buffer.starts(at: lineStart, with: [UInt8(ascii: "*"), 0x20]) { untaggedCount += 1 }
            lineStart = newline + 1
            cursor = lineStart
        }
    }

    /// Starts IDLE (RFC 2177) and returns once the server's `+` continuation arrived. Untagged
    /// responses sent before it are dropped.
    func idle() throws {
        counter += 1
        try send(Array("b\(counter) IDLE\r\n".utf8))
        while true {
            let (text, _) = try line()
            if text.hasPrefix("+") { return }
            if text.hasPrefix("b\(counter) ") { throw Failure(description: "IDLE: \(text)") }
        }
    }

    /// Ends IDLE with DONE and reads up to its tagged completion.
    func done() throws {
        try send(Array("DONE\r\n".utf8))
        while try !line().text.hasPrefix("b\(counter) ") {}
    }

    /// The next line (without CRLF; no literals expected, as during IDLE) and when the `recv`
    /// that completed it returned (`DispatchTime` nanoseconds).
    func line() throws -> (text: String, received: UInt64) {
        while true {
            if let newline = buffer.firstNewline() {
                let text = buffer.text(0, newline).trimmingCharacters(in: .newlines)
                buffer.discard(upTo: newline + 1)
                return (text, lastReceive)
            }
            try receive()
        }
    }

    /// LOGOUT, without waiting long for the answer (the socket closes when the client is released).
    func logOut() {
        _ = try? send(Array("z LOGOUT\r\n".utf8))
    }

    // MARK: Plumbing

    func send(_ bytes: [UInt8]) throws { try BlockingSocket.sendAll(fd, bytes) }

    /// One `recv` into the buffer, noting when it returned.
    private func receive() throws {
        try buffer.receive(from: fd)
        lastReceive = DispatchTime.now().uptimeNanoseconds
    }

    /// The n of a `{n}` (or `{n+}`) just before the CRLF at `newline`.
    private func literalLength(endingAt newline: Int) -> Int? {
        var end = newline
        if end > 0 && buffer[end - 1] == 0x0D { end -= 1 }
        guard end > 0, buffer[end - 1] == UInt8(ascii: "}") else { return nil }
        var position = end - 2
        var value = 0
        var scale = 1
        while position >= 0, buffer[position] >= 0x30, buffer[position] <= 0x39, scale <= 1_000_000_000 {
            value += Int(buffer[position] - 0x30) * scale
            scale *= 10
            position -= 1
        }
        guard position >= 0, buffer[position] == UInt8(ascii: "{"), scale > 1 else { return nil }
        return value
    }
}
