/// A layer between a ``Connection``'s buffers and its socket that turns bytes on the wire into
/// bytes for the protocol and back, e.g. TLS (implemented in LetterboxTLS).
///
/// The transport reads the connection's non-blocking socket itself and never blocks; what it
/// produces for the peer is sent by the connection (``takeOutput()``), which also does all
/// waiting on the event loop. A protocol reads and writes the connection the same way whether or
/// not a transport is installed.
package protocol ConnectionTransport: AnyObject {
    /// Advances the handshake; true once it is complete, false when it needs the socket to become
    /// readable. Output to send is collected with ``takeOutput()``.
    func handshake() throws(NetError) -> Bool
    /// Appends decoded bytes to `plaintext` and returns how many; 0 when it needs the socket to
    /// become readable. Throws ``NetError/closed`` at the peer's end of stream.
    func decode(into plaintext: inout [UInt8]) throws(NetError) -> Int
    /// Encodes `plaintext` for the peer; the result is collected with ``takeOutput()``.
    func encode(_ plaintext: UnsafeRawBufferPointer) throws(NetError)
    /// Bytes waiting to be sent to the peer (handshake messages, records, alerts); empty if none.
    func takeOutput() -> [UInt8]
    /// Queues the orderly close (TLS `close_notify`) for ``takeOutput()``.
    func close()
}
