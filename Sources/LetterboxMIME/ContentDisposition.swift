/// A parsed `Content-Disposition` (RFC 2183): `inline` or `attachment`, and parameters.
public struct ContentDisposition: Sendable, Equatable {
    /// The disposition type, lowercased (`inline`, `attachment`, or another token).
    public var kind: String
    /// Parameters by lowercased name; values unquoted, RFC 2231 continuations joined and decoded.
    public var parameters: [String: String]
    /// Parameter names in the order they appeared in the field.
    private var order: [String]

    /// Parses a header value such as `attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf`.
    public init(parsing value: String) {
        let (head, parameters) = HeaderParameters.split(value)
        self.kind = head.lowercased()
        var dictionary: [String: String] = [:]
        for parameter in parameters where dictionary[parameter.name] == nil {
            dictionary[parameter.name] = parameter.value
        }
        self.parameters = dictionary
        self.order = parameters.map(\.name)
    }

    /// The parameters in the order they appeared in the field, followed by any added to
    /// ``parameters`` since, by name (IMAP's `body-fld-dsp`, RFC 3501 §7.4.2).
    public var orderedParameters: [HeaderParameter] {
        HeaderParameter.ordered(parameters, order: order)
    }

    /// Equal when kind and parameters are; the order of the parameters does not count.
    public static func == (lhs: ContentDisposition, rhs: ContentDisposition) -> Bool {
        lhs.kind == rhs.kind && lhs.parameters == rhs.parameters
    }

    /// Whether the part is meant to be saved rather than shown (RFC 2183 §2.2).
    public var isAttachment: Bool { kind == "attachment" }

    /// The `filename` parameter, with encoded words decoded (a common non-standard form).
    public var filename: String? { parameters["filename"].map(EncodedWords.decode) }
}
