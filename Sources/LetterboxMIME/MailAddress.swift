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
        if let address = bareAddress(value) { return [address] }
        return parseListFully(value)
    }

    /// ``parseList(_:)`` without the shortcut of ``bareAddress(_:)``: the full parser, which the
    /// shortcut must always agree with (MailAddressTests, and the header fuzz target).
    package static func parseListFully(_ value: String) -> [MailAddress] {
        var parser = AddressListParser(value)
        return parser.parseList()
    }

    /// A field that is one bare addr-spec of dot-atoms, blanks around it allowed
    /// (`ana@example.com`, as most programs write From and To), read in one pass over its octets;
    /// nil for anything else. The full parser tokenizes first, and a list entry of the web inbox
    /// and of `/events` reads three such fields per message.
    package static func bareAddress(_ value: String) -> MailAddress? {
        let octets = value.utf8
        var start = octets.startIndex
        var end = octets.endIndex
        while start < end, Self.isBlank(octets[start]) { start = octets.index(after: start) }
        while start < end, Self.isBlank(octets[octets.index(before: end)]) { end = octets.index(before: end) }
        var at: String.Index?
        var previous: UInt8 = UInt8(ascii: "@")  // a part may not start with a dot
        for index in octets[start..<end].indices {
            let octet = octets[index]
            switch octet {
            case UInt8(ascii: "@"):
                // One `@`, parts not empty and not ending with a dot.
                guard at == nil, previous != UInt8(ascii: "@"), previous != UInt8(ascii: ".") else { return nil }
                at = index
            case UInt8(ascii: "."):
                guard previous != UInt8(ascii: "."), previous != UInt8(ascii: "@") else { return nil }
            default:
                guard Self.isAtomText(octet) else { return nil }
            }
            previous = octet
        }
        guard at != nil, previous != UInt8(ascii: "@"), previous != UInt8(ascii: ".") else { return nil }
        return MailAddress(address: String(value[start..<end]))
    }

    private static func isBlank(_ octet: UInt8) -> Bool { octet == UInt8(ascii: " ") || octet == UInt8(ascii: "\t") }

    /// `atext` (RFC 5322 §3.2.3), ASCII only.
    private static func isAtomText(_ octet: UInt8) -> Bool {
        switch octet {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-/=?^_`{|}~".utf8.contains(octet)
        }
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
