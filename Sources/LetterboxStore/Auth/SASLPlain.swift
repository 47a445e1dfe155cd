import LetterboxMIME
import LetterboxText

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The SASL PLAIN mechanism (RFC 4616), shared by SMTP AUTH, POP3 AUTH and IMAP AUTHENTICATE.
package enum SASLPlain {
    /// The identities in a PLAIN response.
    package struct Response: Sendable, Equatable {
        package var authorizationID: String
        package var user: String
        package var password: String
    }

    /// Why a response could not be used; `description` is a one-line reason for the client.
    package struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        package let description: String
        package static let base64 = Failure(description: "Cannot decode base64 response")
        package static let shape = Failure(
            description: "Malformed PLAIN response (expected authzid NUL authcid NUL password)")
        /// A failed login, not a malformed response: sessions answer it as a wrong password.
        package static let authorization = Failure(
            description: "Authorization identity must be empty or the authentication identity (RFC 4616 §2)")
    }

    /// Decodes a base64 response (`=` stands for an empty one, RFC 4954 §4).
    package static func decode(_ base64: String) -> Result<Response, Failure> {
        guard let bytes = decodeBase64(base64) else { return .failure(.base64) }
        return decode(bytes: bytes)
    }

    /// Splits decoded octets and checks the identities. RFC 4616 §2: the server must verify that
    /// the authentication identity may act as the authorization identity; Letterbox lets nobody
    /// act as someone else, so an authzid that is not empty and differs from the authcid is
    /// refused (``Failure/authorization``) rather than logging in as the authcid.
    package static func decode(bytes: [UInt8]) -> Result<Response, Failure> {
        guard let response = parse(bytes) else { return .failure(.shape) }
        guard response.authorizationID.isEmpty || response.authorizationID == response.user else {
            return .failure(.authorization)
        }
        return .success(response)
    }

    /// Splits decoded octets: `[authzid] NUL authcid NUL passwd` (RFC 4616 §2).
    package static func parse(_ bytes: [UInt8]) -> Response? {
        let parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        return Response(
            authorizationID: String(decoding: parts[0], as: UTF8.self), user: String(decoding: parts[1], as: UTF8.self),
            password: String(decoding: parts[2], as: UTF8.self))
    }

    /// Base64 of a SASL exchange line; `=` is the empty response. Nil if not base64.
    package static func decodeBase64(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmingWhitespace()
        if trimmed == "=" { return [] }
        return Data(base64Encoded: trimmed).map { [UInt8]($0) }
    }
}
