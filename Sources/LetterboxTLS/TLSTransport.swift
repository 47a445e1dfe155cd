package import LetterboxNet

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One TLS endpoint (an OpenSSL `SSL`) plugged into a ``Connection``.
///
/// OpenSSL reads the non-blocking socket itself and decrypts into the connection's input buffer;
/// it writes each sealed record straight to the socket through a ``SocketWriter`` (`send` with
/// `MSG_NOSIGNAL`, so a departed peer never raises `SIGPIPE` in a host process). WANT_READ and
/// WANT_WRITE become ``TransportWait``s the connection waits for on its event loop. Without a
/// socket, input comes from ``receive(_:)`` and output is collected with ``takeOutput()``
/// (transports wired to each other in memory, in tests). The thread's OpenSSL error queue is
/// cleared before each call and read right after it, before the connection can suspend. Not
/// `Sendable`: owned by its connection's task.
package final class TLSTransport: ConnectionTransport {
    private let ssl: OpenSSL
    private let session: OpaquePointer
    /// The peer's bytes: the socket, or a memory BIO fed by ``receive(_:)`` (owned by `session`).
    private let incoming: OpaquePointer
    /// Bytes for the peer: the socket (through a ``SocketWriter``), or a memory BIO read by
    /// ``takeOutput()`` (owned by `session`).
    private let outgoing: OpaquePointer
    /// The socket writer's target; nil without a socket.
    private let target: UnsafeMutablePointer<SocketWriter.Target>?
    private var failed = false
    /// A read failure that came after plaintext decoded in the same call: reported by the next
    /// call, once that plaintext is consumed (as a socket reports a reset after the data before it).
    private var deferredFailure: NetError?
    private var established = false
    /// The most plaintext one record carries (RFC 8446 §5.1; RFC 5246 §6.2.1): the unit `encode` writes.
    private static let recordSize = 16_384

    private static let errorSSL: Int32 = 1
    private static let wantRead: Int32 = 2
    private static let wantWrite: Int32 = 3
    private static let errorSyscall: Int32 = 5
    private static let zeroReturn: Int32 = 6

    init(ssl: OpenSSL, context: OpaquePointer, isServer: Bool, socket: Int32?) throws(TLSError) {
        self.ssl = ssl
        ssl.clearErrors()
        guard let session = ssl.SSL_new(context) else { throw TLSError("SSL_new failed: \(ssl.takeErrors())") }
        var target: UnsafeMutablePointer<SocketWriter.Target>?
        var input: OpaquePointer?
        var output: OpaquePointer?
        if let socket {
            let writerTarget = UnsafeMutablePointer<SocketWriter.Target>.allocate(capacity: 1)
            writerTarget.initialize(to: SocketWriter.Target(socket: socket))
            target = writerTarget
            input = ssl.BIO_new_socket(socket, 0)  // BIO_NOCLOSE: the connection closes its socket
            output = SocketWriter.make(ssl, target: writerTarget)
        } else {
            input = ssl.BIO_new(ssl.BIO_s_mem())
            output = ssl.BIO_new(ssl.BIO_s_mem())
        }
        guard let incoming = input, let outgoing = output else {
            let reason = ssl.takeErrors()
            if let input { _ = ssl.BIO_free(input) }
            if let output { _ = ssl.BIO_free(output) }
            target?.deallocate()
            ssl.SSL_free(session)
            throw TLSError("BIO_new failed: \(reason)")
        }
        ssl.SSL_set_bio(session, incoming, outgoing)
        if isServer { ssl.SSL_set_accept_state(session) } else { ssl.SSL_set_connect_state(session) }
        self.session = session
        self.incoming = incoming
        self.outgoing = outgoing
        self.target = target
    }

    deinit {
        ssl.SSL_free(session)  // and its BIOs, before the writer's target goes
        target?.deallocate()
    }

    /// The negotiated protocol version, e.g. `TLSv1.3`; nil before the handshake completes.
    package var protocolVersion: String? {
        guard established, let name = ssl.SSL_get_version(session) else { return nil }
        return String(cString: name)
    }

    /// The negotiated cipher suite, e.g. `TLS_AES_256_GCM_SHA384`; nil before the handshake completes.
    package var cipher: String? {
        guard established, let name = ssl.SSL_CIPHER_get_name(ssl.SSL_get_current_cipher(session)) else { return nil }
        return String(cString: name)
    }

    // MARK: ConnectionTransport

    package func handshake() throws(NetError) -> TransportWait? {
        try checkUsable()
        ssl.clearErrors()
        let result = ssl.SSL_do_handshake(session)
        if result == 1 {
            established = true
            return nil
        }
        let code = ssl.SSL_get_error(session, result)
        if let wait = Self.wait(for: code) { return wait }
        throw failure("TLS handshake failed", code: code)
    }

    package func decode(into buffer: UnsafeMutableRawBufferPointer) throws(NetError) -> TransportProgress {
        if let failure = deferredFailure {
            deferredFailure = nil
            throw failure
        }
        try checkUsable()
        guard let base = buffer.baseAddress, !buffer.isEmpty else { preconditionFailure("no room to decode into") }
        var total = 0
        // One record per SSL_read; OpenSSL's read-ahead takes several per recv.
        while total < buffer.count {
            ssl.clearErrors()
            let count = ssl.SSL_read(session, base + total, Int32(clamping: buffer.count - total))
            if count > 0 {
                total += Int(count)
                continue
            }
            let code = ssl.SSL_get_error(session, count)
            if let wait = Self.wait(for: code) { return total > 0 ? .moved(total) : .blocked(wait) }
            // The peer's close_notify ends the stream like a TCP FIN (after what came before it).
            if code == Self.zeroReturn {
                if total > 0 { return .moved(total) }
                throw NetError.closed
            }
            // Read the error queue now, before any suspension; keep what was decoded before it.
            let failure = failure("TLS read failed", code: code)
            guard total > 0 else { throw failure }
            deferredFailure = failure
            return .moved(total)
        }
        return .moved(total)
    }

    package func encode(_ plaintext: UnsafeRawBufferPointer) throws(NetError) -> TransportProgress {
        try checkUsable()
        guard let base = plaintext.baseAddress, !plaintext.isEmpty else { preconditionFailure("nothing to encode") }
        defer { target?.pointee.more = false }
        // One record per SSL_write, so the writer knows whether more follow (MSG_MORE): the
        // kernel then sends whole segments instead of one per record. After WANT_WRITE the caller
        // passes the same bytes again, so the retried SSL_write has the same length (OpenSSL
        // requires it; the buffer may move: SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER).
        var offset = 0
        while offset < plaintext.count {
            let piece = min(plaintext.count - offset, Self.recordSize)
            target?.pointee.more = offset + piece < plaintext.count
            ssl.clearErrors()
            let written = ssl.SSL_write(session, base + offset, Int32(piece))
            if written > 0 {
                offset += Int(written)
                continue
            }
            let code = ssl.SSL_get_error(session, written)
            if let wait = Self.wait(for: code) { return offset > 0 ? .moved(offset) : .blocked(wait) }
            throw failure("TLS write failed", code: code)
        }
        return .moved(offset)
    }

    /// Frees the session's record buffers (the 64 KiB read-ahead buffer and the write buffer)
    /// while it waits for a command, so an idle TLS session costs little more than a plaintext
    /// one; the next record allocates them again. OpenSSL keeps them while they hold data; on
    /// the versions where it did not (CVE-2024-4741) nothing is freed.
    package func releaseBuffers() {
        guard established, !failed, ssl.canFreeBuffers else { return }
        ssl.clearErrors()
        _ = ssl.SSL_free_buffers(session)
        ssl.clearErrors()
    }

    package func close() -> TransportWait? {
        guard established, !failed else { return nil }
        ssl.clearErrors()
        let result = ssl.SSL_shutdown(session)
        let blocked = result < 0 && ssl.SSL_get_error(session, result) == Self.wantWrite
        ssl.clearErrors()
        return blocked ? .writable : nil
    }

    // MARK: Without a socket

    /// Takes bytes from the peer (only for a transport made without a socket).
    package func receive(_ ciphertext: UnsafeRawBufferPointer) throws(NetError) {
        try checkUsable()
        guard target == nil else { throw NetError.transport("TLS input comes from the socket, not receive(_:)") }
        guard let base = ciphertext.baseAddress, !ciphertext.isEmpty else { return }
        ssl.clearErrors()
        // A memory BIO grows to take everything (it fails only when memory runs out).
        guard ssl.BIO_write(incoming, base, Int32(ciphertext.count)) == Int32(ciphertext.count) else {
            throw failure("TLS input buffer", code: Self.errorSSL)
        }
    }

    /// Bytes waiting for the peer (only for a transport made without a socket; with one, they
    /// have gone to the socket already).
    package func takeOutput() -> [UInt8] {
        guard target == nil else { return [] }
        let pending = ssl.BIO_ctrl_pending(outgoing)
        guard pending > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: pending) { buffer, initialized in
            initialized = Int(max(0, ssl.BIO_read(outgoing, buffer.baseAddress, Int32(pending))))
        }
    }

    // MARK: Errors

    private static func wait(for code: Int32) -> TransportWait? {
        switch code {
        case wantRead: .readable
        case wantWrite: .writable
        default: nil
        }
    }

    private func checkUsable() throws(NetError) {
        if failed { throw NetError.transport("TLS session already failed") }
    }

    /// Marks the session failed and describes why, from the error queue just filled (and `errno`
    /// for a failed system call, e.g. a peer that reset the connection).
    private func failure(_ step: String, code: Int32) -> NetError {
        let systemError = errno
        failed = true
        let detail = ssl.takeErrors()
        if code == Self.errorSSL { return NetError.transport("\(step): \(detail)") }
        let system = code == Self.errorSyscall && systemError != 0 ? " (\(String(cString: strerror(systemError))))" : ""
        return NetError.transport("\(step): SSL error \(code)\(system); \(detail)")
    }
}

extension Connection {
    /// Starts TLS on this connection: in place after STARTTLS/STLS (anything the client sent in
    /// plaintext after the command is discarded, CVE-2011-0411) or before the first byte for
    /// implicit TLS (RFC 8314). Queued replies go out in plaintext first.
    ///
    /// - Throws: ``NetError`` when the handshake fails, times out, or the peer leaves; the
    ///   connection is then unusable and should be closed.
    package func startTLS(_ context: TLSContext) async throws {
        let transport: TLSTransport
        do {
            transport = try context.makeTransport(socket: descriptor)
        } catch {
            throw NetError.transport(error.description)
        }
        try await startTransport(transport)
    }

    /// The TLS session in use, if any.
    package var tls: TLSTransport? { transport as? TLSTransport }
}
