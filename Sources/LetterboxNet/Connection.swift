#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A non-blocking TCP connection with a bounded read buffer and a batched write buffer.
///
/// Owned by one task at a time (it is not `Sendable`). Every wait for the peer has a deadline set
/// by ``timeouts`` (see ``ConnectionTimeouts``): silence between commands, a command line from its
/// first byte, a transfer's minimum rate, and the time before login. Replies are queued with
/// ``write(_:)`` and sent when the connection is about to wait for input (or by ``flush()``), so
/// pipelined requests are answered in one system call.
///
/// What a peer can make the connection hold or do without reading is bounded: queued output is
/// sent once it passes ``outputLimit`` (the send then waits for the peer, up to the send deadline),
/// every ``linesPerTurn`` lines the loop's other connections get a turn, and once a send has
/// failed (the peer reset or left) every later read and send fails at once, so pipelined commands
/// still buffered are not run for nobody.
package final class Connection {
    /// Queued output past which ``readLine(maxLength:interruptible:wakeable:continuing:)`` (and
    /// ``flushIfFull()``) sends it before going on. 128 KiB: far more than a pipelined batch of
    /// ordinary replies, a few socket buffers' worth of a large answer.
    package static let outputLimit = 128 * 1024
    /// How many lines ``readLine(maxLength:interruptible:wakeable:continuing:)`` returns before it
    /// sends what is queued and gives the event loop a turn (a peer with thousands of commands
    /// buffered would otherwise keep the loop until they are all run).
    package static let linesPerTurn = 64

    /// The peer's address as `host:port`.
    package let peer: String
    /// The local address as `host:port`.
    package let local: String
    /// The time budgets of every wait for the peer; a change applies to the waits that start after it.
    package var timeouts: ConnectionTimeouts

    private let loop: EventLoop
    private let registration: SocketRegistration
    private var input = InputBuffer()
    private var output: [UInt8] = []
    private var discardingLine = false
    private var closed = false
    /// When the login phase ends unless ``loggedIn()`` is called first; nil once logged in.
    private var loginDeadline: UInt64?
    /// When the first byte of the command being read arrived (or the transfer inside it ended).
    private var commandStart: UInt64?
    /// Whether the last ``readLine(maxLength:interruptible:wakeable:continuing:)`` ended with a
    /// line (or an over-long one); false while one was interrupted (woken) midway.
    private var lineEnded = true
    /// Why a send failed (the peer reset, left, or stopped reading): every later read and send
    /// throws it, and ``close()`` sends nothing more (it would wait for nothing).
    private var sendFailure: NetError?
    /// Lines returned since the event loop last had a turn (see ``linesPerTurn``).
    private var linesThisTurn = 0
    /// The transfer the reads of one command or transaction share (``beginSharedTransfer()``);
    /// nil while each transfer keeps its own clock.
    private var sharedTransfer: Transfer?
    /// Installed by ``startTransport(_:)`` (TLS); nil on the plaintext path.
    package private(set) var transport: (any ConnectionTransport)?
    /// The socket, for a transport that reads it (``ConnectionTransport``).
    package var descriptor: Int32 { registration.fd }

    package init(fd: Int32, loop: EventLoop, timeouts: ConnectionTimeouts) throws(NetError) {
        self.loop = loop
        self.timeouts = timeouts
        self.loginDeadline = timeouts.login.map { MonotonicClock.deadline(after: $0) }
        self.peer = SocketAddress.peer(of: fd)?.description ?? "unknown"
        self.local = SocketAddress.local(of: fd)?.description ?? "unknown"
        self.registration = try loop.register(fd)
    }

    /// A connection whose every wait has the same `idleTimeout` (clients and tests).
    package convenience init(fd: Int32, loop: EventLoop, idleTimeout: Duration) throws(NetError) {
        try self.init(fd: fd, loop: loop, timeouts: ConnectionTimeouts(idle: idleTimeout))
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

    // MARK: Time budgets

    /// Ends the login phase: from now on only the idle, line and transfer budgets apply. The
    /// protocol calls it once the peer has logged in (or, for SMTP, greeted).
    package func loggedIn() { loginDeadline = nil }

    /// Whether the connection is still in its login phase (``ConnectionTimeouts/login``).
    package var awaitsLogin: Bool { loginDeadline != nil }

    /// A point in time and the error its passing means.
    struct Deadline {
        var at: UInt64
        var reason: NetError
    }

    /// `deadline`, or the login deadline when that comes first.
    private func bounded(_ at: UInt64, _ reason: NetError) -> Deadline {
        if let login = loginDeadline, login < at { return Deadline(at: login, reason: .loginTimeout) }
        return Deadline(at: at, reason: reason)
    }

    private func idleDeadline() -> Deadline { bounded(MonotonicClock.deadline(after: timeouts.idle), .idleTimeout) }

    /// The deadline of the next wait in `transfer`: its rate allowance, or the idle timeout when
    /// that comes first (no single wait lasts longer).
    private func deadline(of transfer: Transfer, sending: Bool = false) -> Deadline {
        let idle = MonotonicClock.deadline(after: timeouts.idle)
        guard let rate = timeouts.minimumRate, rate > 0 else {
            return bounded(idle, sending ? .sendTimeout : .idleTimeout)
        }
        let seconds = Double(transfer.bytes) / Double(rate)
        let earned = seconds < 1e9 ? UInt64(seconds * 1e9) : UInt64(1e18)
        let allowance = transfer.start &+ MonotonicClock.nanoseconds(in: timeouts.transferGrace) &+ earned
        if sending { return bounded(min(allowance, idle), .sendTimeout) }
        return allowance < idle ? bounded(allowance, .transferTimeout) : bounded(idle, .idleTimeout)
    }

    /// Throws the deadline's reason once it has passed: before every read of the socket, so the
    /// bytes a peer sends after its deadline are never read, whether they are already waiting in
    /// the socket or come while the read waits (and however late the task runs after the deadline).
    private func check(_ deadline: Deadline) throws(NetError) {
        if deadline.at <= MonotonicClock.nanoseconds() { throw deadline.reason }
    }

    /// Waits for the socket; a deadline that passes throws its reason.
    private func wait(
        for direction: SocketRegistration.Direction, until deadline: Deadline, interruptible: Bool = false,
        wakeable: Bool = false
    ) async throws {
        // A deadline already past ends the wait before it starts: the loop checks parked waiters
        // only at its sweeps, after the readiness it just saw, so a peer whose next bytes always
        // come before a sweep would otherwise never meet a deadline that passed before the wait.
        try check(deadline)
        do {
            try await registration.wait(
                for: direction, deadline: deadline.at, interruptible: interruptible, wakeable: wakeable)
        } catch let error as NetError where error == .idleTimeout {
            throw deadline.reason
        }
    }

    /// The progress of one bulk transfer (message data, a literal, a body) against the minimum
    /// rate of ``ConnectionTimeouts``; made by ``beginTransfer()``, advanced by ``fill(_:)``.
    package struct Transfer {
        let start: UInt64
        /// Bytes received (or sent) so far.
        package fileprivate(set) var bytes = 0
    }

    /// Starts the clock of a transfer that is about to be received (or, inside a shared transfer,
    /// carries on with that one).
    package func beginTransfer() -> Transfer { sharedTransfer ?? Transfer(start: MonotonicClock.nanoseconds()) }

    /// Makes the transfers that follow count as one for the minimum rate, until
    /// ``endSharedTransfer()``: the literals of one IMAP command, the BDAT chunks of one message.
    /// Its clock starts now and keeps running between them, and the waits for the lines in
    /// between end at its allowance too, so a peer cannot restart the grace with every small piece
    /// (a 10 MB message in 1 KB chunks would otherwise get a grace per chunk). Nothing happens
    /// while one is already open.
    package func beginSharedTransfer() {
        if sharedTransfer == nil { sharedTransfer = Transfer(start: MonotonicClock.nanoseconds()) }
    }

    /// Ends the shared transfer, if any: the next transfer starts a clock of its own.
    package func endSharedTransfer() { sharedTransfer = nil }

    /// Receives more bytes of `transfer` into the buffer.
    ///
    /// - Throws: ``NetError/transferTimeout`` when the peer falls below the minimum rate,
    ///   ``NetError/idleTimeout`` after a silence of the idle timeout, ``NetError/closed`` at end
    ///   of stream, or a system error.
    package func fill(_ transfer: inout Transfer) async throws {
        transfer.bytes += try await fill(
            until: deadline(of: transfer), interruptible: false, wakeable: false, awaitingCommand: false)
    }

    /// A transfer inside a command ended: a line that continues the command is timed from here,
    /// and a shared transfer goes on from where this one left it.
    private func transferEnded(_ transfer: Transfer) {
        if commandStart != nil { commandStart = MonotonicClock.nanoseconds() }
        if sharedTransfer != nil { sharedTransfer = transfer }
    }

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
    /// - Throws: ``NetError/closed`` at end of stream, ``NetError/idleTimeout`` (or
    ///   ``NetError/loginTimeout``), or a system error.
    /// - Parameter wakeable: ``ConnectionHandle/wake()`` may end this wait with ``NetError/woken``.
    /// - Parameter awaitingCommand: the bytes awaited are a command line, which may be long in
    ///   coming: the input block is shrunk to what is buffered while waiting (message data keeps
    ///   it, for the next read).
    package func fill(interruptible: Bool = false, wakeable: Bool = false, awaitingCommand: Bool = false) async throws {
        try await fill(
            until: idleDeadline(), interruptible: interruptible, wakeable: wakeable, awaitingCommand: awaitingCommand)
    }

    /// Receives more bytes into the buffer, waiting until `deadline`; returns how many arrived.
    @discardableResult
    func fill(until deadline: Deadline, interruptible: Bool, wakeable: Bool, awaitingCommand: Bool)
        async throws -> Int
    {
        if let sendFailure { throw sendFailure }
        if let transport {
            return try await fill(
                through: transport, until: deadline, interruptible: interruptible, wakeable: wakeable,
                awaitingCommand: awaitingCommand)
        }
        while true {
            try check(deadline)
            let received = input.append { room in recv(registration.fd, room.baseAddress, room.count, 0) }
            if received > 0 { return received }
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
            try await wait(for: .read, until: deadline, interruptible: interruptible, wakeable: wakeable)
        }
    }

    /// ``fill(until:interruptible:wakeable:awaitingCommand:)`` through a transport: decode what it
    /// holds, else wait for the socket as the transport asks.
    private func fill(
        through transport: any ConnectionTransport, until deadline: Deadline, interruptible: Bool, wakeable: Bool,
        awaitingCommand: Bool
    ) async throws -> Int {
        while true {
            try check(deadline)
            var progress = TransportProgress.moved(0)
            _ = try input.append { (room) throws(NetError) -> Int in
                progress = try transport.decode(into: room)
                guard case .moved(let count) = progress else { return 0 }
                return count
            }
            guard case .blocked(let wait) = progress else {
                guard case .moved(let count) = progress else { return 0 }
                return count
            }
            if !output.isEmpty {
                try await flush()
                continue
            }
            if wait == .writable {
                try await self.wait(for: .write, until: deadline)
                continue
            }
            if awaitingCommand {
                input.shrinkForWaiting()
                transport.releaseBuffers()
            }
            try await self.wait(for: .read, until: deadline, interruptible: interruptible, wakeable: wakeable)
        }
    }

    /// Reads one line and returns it without its terminator (CRLF, or a bare LF).
    ///
    /// Until its first byte the wait lasts up to the idle timeout; from its first byte the whole
    /// line must arrive within ``ConnectionTimeouts/line``, however the peer spaces its bytes.
    /// A line longer than `maxLength` throws ``NetError/lineTooLong``; the rest of that line is then
    /// discarded by the next read, so the caller can answer an error and carry on.
    ///
    /// - Parameter continuing: the line continues a command already begun (an HTTP header line,
    ///   an IMAP line after a literal): there is no idle wait for its first byte, and it must end
    ///   within the line deadline counted from the command's first byte, or from the end of the
    ///   transfer read just before it.
    /// - Throws: ``NetError/lineTimeout`` when the line deadline passes, ``NetError/idleTimeout``
    ///   or ``NetError/loginTimeout``, ``NetError/lineTooLong``, and what ``fill()`` throws.
    package func readLine(
        maxLength: Int, interruptible: Bool = false, wakeable: Bool = false, continuing: Bool = false
    ) async throws -> [UInt8] {
        try await takeTurn()
        let entered = MonotonicClock.nanoseconds()
        if continuing {
            if commandStart == nil { commandStart = entered }
        } else if lineEnded {
            commandStart = nil
        }
        lineEnded = false
        let idle = bounded(entered &+ MonotonicClock.nanoseconds(in: timeouts.idle), .idleTimeout)
        while true {
            do {
                if let line = try takeLine(maxLength: maxLength) {
                    lineEnded = true
                    return line
                }
            } catch {
                lineEnded = true
                throw error
            }
            if commandStart == nil && (input.count > 0 || discardingLine) {
                commandStart = MonotonicClock.nanoseconds()
            }
            var deadline =
                commandStart.map { bounded($0 &+ MonotonicClock.nanoseconds(in: timeouts.line), .lineTimeout) } ?? idle
            // Inside a shared transfer the lines between its pieces count against its rate too.
            if let sharedTransfer {
                let allowance = self.deadline(of: sharedTransfer)
                if allowance.at < deadline.at { deadline = allowance }
            }
            try await fill(
                until: deadline, interruptible: interruptible && input.count == 0, wakeable: wakeable,
                awaitingCommand: true)
            // The command's first bytes have arrived: a whole line in one read starts its clock too,
            // so the lines that continue it share the deadline from here.
            if commandStart == nil { commandStart = MonotonicClock.nanoseconds() }
        }
    }

    /// Before each line: fails at once after a failed send; sends queued output past
    /// ``outputLimit``; and every ``linesPerTurn`` lines checks whether the peer has reset, sends
    /// what is queued (a send to a peer that left fails) and lets the loop's other connections run.
    private func takeTurn() async throws {
        if let sendFailure { throw sendFailure }
        linesThisTurn += 1
        guard linesThisTurn >= Self.linesPerTurn else { return try await flushIfFull() }
        linesThisTurn = 0
        if let reset = pendingSocketError() {
            sendFailure = reset
            throw reset
        }
        try await flush()
        await Task.yield()
    }

    /// The error the kernel holds for the socket (`ECONNRESET` after the peer reset it), if any.
    /// Reading it clears it, so it is kept as ``sendFailure`` by the caller.
    private func pendingSocketError() -> NetError? {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(registration.fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0, code != 0 else { return nil }
        return NetError.system("connection", errno: code)
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

    /// Reads and discards exactly `count` bytes: a transfer, at the minimum rate.
    package func skip(_ count: Int) async throws {
        var transfer = beginTransfer()
        var remaining = count
        while remaining > 0 {
            if input.count == 0 { try await fill(&transfer) }
            let take = min(remaining, input.count)
            consume(take)
            remaining -= take
        }
        transferEnded(transfer)
    }

    /// Reads exactly `count` bytes: a transfer, at the minimum rate.
    package func readExactly(_ count: Int) async throws -> [UInt8] {
        var transfer = beginTransfer()
        var result: [UInt8] = []
        while result.count < count {
            if input.count == 0 { try await fill(&transfer) }
            let take = min(count - result.count, input.count)
            // Room as the bytes arrive, not for the count announced (a peer may send none of it).
            result.reserveForArrival(of: take, expected: count)
            input.withBytes { result.append(contentsOf: $0[..<take]) }
            consume(take)
        }
        transferEnded(transfer)
        return result
    }

    /// Waits, reading nothing, until ``ConnectionHandle/wake()`` (then throws ``NetError/woken``)
    /// or until the peer closes or resets the connection (then throws ``NetError/closed``).
    ///
    /// For a long poll: a client that gives up frees its connection at once instead of at the
    /// poll's timeout. What the peer sends meanwhile (a pipelined request) stays in the socket for
    /// the next read; a close behind such bytes is only noticed by that read.
    ///
    /// Plaintext connections only: it peeks at the socket, where a TLS connection has records,
    /// not the peer's bytes (HTTP, its only user, has no TLS).
    /// - Parameter interruptible: a graceful shutdown ends the wait with ``NetError/shuttingDown``
    ///   (an endless event stream, which has no answer to finish).
    package func awaitWakeOrHangUp(interruptible: Bool = false) async throws -> Never {
        precondition(transport == nil, "awaitWakeOrHangUp reads the socket, not a TLS connection's records")
        while true {
            var byte: UInt8 = 0
            let peeked = recv(registration.fd, &byte, 1, Int32(MSG_PEEK))
            if peeked == 0 { throw NetError.closed }
            if peeked < 0 {
                let code = errno
                if code == EINTR { continue }
                // A reset, or any failure: the peer is gone as far as this wait is concerned.
                guard code == EAGAIN || code == EWOULDBLOCK else { throw NetError.closed }
            }
            try await wait(
                for: .read, until: Deadline(at: .max, reason: .idleTimeout), interruptible: interruptible,
                wakeable: true)
        }
    }

    // MARK: Writing

    /// Queues bytes. They are sent by ``flush()``, before the connection waits for input, or
    /// before the next line is read once more than ``outputLimit`` is queued.
    package func write(_ bytes: some Sequence<UInt8>) {
        output.append(contentsOf: bytes)
    }

    /// Queues the UTF-8 bytes of `text`.
    package func write(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    /// Bytes queued and not yet flushed.
    package var pendingOutput: Int { output.count }

    /// Sends what is queued once it passes ``outputLimit`` (a long answer being built piece by
    /// piece, such as an IMAP FETCH of many messages), so it is never held whole.
    package func flushIfFull() async throws {
        if let sendFailure { throw sendFailure }
        if output.count >= Self.outputLimit { try await flush() }
    }

    /// Takes a piece of a long answer built piece by piece (an IMAP FETCH of many messages): a
    /// piece of ``outputLimit`` or more is sent at once, after what is queued and without being
    /// copied; a smaller one is queued, and the queue sent once it passes ``outputLimit``. Either
    /// way it returns once the peer has taken what had to be sent, so the builder is held back by
    /// a slow reader and nothing grows without bound.
    package func writePiece(_ piece: [UInt8]) async throws {
        guard piece.count < Self.outputLimit else { return try await send(piece) }
        write(piece)
        try await flushIfFull()
    }

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

    /// Sends `bytes`: a transfer, so a peer that reads too slowly is dropped at the minimum rate.
    /// A failure is kept: the connection is unusable from then on (see ``sendFailure``).
    private func sendNow(_ bytes: [UInt8]) async throws {
        if let sendFailure { throw sendFailure }
        do {
            if let transport {
                try await send(bytes, through: transport)
            } else {
                try await sendRaw(bytes)
            }
        } catch let error as NetError {
            sendFailure = error
            throw error
        }
    }

    /// Sends `bytes` through `transport` (TLS), waiting for the socket as it asks.
    private func send(_ bytes: [UInt8], through transport: any ConnectionTransport) async throws {
        var offset = 0
        var transfer = Transfer(start: MonotonicClock.nanoseconds())  // a send has a clock of its own
        while offset < bytes.count {
            let progress = try bytes.withUnsafeBytes { (raw) throws(NetError) in
                try transport.encode(UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
            switch progress {
            case .moved(let count): offset += count
            case .blocked(let wait):
                transfer.bytes = offset
                try await self.wait(
                    for: wait == .readable ? .read : .write, until: deadline(of: transfer, sending: true))
            }
        }
    }

    /// Sends bytes as they are, waiting for the socket to be writable when needed.
    private func sendRaw(_ bytes: [UInt8]) async throws {
        var offset = 0
        var transfer = Transfer(start: MonotonicClock.nanoseconds())  // a send has a clock of its own
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
            transfer.bytes = offset
            try await wait(for: .write, until: deadline(of: transfer, sending: true))
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
        // A handshake is one exchange, timed like a command line.
        let deadline = bounded(MonotonicClock.deadline(after: timeouts.line), .lineTimeout)
        while let wait = try transport.handshake() {
            try await self.wait(for: wait == .readable ? .read : .write, until: deadline)
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
        if sendFailure != nil { return closeAbruptly() }
        loginDeadline = nil  // the last reply (perhaps the login timeout's) still goes out
        try? await flush()
        if let transport {
            // A peer that does not read gets a few seconds, not the line timeout (nginx's lingering
            // close waits 5 s for a slow peer the same way).
            let deadline = Deadline(at: MonotonicClock.deadline(after: Self.closeNotifyWait), reason: .lineTimeout)
            if transport.close() == .writable, (try? await wait(for: .write, until: deadline)) != nil {
                _ = transport.close()
            }
            self.transport = nil  // what is drained below is discarded unread
        }
        shutdown(registration.fd, Int32(SHUT_WR))
        input.removeAll()
        var drained = 0
        while drained < 16,
            (try? await fill(
                until: Deadline(at: MonotonicClock.deadline(after: .milliseconds(200)), reason: .idleTimeout),
                interruptible: false, wakeable: false, awaitingCommand: false)) != nil
        {
            input.removeAll()
            drained += 1
        }
        release()
    }

    /// How long ``close()`` waits for the socket to take the TLS `close_notify`.
    static let closeNotifyWait = Duration.seconds(5)

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
