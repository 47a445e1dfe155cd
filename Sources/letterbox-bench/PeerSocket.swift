import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A raw loopback TCP connection for peers that do not follow a protocol: the fuzzer's sessions,
/// the soak's hostile peers and the probes that time a greeting. Every wait is bounded: connect,
/// send and receive give up after `timeout` seconds. Closes its socket when released.
final class PeerSocket {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let fd: Int32
    private var closed = false

    /// Connects to 127.0.0.1:`port`; throws when refused or not accepted within `timeout`.
    init(port: Int, timeout: Double) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed: errno \(errno)") }
        Self.setTimeout(fd, timeout)
        guard LoopbackPort.connect(fd, to: port) else {
            let error = errno
            Glibc.close(fd)
            closed = true
            throw Failure(description: "connect to port \(port) failed: errno \(error)")
        }
    }

    /// Takes over `fd`, a connected TCP socket (one a listener accepted).
    init(connected fd: Int32) { self.fd = fd }

    /// `count` connections to a listener of its own on 127.0.0.1: the connecting ends and the
    /// accepted ends, in the same order.
    static func pairs(_ count: Int, timeout: Double) throws -> [(client: PeerSocket, server: PeerSocket)] {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw Failure(description: "socket failed: errno \(errno)") }
        defer { Glibc.close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound, listen(listener, Int32(count)) == 0 else {
            throw Failure(description: "listen on 127.0.0.1 failed: errno \(errno)")
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        return try (0..<count).map { _ in
            let client = try PeerSocket(port: port, timeout: timeout)
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { throw Failure(description: "accept failed: errno \(errno)") }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            return (client, PeerSocket(connected: fd))
        }
    }

    deinit { close() }

    /// Sets both SO_RCVTIMEO and SO_SNDTIMEO (Linux applies the latter to connect too).
    static func setTimeout(_ fd: Int32, _ seconds: Double) {
        var limit = timeval(tv_sec: time_t(seconds), tv_usec: suseconds_t((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends every byte; false when the peer closed or the send timed out.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.send(fd, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Sends what it can without waiting; false when the peer is gone (not when its buffer is full).
    @discardableResult
    func sendWithoutWaiting(_ bytes: [UInt8]) -> Bool {
        let sent = bytes.withUnsafeBytes { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            return Glibc.send(fd, base, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
        return sent >= 0 || errno == EAGAIN || errno == EWOULDBLOCK
    }

    /// Receives until `done` says the bytes so far are complete, the peer closes, or a wait times
    /// out; returns what arrived (`complete` false unless `done` agreed).
    func receive(until done: ([UInt8]) -> Bool) -> (bytes: [UInt8], complete: Bool) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while !done(received) {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return (received, false) }
            received += chunk[0..<count]
        }
        return (received, true)
    }

    /// The first line the peer sends (CRLF included), or nil when it closes or times out first.
    func firstLine() -> String? {
        let (bytes, complete) = receive { $0.last == 0x0A }
        return complete ? String(decoding: bytes, as: UTF8.self) : nil
    }

    /// Reads and discards replies until the peer closes, nothing arrives for `quiet` seconds, or
    /// `limit` seconds have passed; returns the number of bytes read.
    func drain(quiet: Double, limit: Double) -> Int {
        Self.setTimeout(fd, quiet)
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(limit * 1e9)
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while DispatchTime.now().uptimeNanoseconds < end {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { break }
            total += count
        }
        return total
    }

    /// Closes at once with a reset (SO_LINGER 0) instead of an orderly FIN: a peer that vanishes.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    /// Half-closes: the peer reads end of file, replies can still arrive.
    func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }
}
