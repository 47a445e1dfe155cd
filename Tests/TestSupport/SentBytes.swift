#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes sent on `fd` that the other end has not taken yet: for a socket pair, what its reader
/// has not read; for TCP, what the peer's kernel has not acknowledged (`TIOCOUTQ` on Linux,
/// `SO_NWRITE` elsewhere). -1 if it cannot tell.
public func unreadBytes(sentOn fd: Int32) -> Int {
    var count: Int32 = 0
    #if canImport(Glibc)
        guard ioctl(fd, UInt(TIOCOUTQ), &count) == 0 else { return -1 }
    #else
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_NWRITE, &count, &size) == 0 else { return -1 }
    #endif
    return Int(count)
}

/// Waits until the other end of every socket in `fds` has taken all that was sent on it (an
/// event, not a time: polled every 10 ms, up to `limit`, far beyond need).
///
/// - Returns: false if one still had bytes waiting at the limit, or if it cannot be told.
public func waitUntilTaken(sentOn fds: [Int32], limit: Duration = .seconds(30)) async -> Bool {
    let deadline = ContinuousClock.now + limit
    for fd in fds {
        while true {
            let unread = unreadBytes(sentOn: fd)
            if unread == 0 { break }
            guard unread > 0, ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
    return true
}
