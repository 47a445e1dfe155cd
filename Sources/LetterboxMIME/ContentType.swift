/// A parsed `Content-Type` (RFC 2045 §5.1): media type, subtype and parameters.
public struct ContentType: Sendable, Equatable {
    /// The top-level media type, lowercased (`text`, `multipart`, `application`…).
    public var type: String
    /// The subtype, lowercased (`plain`, `alternative`…).
    public var subtype: String
    /// Parameters by lowercased name; values unquoted, RFC 2231 continuations joined and decoded.
    public var parameters: [String: String]

    /// Creates a content type; `type` and `subtype` are lowercased.
    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// Parses a header value such as `text/plain; charset="utf-8"`. Returns nil when the value
    /// has no `type/subtype`, which RFC 2045 §5.2 says to treat as the default.
    public init?(parsing value: String) {
        let (head, parameters) = HeaderParameters.split(value)
        let pieces = head.split(separator: "/", maxSplits: 1)
        guard pieces.count == 2 else { return nil }
        let type = pieces[0].trimmingWhitespace()
        let subtype = pieces[1].trimmingWhitespace()
        guard !type.isEmpty, !subtype.isEmpty, !type.contains(" "), !subtype.contains(" ") else { return nil }
        self.init(type: type, subtype: subtype, parameters: parameters)
    }

    /// `text/plain; charset=us-ascii`, the default for an entity without a valid Content-Type
    /// (RFC 2045 §5.2).
    public static let textPlain = ContentType(type: "text", subtype: "plain", parameters: ["charset": "us-ascii"])

    /// `message/rfc822`, the default for the parts of a multipart/digest (RFC 2046 §5.1.5).
    public static let messageRFC822 = ContentType(type: "message", subtype: "rfc822")

    /// `type/subtype`, lowercased.
    public var mimeType: String { "\(type)/\(subtype)" }

    /// Whether this is any `multipart/*`.
    public var isMultipart: Bool { type == "multipart" }

    /// The `charset` parameter, if any.
    public var charset: String? { parameters["charset"] }

    /// The `boundary` parameter of a multipart type, if any.
    public var boundary: String? { parameters["boundary"] }

    /// The `name` parameter (an old way to give a file name), encoded words decoded.
    public var name: String? { parameters["name"].map(EncodedWords.decode) }
}
