import LetterboxNet

/// One TLS endpoint (an OpenSSL `SSL`) plugged into a ``Connection``.
///
/// OpenSSL reads the non-blocking socket itself (no extra copy of what arrives); WANT_READ then
/// means "wait until the socket is readable", which the connection does on its event loop. What
/// OpenSSL writes goes to a memory BIO that the connection sends with `MSG_NOSIGNAL`, so
/// OpenSSL's own `write` never raises `SIGPIPE` in a host process. Without a socket, input comes
/// from ``receive(_:)`` (transports wired to each other in memory, in tests). The thread's
/// OpenSSL error queue is cleared before each call and read right after it, before the connection
/// can suspend. Not `Sendable`: owned by its connection's task.
package final class TLSTransport: ConnectionTransport {
    private let ssl: OpenSSL
    private let session: OpaquePointer
    /// The peer's bytes: the socket, or a memory BIO fed by ``receive(_:)`` (owned by `session`).
    private let incoming: OpaquePointer
    /// Ciphertext OpenSSL produced for the peer (owned by `session`).
    private let outgoing: OpaquePointer
    /// Whether OpenSSL reads the socket (otherwise ``receive(_:)`` feeds it).
    private let readsSocket: Bool
    private var failed = false
    private var established = false
    private static let readChunk = 65_536

    private static let errorSSL: Int32 = 1
    private static let wantRead: Int32 = 2
    private static let wantWrite: Int32 = 3
    private static let zeroReturn: Int32 = 6

    init(ssl: OpenSSL, context: OpaquePointer, isServer: Bool, socket: Int32?) throws(TLSError) {
        self.ssl = ssl
        self.readsSocket = socket != nil
        ssl.clearErrors()
        guard let session = ssl.SSL_new(context) else { throw TLSError("SSL_new failed: \(ssl.takeErrors())") }
        let noClose: Int32 = 0  // BIO_NOCLOSE: the connection closes its socket
        let input = socket.map { ssl.BIO_new_socket($0, noClose) } ?? ssl.BIO_new(ssl.BIO_s_mem())
        guard let incoming = input, let outgoing = ssl.BIO_new(ssl.BIO_s_mem()) else {
            ssl.SSL_free(session)
            throw TLSError("BIO_new failed: \(ssl.takeErrors())")
        }
        ssl.SSL_set_bio(session, incoming, outgoing)
        if isServer { ssl.SSL_set_accept_state(session) } else { ssl.SSL_set_connect_state(session) }
        self.session = session
        self.incoming = incoming
        self.outgoing = outgoing
    }

    deinit { ssl.SSL_free(session) }

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

    package func handshake() throws(NetError) -> Bool {
        try checkUsable()
        ssl.clearErrors()
        let result = ssl.SSL_do_handshake(session)
        if result == 1 {
            established = true
            return true
        }
        let code = ssl.SSL_get_error(session, result)
        if code == Self.wantRead || code == Self.wantWrite { return false }
        throw failure("TLS handshake failed", code: code)
    }

    /// Takes bytes from the peer (only for a transport made without a socket).
    package func receive(_ ciphertext: UnsafeRawBufferPointer) throws(NetError) {
        try checkUsable()
        guard !readsSocket else { throw NetError.transport("TLS input comes from the socket, not receive(_:)") }
        guard let base = ciphertext.baseAddress, !ciphertext.isEmpty else { return }
        ssl.clearErrors()
        // A memory BIO grows to take everything (it fails only when memory runs out).
        guard ssl.BIO_write(incoming, base, Int32(ciphertext.count)) == Int32(ciphertext.count) else {
            throw failure("TLS input buffer", code: Self.errorSSL)
        }
    }

    package func decode(into plaintext: inout [UInt8]) throws(NetError) -> Int {
        try checkUsable()
        var total = 0
        var peerClosed = false
        let outcome: Result<Void, NetError> = withUnsafeTemporaryAllocation(byteCount: Self.readChunk, alignment: 1) {
            chunk in
            while total < Self.readChunk {
                ssl.clearErrors()
                let count = ssl.SSL_read(session, chunk.baseAddress, Int32(chunk.count))
                if count > 0 {
                    plaintext.append(contentsOf: chunk[0..<Int(count)])
                    total += Int(count)
                    continue
                }
                let code = ssl.SSL_get_error(session, count)
                if code == Self.wantRead || code == Self.wantWrite { return .success(()) }
                if code == Self.zeroReturn {
                    peerClosed = true
                    return .success(())
                }
                return .failure(failure("TLS read failed", code: code))
            }
            return .success(())
        }
        try outcome.get()
        // The peer's close_notify ends the stream like a TCP FIN (after what came before it).
        if total == 0 && peerClosed { throw NetError.closed }
        return total
    }

    package func encode(_ plaintext: UnsafeRawBufferPointer) throws(NetError) {
        try checkUsable()
        guard let base = plaintext.baseAddress else { return }
        var offset = 0
        while offset < plaintext.count {
            ssl.clearErrors()
            let written = ssl.SSL_write(session, base + offset, Int32(min(plaintext.count - offset, Int(Int32.max))))
            guard written > 0 else { throw failure("TLS write failed", code: ssl.SSL_get_error(session, written)) }
            offset += Int(written)
        }
    }

    package func takeOutput() -> [UInt8] {
        let pending = ssl.BIO_ctrl_pending(outgoing)
        guard pending > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: pending) { buffer, initialized in
            initialized = Int(max(0, ssl.BIO_read(outgoing, buffer.baseAddress, Int32(pending))))
        }
    }

    package func close() {
        guard established, !failed else { return }
        ssl.clearErrors()
        _ = ssl.SSL_shutdown(session)
        ssl.clearErrors()
    }

    // MARK: Errors

    private func checkUsable() throws(NetError) {
        if failed { throw NetError.transport("TLS session already failed") }
    }

    /// Marks the session failed and describes why, from the error queue just filled.
    private func failure(_ step: String, code: Int32) -> NetError {
        failed = true
        let detail = ssl.takeErrors()
        return NetError.transport("\(step): \(code == Self.errorSSL ? detail : "SSL error \(code); \(detail)")")
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
