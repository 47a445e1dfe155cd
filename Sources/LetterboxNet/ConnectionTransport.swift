/// A layer between a ``Connection``'s buffers and its socket that turns bytes on the wire into
/// bytes for the protocol and back, e.g. TLS (implemented in LetterboxTLS).
///
/// The transport reads and writes the connection's non-blocking socket itself and never blocks:
/// when the socket is not ready it says which readiness it needs, and the connection waits for
/// that on its event loop. A protocol reads and writes the connection the same way whether or not
/// a transport is installed.
package protocol ConnectionTransport: AnyObject {
    /// Advances the handshake: nil once it is complete, else what the socket must become first.
    func handshake() throws(NetError) -> TransportWait?
    /// Decodes what the peer sent into `buffer` (never more than it holds). Throws
    /// ``NetError/closed`` at the peer's end of stream.
    func decode(into buffer: UnsafeMutableRawBufferPointer) throws(NetError) -> TransportProgress
    /// Encodes and sends a prefix of `plaintext` (the caller passes the rest again later).
    func encode(_ plaintext: UnsafeRawBufferPointer) throws(NetError) -> TransportProgress
    /// Sends the orderly close (TLS `close_notify`): nil when done, `.writable` when the socket
    /// must drain first (then call it again).
    func close() -> TransportWait?
    /// Gives back buffers the transport can do without while the connection waits for a
    /// command (everything sent, nothing pending); they are allocated again when needed.
    func releaseBuffers()
}

extension ConnectionTransport {
    /// Nothing to give back by default.
    package func releaseBuffers() {}
}

/// What the socket must become before a transport can go on.
package enum TransportWait: Equatable, Sendable {
    case readable
    case writable
}

/// The outcome of a transport call that moves bytes.
package enum TransportProgress: Equatable, Sendable {
    /// This many bytes (more than zero) were decoded into the buffer, or taken from the plaintext.
    case moved(Int)
    /// Nothing moved; call again once the socket is ready.
    case blocked(TransportWait)
}
