/// An HTTP status code with its reason phrase (RFC 9110 §15).
///
/// A struct with static members rather than an enum, so new statuses can be added without breaking
/// anyone's `switch`.
package struct HTTPStatus: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit code.
    package let code: Int
    /// The reason phrase sent after the code on the status line.
    package let reason: String

    package init(_ code: Int, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `404 Not Found`.
    package var description: String { "\(code) \(reason)" }

    package static let ok = HTTPStatus(200, "OK")
    package static let created = HTTPStatus(201, "Created")
    package static let badRequest = HTTPStatus(400, "Bad Request")
    package static let forbidden = HTTPStatus(403, "Forbidden")
    package static let notFound = HTTPStatus(404, "Not Found")
    package static let methodNotAllowed = HTTPStatus(405, "Method Not Allowed")
    package static let requestTimeout = HTTPStatus(408, "Request Timeout")
    package static let lengthRequired = HTTPStatus(411, "Length Required")
    package static let contentTooLarge = HTTPStatus(413, "Content Too Large")
    package static let uriTooLong = HTTPStatus(414, "URI Too Long")
    package static let requestHeaderFieldsTooLarge = HTTPStatus(431, "Request Header Fields Too Large")
    package static let internalServerError = HTTPStatus(500, "Internal Server Error")
    package static let notImplemented = HTTPStatus(501, "Not Implemented")
    package static let serviceUnavailable = HTTPStatus(503, "Service Unavailable")
    package static let httpVersionNotSupported = HTTPStatus(505, "HTTP Version Not Supported")
    package static let insufficientStorage = HTTPStatus(507, "Insufficient Storage")
}
