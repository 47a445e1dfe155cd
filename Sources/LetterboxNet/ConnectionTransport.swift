/// A layer between a ``Connection``'s buffers and its socket that turns bytes on the wire into
/// bytes for the protocol and back, e.g. TLS (implemented in LetterboxTLS).
///
/// The connection does all socket I/O and waiting on the event loop; the transport only
/// transforms bytes and never blocks. A protocol reads and writes the connection the same way
/// whether or not a transport is installed.
package protocol ConnectionTransport: AnyObject {
    /// Advances the handshake with the input received so far; true once it is complete. Output to
    /// send is collected with ``takeOutput()``.
    func handshake() throws(NetError) -> Bool
    /// Takes bytes received from the peer.
    func receive(_ bytes: UnsafeRawBufferPointer) throws(NetError)
    /// Appends decoded bytes to `plaintext` and returns how many; 0 when more input is needed.
    /// Throws ``NetError/closed`` at the peer's orderly end of stream.
    func decode(into plaintext: inout [UInt8]) throws(NetError) -> Int
    /// Encodes `plaintext` for the peer; the result is collected with ``takeOutput()``.
    func encode(_ plaintext: UnsafeRawBufferPointer) throws(NetError)
    /// Bytes waiting to be sent to the peer (handshake messages, records, alerts); empty if none.
    func takeOutput() -> [UInt8]
    /// Queues the orderly close (TLS `close_notify`) for ``takeOutput()``.
    func close()
}
