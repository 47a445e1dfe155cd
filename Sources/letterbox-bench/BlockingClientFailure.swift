#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a blocking bench client (SMTP, POP3, IMAP, HTTP) gave up: a refused connection, a reply
/// it did not expect, a closed or silent peer.
struct BlockingClientFailure: Error, CustomStringConvertible {
    let description: String
}

/// The socket calls the blocking bench clients share.
enum BlockingSocket {
    /// Sends every byte of `bytes`, waiting as long as the socket's send timeout allows.
    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(BlockingClientFailure) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.send(fd, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw BlockingClientFailure(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }
}
