import CSystemShims

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small, typed wrappers over the BSD socket calls the listener and connections use.
package enum Socket {
    #if canImport(Glibc)
        static let streamType = Int32(SOCK_STREAM.rawValue)
        static let sendFlags = lb_msg_nosignal()
        static let moreFlag = lb_msg_more()
    #else
        static let streamType = SOCK_STREAM
        static let sendFlags: Int32 = 0  // SO_NOSIGPIPE is set on every socket instead
        static let moreFlag: Int32 = 0
    #endif

    /// `send` that never raises `SIGPIPE` in the host process (a peer that left is an `EPIPE`
    /// error instead). `more` tells the kernel that more bytes follow at once, so it can fill
    /// whole segments before sending (`MSG_MORE`, Linux); the last piece must go without it.
    package static func send(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int, more: Bool = false) -> Int {
        #if canImport(Glibc)
            Glibc.send(fd, pointer, count, sendFlags | (more ? moreFlag : 0))
        #else
            Darwin.send(fd, pointer, count, sendFlags)
        #endif
    }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32 = 1) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Creates a listening socket bound to `host:port` (port 0: the kernel picks one).
    static func listen(host: String, port: Int, backlog: Int32) throws(NetError) -> (fd: Int32, port: Int) {
        let address = try SocketAddress(host: host, port: port)
        let fd = socket(address.family, streamType, 0)
        guard fd >= 0 else { throw .system("socket", errno: errno) }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR)
        #if os(macOS)
            setOption(fd, SOL_SOCKET, SO_NOSIGPIPE)
        #endif
        let bound = address.withSockAddr { bind(fd, $0, $1) }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw .system("bind \(host):\(port)", errno: code)
        }
        guard systemListen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw .system("listen", errno: code)
        }
        setNonBlocking(fd)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return (fd, SocketAddress.local(of: fd)?.port ?? port)
    }

    /// Accepts one pending connection as a non-blocking descriptor; nil with `errno` set when none.
    static func accept(_ fd: Int32) -> Int32? {
        #if canImport(Glibc)
            let client = lb_accept(fd)
        #else
            let client = Darwin.accept(fd, nil, nil)
            if client >= 0 {
                setNonBlocking(client)
                setOption(client, SOL_SOCKET, SO_NOSIGPIPE)
            }
        #endif
        guard client >= 0 else { return nil }
        setOption(client, Int32(IPPROTO_TCP), TCP_NODELAY)
        return client
    }

    /// Connects a socket, then makes it non-blocking (clients and tests). Blocks the calling
    /// thread until the peer answers, or at most `timeout` (then throws `ETIMEDOUT`): without one,
    /// a peer that never answers the SYN (a full backlog, a firewall that drops) holds the thread
    /// until the kernel gives up, about two minutes on Linux (`tcp_syn_retries`).
    static func connect(host: String, port: Int, timeout: Duration? = nil) throws(NetError) -> Int32 {
        let address = try SocketAddress(host: host, port: port)
        let fd = socket(address.family, streamType, 0)
        guard fd >= 0 else { throw .system("socket", errno: errno) }
        if timeout != nil { setNonBlocking(fd) }
        var code: Int32 = 0
        if address.withSockAddr({ systemConnect(fd, $0, $1) }) != 0 {
            code = errno
            if let timeout, code == EINPROGRESS || code == EINTR { code = awaitConnection(fd, within: timeout) }
        }
        guard code == 0 else {
            close(fd)
            throw .system("connect \(host):\(port)", errno: code)
        }
        #if os(macOS)
            setOption(fd, SOL_SOCKET, SO_NOSIGPIPE)
        #endif
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY)
        setNonBlocking(fd)
        return fd
    }

    /// Waits for a non-blocking connect on `fd` to finish; its outcome as an `errno` value (0 when
    /// connected, `ETIMEDOUT` when `timeout` passed first).
    private static func awaitConnection(_ fd: Int32, within timeout: Duration) -> Int32 {
        let deadline = MonotonicClock.deadline(after: timeout)
        var polled = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let now = MonotonicClock.nanoseconds()
            guard now < deadline else { return ETIMEDOUT }
            let milliseconds = Int32(clamping: (deadline - now + 999_999) / 1_000_000)
            let ready = poll(&polled, 1, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if ready == 0 { continue }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 else { return errno }
            return failure
        }
    }
}

#if canImport(Glibc)
    private func systemListen(_ fd: Int32, _ backlog: Int32) -> Int32 { Glibc.listen(fd, backlog) }
    private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
        Glibc.connect(fd, address, length)
    }
#else
    private func systemListen(_ fd: Int32, _ backlog: Int32) -> Int32 { Darwin.listen(fd, backlog) }
    private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
        Darwin.connect(fd, address, length)
    }
#endif
