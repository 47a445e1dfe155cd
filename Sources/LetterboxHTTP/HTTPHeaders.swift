/// An ordered list of header fields with case-insensitive lookup (RFC 9110 §5).
///
/// Keeps every field in the order received or added, duplicates included.
package struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One field line: its name as written and its value without surrounding whitespace.
    package struct Field: Sendable, Equatable {
        package var name: String
        package var value: String

        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    private var fields: [Field] = []

    package init() {}

    package init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The number of field lines.
    package var count: Int { fields.count }

    package func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// The first value of the field `name`, or nil if absent. Setting replaces every field of
    /// that name (nil removes them).
    package subscript(name: String) -> String? {
        get { fields.first { $0.name.lowercased() == name.lowercased() }?.value }
        set {
            let lowered = name.lowercased()
            let position = fields.firstIndex { $0.name.lowercased() == lowered }
            fields.removeAll { $0.name.lowercased() == lowered }
            guard let newValue else { return }
            // Every removed field sat at or after `position`, so it is still a valid index.
            fields.insert(Field(name: name, value: newValue), at: position ?? fields.count)
        }
    }

    /// Every value of the field `name`, in order.
    package func values(for name: String) -> [String] {
        let lowered = name.lowercased()
        return fields.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    /// Appends a field line, keeping any earlier one of the same name.
    package mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// The comma-separated list elements of every `name` field, trimmed and lowercased
    /// (RFC 9110 §5.6.1), e.g. the tokens of `Connection: keep-alive, Upgrade`.
    package func tokens(for name: String) -> [String] {
        values(for: name).flatMap { value in
            value.split(separator: ",").map { $0.trimmingHTTPWhitespace().lowercased() }.filter { !$0.isEmpty }
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and horizontal tabs (RFC 9110 §5.6.3 OWS).
    func trimmingHTTPWhitespace() -> String {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isWhitespace($0) }),
            let end = lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(self[start...end])
    }
}
