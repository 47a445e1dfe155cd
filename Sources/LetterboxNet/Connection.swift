#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A non-blocking TCP connection with a bounded read buffer and a batched write buffer.
///
/// Owned by one task at a time (it is not `Sendable`). Every read waits at most the idle timeout.
/// Replies are queued with ``write(_:)`` and sent when the connection is about to wait for input
/// (or by ``flush()``), so pipelined requests are answered in one system call.
package final class Connection {
    /// The peer's address as `host:port`.
    package let peer: String
    /// The local address as `host:port`.
    package let local: String
    /// How long a read or write may wait for the peer.
    package var idleTimeout: Duration

    private let loop: EventLoop
    private let registration: SocketRegistration
    private var input = InputBuffer()
    private var output: [UInt8] = []
    private var discardingLine = false
    private var closed = false
    /// Installed by ``startTransport(_:)`` (TLS); nil on the plaintext path.
    package private(set) var transport: (any ConnectionTransport)?
    /// The socket, for a transport that reads it (``ConnectionTransport``).
    package var descriptor: Int32 { registration.fd }

    package init(fd: Int32, loop: EventLoop, idleTimeout: Duration) throws(NetError) {
        self.loop = loop
        self.idleTimeout = idleTimeout
        self.peer = SocketAddress.peer(of: fd)?.description ?? "unknown"
        self.local = SocketAddress.local(of: fd)?.description ?? "unknown"
        self.registration = try loop.register(fd)
    }

    /// Connects to `host:port` (for clients, benchmarks and tests).
    package static func connect(
        host: String, port: Int, loop: EventLoop, idleTimeout: Duration = .seconds(30)
    ) throws(NetError) -> Connection {
        let fd = try Socket.connect(host: host, port: port)
        do {
            return try Connection(fd: fd, loop: loop, idleTimeout: idleTimeout)
        } catch {
            systemClose(fd)
            throw error
        }
    }

    deinit { if !closed { release() } }

    // MARK: Reading

    /// Calls `body` with the bytes received but not yet consumed (valid only during the call).
    package func withBuffered<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try input.withBytes(body)
    }

    /// Marks the first `count` buffered bytes as consumed.
    package func consume(_ count: Int) { input.consume(count) }

    /// Gives the input block back when nothing is buffered: before a long wait that reads
    /// nothing (an HTTP long poll), so a thousand waiting clients do not hold a block each.
    package func releaseInput() { input.releaseIfEmpty() }

    /// Receives more bytes into the buffer, waiting up to the idle timeout.
    ///
    /// - Parameter interruptible: a graceful shutdown may end this wait with ``NetError/shuttingDown``
    ///   (use it only between requests, when nothing would be lost).
    /// - Throws: ``NetError/closed`` at end of stream, ``NetError/idleTimeout``, or a system error.
    /// - Parameter wakeable: ``ConnectionHandle/wake()`` may end this wait with ``NetError/woken``.
    /// - Parameter awaitingCommand: the bytes awaited are a command line, which may be long in
    ///   coming: the input block is shrunk to what is buffered while waiting (message data keeps
    ///   it, for the next read).
    package func fill(interruptible: Bool = false, wakeable: Bool = false, awaitingCommand: Bool = false) async throws {
        if let transport {
            return try await fill(
                through: transport, interruptible: interruptible, wakeable: wakeable, awaitingCommand: awaitingCommand)
        }
        let deadline = MonotonicClock.deadline(after: idleTimeout)
        while true {
            let received = input.append { room in recv(registration.fd, room.baseAddress, room.count, 0) }
            if received > 0 { return }
            if received == 0 { throw NetError.closed }
            let code = errno
            guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else {
                throw NetError.system("recv", errno: code)
            }
            if code == EINTR { continue }
            // About to wait for the peer: send the replies queued so far first (this is what
            // batches pipelined replies: they go out together once the input runs dry).
            if !output.isEmpty {
                try await flush()
                continue
            }
            if awaitingCommand { input.shrinkForWaiting() }
            try await registration.wait(for: .read, deadline: deadline, interruptible: interruptible, wakeable: wakeable)
        }
    }

    /// ``fill(interruptible:wakeable:awaitingCommand:)`` through a transport: decode what it
    /// holds, else wait for the socket as the transport asks.
    private func fill(
        through transport: any ConnectionTransport, interruptible: Bool, wakeable: Bool, awaitingCommand: Bool
    ) async throws {
        let deadline = MonotonicClock.deadline(after: idleTimeout)
        while true {
            var progress = TransportProgress.moved(0)
            _ = try input.append { (room) throws(NetError) -> Int in
                progress = try transport.decode(into: room)
                guard case .moved(let count) = progress else { return 0 }
                return count
            }
            guard case .blocked(let wait) = progress else { return }
            if !output.isEmpty {
                try await flush()
                continue
            }
            if wait == .writable {
                try await registration.wait(for: .write, deadline: deadline, interruptible: false)
                continue
            }
            if awaitingCommand { input.shrinkForWaiting() }
            try await registration.wait(for: .read, deadline: deadline, interruptible: interruptible, wakeable: wakeable)
        }
    }

    /// Reads one line and returns it without its terminator (CRLF, or a bare LF).
    ///
    /// A line longer than `maxLength` throws ``NetError/lineTooLong``; the rest of that line is then
    /// discarded by the next read, so the caller can answer an error and carry on.
    package func readLine(maxLength: Int, interruptible: Bool = false, wakeable: Bool = false) async throws -> [UInt8] {
        while true {
            if let line = try takeLine(maxLength: maxLength) { return line }
            try await fill(interruptible: interruptible && input.count == 0, wakeable: wakeable, awaitingCommand: true)
        }
    }

    /// A complete line already buffered, without waiting; nil if none.
    package func takeLine(maxLength: Int) throws -> [UInt8]? {
        while true {
            let available = input.count
            let newline: Int? = input.withBytes { buffer in
                guard available > 0, let base = buffer.baseAddress else { return nil }
                guard let found = memchr(base, 0x0A, available) else { return nil }
                return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            guard let newline else {
                // maxLength octets and a CR may still be a complete line once its LF arrives.
                if available > maxLength + 1 {
                    // Keep discarding until the line ends; report the overflow once.
                    let report = !discardingLine
                    discardingLine = true
                    consume(available)
                    if report { throw NetError.lineTooLong }
                }
                return nil
            }
            let end = input.withBytes { newline > 0 && $0[newline - 1] == 0x0D ? newline - 1 : newline }
            if discardingLine || end > maxLength {
                let report = !discardingLine
                discardingLine = false
                consume(newline + 1)
                if report { throw NetError.lineTooLong }
                continue  // the end of an over-long line: the next line may already be here
            }
            let line = input.withBytes { Array($0[..<end]) }
            consume(newline + 1)
            return line
        }
    }

    /// Whether a complete line is already buffered (then replies can wait for it: pipelining).
    package var hasBufferedLine: Bool {
        input.withBytes { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return false }
            return memchr(base, 0x0A, buffer.count) != nil
        }
    }

    /// Reads and discards exactly `count` bytes.
    package func skip(_ count: Int) async throws {
        var remaining = count
        while remaining > 0 {
            if input.count == 0 { try await fill() }
            let take = min(remaining, input.count)
            consume(take)
            remaining -= take
        }
    }

    /// Reads exactly `count` bytes.
    package func readExactly(_ count: Int) async throws -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            if input.count == 0 { try await fill() }
            let take = min(count - result.count, input.count)
            input.withBytes { result.append(contentsOf: $0[..<take]) }
            consume(take)
        }
        return result
    }

    // MARK: Writing

    /// Queues bytes; nothing is sent until ``flush()``.
    package func write(_ bytes: some Sequence<UInt8>) {
        output.append(contentsOf: bytes)
    }

    /// Queues the UTF-8 bytes of `text`.
    package func write(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    /// Bytes queued and not yet flushed.
    package var pendingOutput: Int { output.count }

    /// Sends everything queued, waiting for the peer to read if needed.
    package func flush() async throws {
        guard !output.isEmpty else { return }
        let pending = output
        // Not removeAll(keepingCapacity:): `pending` shares the storage, so that would allocate a
        // second buffer as large, kept by an idle connection.
        output = []
        try await sendNow(pending)
    }

    /// Sends `bytes` after anything queued, without copying them into the write buffer.
    package func send(_ bytes: [UInt8]) async throws {
        try await flush()
        try await sendNow(bytes)
    }

    private func sendNow(_ bytes: [UInt8]) async throws {
        guard let transport else { return try await sendRaw(bytes) }
        var offset = 0
        let deadline = MonotonicClock.deadline(after: idleTimeout)
        while offset < bytes.count {
            let progress = try bytes.withUnsafeBytes { (raw) throws(NetError) in
                try transport.encode(UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
            switch progress {
            case .moved(let count): offset += count
            case .blocked(let wait):
                try await registration.wait(for: wait == .readable ? .read : .write, deadline: deadline, interruptible: false)
            }
        }
    }

    /// Sends bytes as they are, waiting for the socket to be writable when needed.
    private func sendRaw(_ bytes: [UInt8]) async throws {
        var offset = 0
        let deadline = MonotonicClock.deadline(after: idleTimeout)
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Socket.send(registration.fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if sent > 0 {
                offset += sent
                continue
            }
            let code = errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else { throw NetError.system("send", errno: code) }
            try await registration.wait(for: .write, deadline: deadline, interruptible: false)
        }
    }

    // MARK: Transport

    /// Installs `transport` (e.g. TLS) and runs its handshake; from then on every read and write
    /// goes through it.
    ///
    /// Queued output is sent first, as is (the reply that accepts STARTTLS). Input already
    /// buffered is discarded: after STARTTLS only what arrives through the transport may count,
    /// or an attacker could inject plaintext commands that seem to come over TLS (CVE-2011-0411).
    /// - Throws: ``NetError`` if the handshake fails or times out, or the peer leaves; the
    ///   connection should then be closed.
    package func startTransport(_ transport: any ConnectionTransport) async throws {
        try await flush()
        input.removeAll()
        input.releaseIfEmpty()
        discardingLine = false
        self.transport = transport
        let deadline = MonotonicClock.deadline(after: idleTimeout)
        while let wait = try transport.handshake() {
            try await registration.wait(for: wait == .readable ? .read : .write, deadline: deadline, interruptible: false)
        }
    }

    // MARK: Closing

    /// Whether a graceful shutdown has asked this connection to finish.
    package var isDraining: Bool { registration.isDraining }

    /// Sends what is queued, half-closes, drains the peer briefly, then closes.
    ///
    /// Draining before `close` keeps unread input from turning into an RST that would destroy the
    /// last reply in flight.
    package func close() async {
        guard !closed else { return }
        try? await flush()
        if let transport {
            if transport.close() == .writable,
                (try? await registration.wait(
                    for: .write, deadline: MonotonicClock.deadline(after: idleTimeout), interruptible: false)) != nil
            {
                _ = transport.close()
            }
            self.transport = nil  // what is drained below is discarded unread
        }
        shutdown(registration.fd, Int32(SHUT_WR))
        idleTimeout = .milliseconds(200)
        input.removeAll()
        var drained = 0
        while drained < 16, (try? await fill()) != nil {
            input.removeAll()
            drained += 1
        }
        release()
    }

    /// Closes at once: what is queued is discarded and nothing is drained, as if the server
    /// crashed. Unread input makes the kernel reset the connection. ``close()`` does nothing afterwards.
    package func closeAbruptly() {
        guard !closed else { return }
        output.removeAll()
        release()
    }

    /// Fails every wait on this connection at once (hard shutdown from another task).
    package var handle: ConnectionHandle { ConnectionHandle(registration: registration) }

    private func release() {
        closed = true
        loop.deregister(registration)
        registration.fail(with: NetError.closed)
        systemClose(registration.fd)
    }
}

/// A `Sendable` reference to a connection that another task uses to stop it.
package struct ConnectionHandle: Sendable {
    let registration: SocketRegistration

    /// Asks the connection to finish: its next wait between requests fails with `.shuttingDown`.
    package func drain() { registration.drain() }

    /// Fails every wait at once; the owning task then closes the connection.
    package func abort() { registration.fail(with: NetError.closed) }

    /// Ends a wakeable read with ``NetError/woken`` (now, or when the next one starts).
    package func wake() { registration.wake() }
}

#if canImport(Glibc)
    func systemClose(_ fd: Int32) { _ = Glibc.close(fd) }
#else
    func systemClose(_ fd: Int32) { _ = Darwin.close(fd) }
#endif
