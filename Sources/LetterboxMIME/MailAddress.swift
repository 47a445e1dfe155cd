/// A mailbox: an optional display name and an addr-spec (RFC 5322 §3.4).
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, RFC 2047-decoded, without quotes; nil when there is none.
    public var name: String?
    /// The addr-spec, such as `ana@example.com` (a quoted local part keeps its quotes).
    public var address: String

    /// Creates an address; an empty `name` is stored as nil.
    public init(name: String? = nil, address: String) {
        self.name = name?.isEmpty == true ? nil : name
        self.address = address
    }

    /// `"Name" <addr>` when there is a name (quoted only if it holds specials, RFC 5322 §3.2.3),
    /// else just the address.
    public var description: String {
        guard let name else { return address }
        return "\(Self.displayName(name)) <\(address)>"
    }

    /// Parses an RFC 5322 §3.4 address-list leniently: display names (quoted strings may hold
    /// commas), angle-addr, bare addr-specs, comments (ignored), groups (`team: a@x, b@y;`,
    /// flattened into their members), RFC 2047 encoded names and UTF-8 (RFC 6532).
    /// Never fails: what cannot be understood is skipped.
    public static func parseList(_ value: String) -> [MailAddress] {
        var parser = AddressListParser(value)
        return parser.parseList()
    }

    /// The name as a phrase: quoted, with `\` and `"` escaped, only when needed.
    private static func displayName(_ name: String) -> String {
        let specials: Set<Unicode.Scalar> = ["(", ")", "<", ">", "[", "]", ":", ";", "@", "\\", ",", ".", "\""]
        let needsQuotes = name.unicodeScalars.contains { specials.contains($0) || $0.value < 0x20 || $0.value == 0x7F }
        guard needsQuotes else { return name }
        var quoted = "\""
        for scalar in name.unicodeScalars {
            if scalar == "\\" || scalar == "\"" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(scalar)
        }
        quoted += "\""
        return quoted
    }
}
