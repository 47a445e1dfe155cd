/// A parsed `Content-Type` (RFC 2045 §5.1): media type, subtype and parameters.
public struct ContentType: Sendable, Equatable {
    /// The top-level media type, lowercased (`text`, `multipart`, `application`…).
    public var type: String
    /// The subtype, lowercased (`plain`, `alternative`…).
    public var subtype: String
    /// Parameters by lowercased name; values unquoted, RFC 2231 continuations joined and decoded.
    public var parameters: [String: String]
    /// Parameter names in the order they appeared in the field (see ``orderedParameters``).
    private var order: [String]

    /// Creates a content type; `type` and `subtype` are lowercased. Parameters are ordered by name.
    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
        self.order = parameters.keys.sorted()
    }

    /// Creates a content type whose parameters keep the given order.
    public init(type: String, subtype: String, orderedParameters: [HeaderParameter]) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        var parameters: [String: String] = [:]
        var order: [String] = []
        for parameter in orderedParameters where parameters[parameter.name] == nil {
            parameters[parameter.name] = parameter.value
            order.append(parameter.name)
        }
        self.parameters = parameters
        self.order = order
    }

    /// Parses a header value such as `text/plain; charset="utf-8"`. Returns nil when the value
    /// has no `type/subtype`, which RFC 2045 §5.2 says to treat as the default.
    public init?(parsing value: String) {
        let (head, parameters) = HeaderParameters.split(value)
        let utf8 = Array(head.utf8)
        guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        func part(_ bytes: ArraySlice<UInt8>) -> String? {
            var start = bytes.startIndex
            var end = bytes.endIndex
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            let token = bytes[start..<end]
            guard !token.isEmpty, !token.contains(0x20), !token.contains(0x09) else { return nil }
            return String(decoding: token, as: UTF8.self)
        }
        guard let type = part(utf8[..<slash]), let subtype = part(utf8[(slash + 1)...]) else { return nil }
        self.init(type: type, subtype: subtype, orderedParameters: parameters)
    }

    /// The parameters in the order they appeared in the field (by name for a content type made
    /// from a dictionary), followed by any added to ``parameters`` since, by name. What IMAP's
    /// BODYSTRUCTURE lists as `body-fld-param` (RFC 3501 §7.4.2).
    public var orderedParameters: [HeaderParameter] {
        HeaderParameter.ordered(parameters, order: order)
    }

    /// Equal when type, subtype and parameters are; the order of the parameters does not count.
    public static func == (lhs: ContentType, rhs: ContentType) -> Bool {
        lhs.type == rhs.type && lhs.subtype == rhs.subtype && lhs.parameters == rhs.parameters
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
