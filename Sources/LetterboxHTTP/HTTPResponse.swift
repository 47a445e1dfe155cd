/// One HTTP response: status, header fields and the complete body.
///
/// Serialisation always sends `Content-Length` (computed from the body; any set by hand is
/// replaced) and `Content-Type: text/plain; charset=utf-8` unless another type is set. A value
/// type, safe to pass between tasks.
package struct HTTPResponse: Sendable, Equatable {
    /// The status line's code and reason.
    package var status: HTTPStatus
    /// Fields to send; `Content-Length` is added on serialisation.
    package var headers: HTTPHeaders
    /// The complete body (sent for every method but HEAD).
    package var body: [UInt8]

    /// The type sent when none is set.
    package static let defaultContentType = "text/plain; charset=utf-8"

    package init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text response.
    package static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": defaultContentType], body: Array(text.utf8))
    }

    /// An error response: `reason` as one line of plain text ending in a line feed (line breaks
    /// inside it become spaces).
    package static func error(_ status: HTTPStatus, _ reason: String) -> HTTPResponse {
        text(reason.singleLine + "\n", status: status)
    }

    /// An `application/json` response holding `value`, compact.
    package static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: value.encoded())
    }

    /// The body decoded as UTF-8 (for logs and tests).
    package var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The status line and header section, up to and including the empty line that ends it.
    ///
    /// - Parameter date: the `Date` field value (RFC 9110 §6.6.1), e.g. from ``HTTPDate/now()``; omitted if nil.
    package func head(date: String? = nil) -> [UInt8] {
        var text = "HTTP/1.1 \(status)\r\n"
        if let date { text += "Date: \(date)\r\n" }
        for field in headers where field.name.lowercased() != "content-length" {
            text += "\(field.name): \(field.value)\r\n"
        }
        if headers["Content-Type"] == nil { text += "Content-Type: \(Self.defaultContentType)\r\n" }
        text += "Content-Length: \(body.count)\r\n\r\n"
        return Array(text.utf8)
    }

    /// The whole response on the wire; without the body when answering `HEAD` (the header section
    /// still announces the length a `GET` would get, RFC 9110 §9.3.2).
    package func serialized(includingBody: Bool = true, date: String? = nil) -> [UInt8] {
        includingBody ? head(date: date) + body : head(date: date)
    }
}

extension String {
    /// The text with every line break and tab replaced by a space, so it fits on one line or in
    /// one tab-separated field.
    var singleLine: String {
        guard contains(where: { $0.isNewline || $0 == "\t" }) else { return self }
        return String(map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}
