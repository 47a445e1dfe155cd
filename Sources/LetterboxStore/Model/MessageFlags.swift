import LetterboxMIME

/// The flags of a message in a mailbox: IMAP system flags and keywords (RFC 3501 §2.3.2).
///
/// System flags are kept in their canonical spelling (`\Seen`); keywords as given. `\Recent` is
/// not stored here: it belongs to a session, see ``MessageStore/claimRecent(_:)``.
public struct MessageFlags: Sendable, Hashable, Sequence {
    private var names: Set<String>

    public static let seen = "\\Seen"
    public static let answered = "\\Answered"
    public static let flagged = "\\Flagged"
    public static let deleted = "\\Deleted"
    public static let draft = "\\Draft"
    /// The system flags a client may set, in their canonical spelling.
    public static let system = [answered, flagged, deleted, seen, draft]

    public init(_ names: some Sequence<String> = []) {
        self.names = Set(names.map(Self.canonical))
    }

    /// `\SEEN` → `\Seen`; keywords unchanged.
    public static func canonical(_ name: String) -> String {
        guard name.hasPrefix("\\") else { return name }
        return system.first { $0.equalsIgnoringCase(name) } ?? name
    }

    public func contains(_ name: String) -> Bool { names.contains(Self.canonical(name)) }
    public var isEmpty: Bool { names.isEmpty }
    public func makeIterator() -> Set<String>.Iterator { names.makeIterator() }

    /// System flags first in a fixed order, then keywords alphabetically.
    public var sorted: [String] {
        Self.system.filter(names.contains) + names.filter { !Self.system.contains($0) }.sorted()
    }

    mutating func formUnion(_ other: MessageFlags) { names.formUnion(other.names) }
    mutating func subtract(_ other: MessageFlags) { names.subtract(other.names) }
}

/// How a STORE changes flags (RFC 3501 §6.4.6).
public enum FlagUpdate: Sendable, Equatable {
    case replace(MessageFlags)
    case add(MessageFlags)
    case remove(MessageFlags)

    func applied(to flags: MessageFlags) -> MessageFlags {
        switch self {
        case .replace(let new): return new
        case .add(let added):
            var result = flags
            result.formUnion(added)
            return result
        case .remove(let removed):
            var result = flags
            result.subtract(removed)
            return result
        }
    }
}

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
