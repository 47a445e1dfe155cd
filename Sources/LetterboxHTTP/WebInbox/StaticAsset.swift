/// A file of the web inbox compiled into the binary (the image has no files beside it), served
/// with a strong `ETag` so a browser revalidates with one `304 Not Modified`.
struct StaticAsset: Sendable {
    let contentType: String
    let body: [UInt8]
    /// A quoted hash of the body (FNV-1a, 64 bits): changes whenever the bytes do.
    let etag: String
    /// Extra fields, such as the page's `Content-Security-Policy`.
    let headers: [(name: String, value: String)]

    init(contentType: String, text: String, headers: [(name: String, value: String)] = []) {
        self.contentType = contentType
        self.body = Array(text.utf8)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        self.etag = "\"" + String(hash, radix: 16) + "\""
        self.headers = headers
    }

    /// 200 with the body, or 304 when `If-None-Match` names this version (RFC 9110 §13.1.2).
    func response(to request: HTTPRequest) -> HTTPResponse {
        var fields: HTTPHeaders = [
            "ETag": etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
        ]
        for header in headers { fields[header.name] = header.value }
        let matches = request.headers.tokens(for: "If-None-Match").contains { $0 == etag || $0 == "*" }
        if matches { return HTTPResponse(status: .notModified, headers: fields) }
        fields["Content-Type"] = contentType
        return HTTPResponse(headers: fields, body: body)
    }
}
