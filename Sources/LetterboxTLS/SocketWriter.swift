import LetterboxNet

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A BIO (OpenSSL's I/O object) that sends what OpenSSL writes for the peer straight to a
/// connection's socket with ``Socket/send(_:_:_:more:)``.
///
/// OpenSSL's own socket BIO uses `write`, which raises `SIGPIPE` when the peer has left, and a
/// library embedded in a test process must not change that process's signal dispositions; this one
/// sends with `MSG_NOSIGNAL`, so a departed peer is an `EPIPE` error. Records go to the kernel
/// from OpenSSL's buffer as they are sealed, without a copy through a memory BIO. A socket that is
/// full is a retryable write (`SSL_ERROR_WANT_WRITE`), waited for on the event loop.
enum SocketWriter {
    typealias WriteFunction = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32
    typealias ControlFunction = @convention(c) (OpaquePointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int

    /// Where one BIO sends, owned by its ``TLSTransport`` (which outlives the BIO).
    struct Target {
        let socket: Int32
        /// More records follow at once: the kernel may hold a partial segment for them (`MSG_MORE`).
        var more = false
    }

    /// A BIO sending to `target`, or nil (with OpenSSL's error queue filled) if one cannot be made.
    static func make(_ ssl: OpenSSL, target: UnsafeMutablePointer<Target>) -> OpaquePointer? {
        guard let method = method, let bio = ssl.BIO_new(method) else { return nil }
        ssl.BIO_set_data(bio, UnsafeMutableRawPointer(target))
        ssl.BIO_set_init(bio, 1)
        return bio
    }

    // BIO_FLAGS_* and BIO_CTRL_* from <openssl/bio.h>.
    private static let retryFlags: Int32 = 0x0F  // BIO_FLAGS_RWS | BIO_FLAGS_SHOULD_RETRY
    private static let retryWriteFlags: Int32 = 0x0A  // BIO_FLAGS_WRITE | BIO_FLAGS_SHOULD_RETRY
    private static let sourceSinkType: Int32 = 0x0400  // BIO_TYPE_SOURCE_SINK
    private static let flushControl: Int32 = 11  // BIO_CTRL_FLUSH

    /// The BIO method, made once per process and never freed (BIOs made from it may live as long).
    private nonisolated(unsafe) static let method: OpaquePointer? = {
        guard case .success(let ssl) = OpenSSL.shared,
            let method = ssl.BIO_meth_new(ssl.BIO_get_new_index() | sourceSinkType, "letterbox socket writer")
        else { return nil }
        let write: WriteFunction = { bio, bytes, count in
            guard case .success(let ssl) = OpenSSL.shared, let bytes,
                let target = ssl.BIO_get_data(bio)?.assumingMemoryBound(to: Target.self)
            else { return -1 }
            ssl.BIO_clear_flags(bio, SocketWriter.retryFlags)
            while true {
                let sent = Socket.send(target.pointee.socket, bytes, Int(count), more: target.pointee.more)
                if sent >= 0 { return Int32(sent) }
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { ssl.BIO_set_flags(bio, SocketWriter.retryWriteFlags) }
                return -1
            }
        }
        // Nothing is ever buffered here: a flush (after each handshake flight) has nothing to do.
        let control: ControlFunction = { _, command, _, _ in command == SocketWriter.flushControl ? 1 : 0 }
        guard ssl.BIO_meth_set_write(method, write) == 1, ssl.BIO_meth_set_ctrl(method, control) == 1 else {
            return nil
        }
        return method
    }()
}
