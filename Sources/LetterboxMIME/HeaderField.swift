/// One header field: its name as written and its unfolded value.
public struct HeaderField: Sendable, Equatable {
    /// The field name as it appears in the message (compare case-insensitively).
    public var name: String
    /// The value with folding removed (RFC 5322 §2.2.3) and surrounding whitespace trimmed.
    /// Encoded words are left as they are; see ``EncodedWords/decode(_:)``.
    public var value: String

    /// Creates a field from a name and an already-unfolded value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
