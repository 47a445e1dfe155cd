#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Socket {
    /// Resolves `host` (a name, a numeric IPv4/IPv6 address, `localhost`) and connects a socket to
    /// the first address that answers, then makes it non-blocking: for outbound clients such as
    /// webhooks, whose host is a name (`receiver` in docker-compose).
    ///
    /// Blocks in `getaddrinfo` and `connect`: call it from a thread that may block (a blocking
    /// pool), never from an event loop or the cooperative pool. `timeout` bounds the connecting
    /// (to all the addresses together), not the resolving: a caller that must bound both resolves
    /// with ``addresses(of:port:)`` on a thread it may abandon, then calls
    /// ``connect(host:addresses:port:timeout:)``.
    ///
    /// - Throws: ``NetError`` naming the host when it does not resolve or no address accepts
    ///   (`ETIMEDOUT` when `timeout` ran out).
    package static func connect(resolving host: String, port: Int, timeout: Duration? = nil) throws(NetError) -> Int32 {
        try connect(host: host, addresses: addresses(of: host, port: port), port: port, timeout: timeout)
    }

    /// The numeric addresses of `host` (`getaddrinfo`), in the resolver's order of preference.
    /// Blocks for as long as the system's resolver takes.
    ///
    /// - Throws: ``NetError`` naming the host when it does not resolve.
    package static func addresses(of host: String, port: Int) throws(NetError) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamType
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(numericForm(of: host) ?? host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw .system("resolve '\(host)': \(reason)", errno: EHOSTUNREACH)
        }
        defer { freeaddrinfo(first) }
        var candidates: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(
                entry.pointee.ai_addr, entry.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST)
                == 0
            {
                candidates.append(
                    String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = entry.pointee.ai_next
        }
        guard !candidates.isEmpty else { throw .system("resolve '\(host)': no address", errno: EHOSTUNREACH) }
        return candidates
    }

    /// `host` without brackets when it is a numeric IPv4 or IPv6 address (`[::1]` → `::1`), which
    /// needs no resolving; nil for a name.
    package static func numericForm(of host: String) -> String? {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = in_addr()
        var v6 = in6_addr()
        guard inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1 else { return nil }
        return bare
    }

    /// Connects a socket to the first of `addresses` (numeric, as ``addresses(of:port:)`` gives
    /// them) that answers, then makes it non-blocking; `host` names the peer in errors. `timeout`
    /// bounds the connecting to all of them together.
    ///
    /// - Throws: ``NetError`` when none accepts (`ETIMEDOUT` when `timeout` ran out).
    package static func connect(
        host: String, addresses: [String], port: Int, timeout: Duration? = nil
    ) throws(NetError) -> Int32 {
        var lastError = NetError.system("resolve '\(host)': no address", errno: EHOSTUNREACH)
        let deadline = timeout.map { MonotonicClock.deadline(after: $0) }
        for address in addresses {
            var remaining: Duration?
            if let deadline {
                let now = MonotonicClock.nanoseconds()
                guard now < deadline else {
                    lastError = .system("connect '\(host)':\(port)", errno: ETIMEDOUT)
                    break
                }
                remaining = .nanoseconds(Int64(clamping: deadline - now))
            }
            do { return try connect(host: address, port: port, timeout: remaining) } catch { lastError = error }
        }
        throw lastError
    }
}
