/// Where captured messages are posted: an `http://` URL split into what a request needs.
///
/// Only `http://`: posting over TLS would need client-side certificate verification against a
/// trust store, and the release image is `FROM scratch` with no CA bundle beside the binary;
/// webhook receivers of a test setup listen on the same machine or compose network.
package struct WebhookURL: Sendable, Equatable, CustomStringConvertible {
    /// The host as written (a name, an IPv4 address, or an IPv6 address in brackets).
    package let host: String
    package let port: Int
    /// The path and query sent in the request line, `/` at least.
    package let target: String

    /// - Throws: ``WebhookURLError`` saying what is wrong (scheme, host, port).
    package init(parsing text: String) throws(WebhookURLError) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("https://") {
            throw WebhookURLError(
                "webhook URL '\(text)' uses https, which is not supported: use http:// (the image has no CA "
                    + "certificates to verify a TLS receiver; receivers of a test setup are local)")
        }
        guard lowered.hasPrefix("http://") else {
            throw WebhookURLError("webhook URL '\(text)' must start with http://, as in http://receiver:9000/hook")
        }
        let rest = text.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        if path.isEmpty || path.first == "?" { path = "/" + path }
        guard !authority.contains("@") else {
            throw WebhookURLError("webhook URL '\(text)' must not carry credentials (user@host)")
        }
        var hostPart = authority
        var portPart: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else {
                throw WebhookURLError("webhook URL '\(text)' has an unclosed IPv6 bracket")
            }
            hostPart = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw WebhookURLError("webhook URL '\(text)' has a malformed host") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: { $0.isWhitespace }) else {
            throw WebhookURLError("webhook URL '\(text)' names no host")
        }
        var port = 80
        if let portPart {
            guard let number = Int(portPart), portPart.allSatisfy(\.isNumber), (1...65_535).contains(number) else {
                throw WebhookURLError("webhook URL '\(text)' has an invalid port '\(portPart)' (1 to 65535)")
            }
            port = number
        }
        guard !path.contains(where: { $0 == " " || $0.isNewline }) else {
            throw WebhookURLError("webhook URL '\(text)' has spaces or line breaks in its path; percent-encode them")
        }
        host = String(hostPart)
        self.port = port
        target = path
    }

    /// The `Host` field value (RFC 9110 §7.2): the port only when it is not 80.
    package var hostField: String { port == 80 ? host : "\(host):\(port)" }

    /// `http://host:port/path`.
    package var description: String { "http://\(host):\(port)\(target)" }
}

/// Why a webhook URL cannot be used.
package struct WebhookURLError: Error, Sendable, Equatable, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
