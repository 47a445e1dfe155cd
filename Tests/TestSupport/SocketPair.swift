#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Two connected, non-blocking UNIX stream sockets: a connection pair without a listener or a port.
public struct SocketPair {
    public let left: Int32
    public let right: Int32

    /// A system call that failed, with its errno.
    public struct Failure: Error, CustomStringConvertible {
        public let errno: Int32
        public var description: String { "socketpair failed: errno \(errno)" }
    }

    public init() throws {
        var fds: [Int32] = [-1, -1]
        #if canImport(Glibc)
            let type = Int32(SOCK_STREAM.rawValue)
        #else
            let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { throw Failure(errno: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK) }
        left = fds[0]
        right = fds[1]
    }
}
