/// One parsed HTTP/1.1 request: request line, header fields and body.
///
/// A value type, safe to pass between tasks. Build one in tests with
/// ``init(method:target:version:headers:body:)``; the server gets them from ``HTTPRequestParser``.
package struct HTTPRequest: Sendable, Equatable {
    /// The method exactly as sent (methods are case-sensitive, RFC 9110 §9.1), e.g. `GET`.
    package var method: String
    /// The request target, decoded.
    package var target: HTTPRequestTarget
    /// `HTTP/1.1` or `HTTP/1.0`.
    package var version: HTTPVersion
    /// The header fields in the order received.
    package var headers: HTTPHeaders
    /// The body as framed by Content-Length; empty when there is none.
    package var body: [UInt8]

    /// - Throws: ``HTTPRequestError`` (400) if `target` is not a path or has a malformed escape.
    package init(
        method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:],
        body: [UInt8] = []
    ) throws(HTTPRequestError) {
        self.method = method
        self.target = try HTTPRequestTarget(parsing: target)
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// A request whose target is already parsed.
    package init(
        method: String, target: HTTPRequestTarget, version: HTTPVersion, headers: HTTPHeaders, body: [UInt8]
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The decoded path, e.g. `/messages/12`.
    package var path: String { target.path }

    /// The value of the first query item called `name`.
    package func query(_ name: String) -> String? { target.query(name) }

    /// Whether the connection stays open after the response (RFC 9112 §9.3): HTTP/1.1 unless the
    /// client sent `Connection: close`; HTTP/1.0 only if it sent `Connection: keep-alive`.
    package var keepAlive: Bool {
        let tokens = headers.tokens(for: "Connection")
        if tokens.contains("close") { return false }
        if version == .http1_0 { return tokens.contains("keep-alive") }
        return version.major == 1
    }
}
