/// Why a request could not be read: the status to answer with and a one-line reason for the client.
///
/// The connection is closed after answering, because the rest of the request cannot be framed
/// reliably. A struct with static factories rather than an enum, so new reasons break no `switch`.
package struct HTTPRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status of the error response.
    package let status: HTTPStatus
    /// One line of plain text, without a line break, e.g. `invalid percent-encoding in path`.
    package let reason: String

    package init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    /// `400 Bad Request: request line is not "METHOD target HTTP/1.1"`.
    package var description: String { "\(status): \(reason)" }

    /// Malformed syntax (400).
    package static func badRequest(_ reason: String) -> HTTPRequestError { HTTPRequestError(.badRequest, reason) }

    /// The request line exceeded `limit` octets (414).
    package static func requestLineTooLong(limit: Int) -> HTTPRequestError {
        HTTPRequestError(.uriTooLong, "request line exceeds \(limit) octets")
    }

    /// The header section exceeded `limit` octets (431).
    package static func headerSectionTooLarge(limit: Int) -> HTTPRequestError {
        HTTPRequestError(.requestHeaderFieldsTooLarge, "header section exceeds \(limit) octets")
    }

    /// More than `limit` header fields (431).
    package static func tooManyHeaders(limit: Int) -> HTTPRequestError {
        HTTPRequestError(.requestHeaderFieldsTooLarge, "more than \(limit) header fields")
    }

    /// A Content-Length above `limit` (413); `declared` is the length as sent.
    package static func bodyTooLarge(declared: String, limit: Int) -> HTTPRequestError {
        HTTPRequestError(.contentTooLarge, "request body of \(declared) octets exceeds \(limit) octets")
    }

    /// A chunked request body, which this server does not decode (411).
    package static let chunkedBody = HTTPRequestError(
        .lengthRequired, "chunked request bodies are not supported; send Content-Length")

    /// A transfer coding other than chunked (501, RFC 9112 §6.1).
    package static func unsupportedTransferCoding(_ coding: String) -> HTTPRequestError {
        HTTPRequestError(.notImplemented, "transfer coding \"\(coding)\" is not supported")
    }

    /// A major version other than 1 (505).
    package static func unsupportedVersion(_ version: HTTPVersion) -> HTTPRequestError {
        HTTPRequestError(.httpVersionNotSupported, "\(version) is not supported; use HTTP/1.1")
    }
}
