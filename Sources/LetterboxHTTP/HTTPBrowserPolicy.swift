/// What the inspection API refuses to browsers it was not meant for.
///
/// - **DNS rebinding**: a page on `http://evil.example:8025` whose name later resolves to
///   127.0.0.1 is same-origin with its own JavaScript, and could read captured mail. Its requests
///   carry `Host: evil.example:8025`, so a request is served only when its `Host` names this
///   server: an IP address literal (an address cannot be rebound), `localhost` or a name under a
///   top-level name no one can register (``privateSuffixes``), a name without a dot (a
///   docker-compose service such as `letterbox`, resolved by the local resolver, not by public
///   DNS), or one of ``allowedHosts``
///   (the SMTP hostname, the bound address, `--http-allowed-hosts`). The port is not compared.
///   A request without `Host` (HTTP/1.0 tools) is no browser's and is served.
/// - **Cross-site requests** (CSRF): a page may send a `POST` with a `text/plain` body, or a form,
///   to any origin without asking first. A request that changes state (any method but GET and
///   HEAD) is refused when `Sec-Fetch-Site` says `cross-site` or `same-site`, or, without it, when
///   an `Origin` is present whose host and port differ from `Host` (`Origin: null` too). Tools
///   such as curl send neither field and are not affected. (The algorithm of Go's
///   `http.CrossOriginProtection`.)
///
/// `*` among ``allowedHosts`` turns the `Host` check off; the cross-site check always applies.
package struct HTTPBrowserPolicy: Sendable {
    /// Names served besides the built-in ones, lowercased: exact host names or IP literals, or
    /// suffixes starting with a dot (`.example.com` matches `mail.example.com`).
    package let allowedHosts: [String]
    /// Whether any `Host` is served (`*` was allowed).
    package let allowsAnyHost: Bool

    /// - Parameter allowedHosts: names to serve besides the built-in ones; entries may carry a
    ///   port (ignored), `*` allows any host; empty entries are ignored.
    package init(allowedHosts: [String] = []) {
        var names: [String] = []
        var any = false
        for entry in allowedHosts {
            let trimmed = entry.trimmingHTTPWhitespace().lowercased()
            if trimmed == "*" {
                any = true
            } else if let name = Self.hostName(ofAuthority: trimmed) ?? (trimmed.hasPrefix(".") ? trimmed : nil),
                !name.isEmpty
            {
                names.append(name)
            }
        }
        self.allowedHosts = names
        self.allowsAnyHost = any
    }

    /// The refusal for `request`, or nil when it may be served.
    package func refusal(of request: HTTPRequest) -> HTTPRequestError? {
        let hostField = request.headers["Host"]
        if let hostField, !allowsAnyHost, !allows(host: hostField) {
            return HTTPRequestError(
                .forbidden,
                "host \"\(hostField.prefix(100))\" is not served here (DNS rebinding protection); "
                    + "allow it with --http-allowed-hosts")
        }
        guard request.method != "GET", request.method != "HEAD" else { return nil }
        let fetchSite = request.headers["Sec-Fetch-Site"]?.trimmingHTTPWhitespace().lowercased()
        if let fetchSite {
            guard fetchSite == "same-origin" || fetchSite == "none" else {
                return Self.crossSite("Sec-Fetch-Site: \(fetchSite.prefix(20))", method: request.method)
            }
            return nil
        }
        guard let origin = request.headers["Origin"] else { return nil }
        if let hostField, Self.authority(ofOrigin: origin) == hostField.trimmingHTTPWhitespace().lowercased() {
            return nil
        }
        return Self.crossSite("Origin \(origin.prefix(100))", method: request.method)
    }

    private static func crossSite(_ evidence: String, method: String) -> HTTPRequestError {
        HTTPRequestError(
            .forbidden, "cross-site \(method.prefix(20)) refused (\(evidence)); send it from a tool, not a web page")
    }

    /// Top-level names no one can register in public DNS, so no attacker's page can be served
    /// under them: `.localhost` (RFC 6761 §6.3), `.test` (RFC 6761 §6.2), `.local` (mDNS, RFC 6762;
    /// Kubernetes' `svc.cluster.local`), `.internal` (reserved by ICANN in 2024; Docker's
    /// `host.docker.internal`) and `.home.arpa` (RFC 8375).
    static let privateSuffixes = [".localhost", ".test", ".local", ".internal", ".home.arpa"]

    /// Whether a `Host` field value names this server.
    func allows(host field: String) -> Bool {
        guard let name = Self.hostName(ofAuthority: field.trimmingHTTPWhitespace().lowercased()) else { return false }
        if Self.isIPLiteral(name) || name == "localhost" || !name.contains(".")
            || Self.privateSuffixes.contains(where: name.hasSuffix)
        {
            return true
        }
        return allowedHosts.contains { $0.hasPrefix(".") ? name.hasSuffix($0) : name == $0 }
    }

    /// `host` of `host[:port]` or `[v6]:port`, without a trailing dot; nil when malformed.
    static func hostName(ofAuthority authority: String) -> String? {
        var host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            guard rest.isEmpty || (rest.first == ":" && rest.dropFirst().allSatisfy(\.isASCIIDigit)) else { return nil }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
            return "[" + host + "]"
        }
        host = authority[...]
        if let colon = authority.firstIndex(of: ":") {
            guard authority[authority.index(after: colon)...].allSatisfy(\.isASCIIDigit) else { return nil }
            host = authority[..<colon]
        }
        if host.hasSuffix(".") { host = host.dropLast() }
        let valid = host.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "."), UInt8(ascii: "_"):
                true
            default: false
            }
        }
        return valid && !host.isEmpty ? String(host) : nil
    }

    /// `[…]` or a dotted quad.
    private static func isIPLiteral(_ name: String) -> Bool {
        if name.hasPrefix("[") { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in part.count <= 3 && UInt8(part) != nil }
    }

    /// `host:port` of `scheme://host:port` as a `Host` field would spell it, lowercased; the
    /// default port of the scheme omitted. Nil for `null` and anything not an origin.
    static func authority(ofOrigin origin: String) -> String? {
        let lowered = origin.trimmingHTTPWhitespace().lowercased()
        for (scheme, port) in [("http://", ":80"), ("https://", ":443")] where lowered.hasPrefix(scheme) {
            let authority = String(lowered.dropFirst(scheme.count))
            guard !authority.isEmpty, !authority.contains("/") else { return nil }
            return authority.hasSuffix(port) ? String(authority.dropLast(port.count)) : authority
        }
        return nil
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
