/// One `name=value` parameter of a `Content-Type` or `Content-Disposition` field (RFC 2045 §5.1,
/// RFC 2183 §2), as this module hands it on: RFC 2231 continuations joined and decoded.
public struct HeaderParameter: Sendable, Hashable {
    /// The parameter name, lowercased, without any RFC 2231 `*` or section number.
    public var name: String
    /// The value, unquoted and decoded to text.
    public var value: String

    /// Creates a parameter; `name` is lowercased.
    public init(name: String, value: String) {
        self.name = name.lowercased()
        self.value = value
    }
}

extension HeaderParameter {
    /// `parameters` listed in `order`, then the names `order` lacks, sorted.
    static func ordered(_ parameters: [String: String], order: [String]) -> [HeaderParameter] {
        var result: [HeaderParameter] = []
        result.reserveCapacity(parameters.count)
        var listed: Set<String> = []
        for name in order where listed.insert(name).inserted {
            if let value = parameters[name] { result.append(HeaderParameter(name: name, value: value)) }
        }
        for name in parameters.keys.sorted() where !listed.contains(name) {
            if let value = parameters[name] { result.append(HeaderParameter(name: name, value: value)) }
        }
        return result
    }
}
