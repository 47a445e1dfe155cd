/// Which addresses (or HELO names) a fault rule applies to: one exact address, every address
/// at a domain, or a glob. Matching ignores ASCII case.
///
/// In rule text: `ana@example.com` is exact; `@example.com` or `example.com` is a domain;
/// anything with `*` (any run of characters) or `?` (one character) is a glob, e.g. `bounce@*`.
public struct AddressPattern: Sendable, Hashable, CustomStringConvertible {
    /// How the pattern compares.
    public enum Kind: Sendable, Hashable {
        case exact
        case domain
        case glob
    }

    public let kind: Kind
    /// The pattern as written (a domain without its leading `@`).
    public let text: String
    private let folded: [UInt8]

    /// Classifies `text` as described on the type; nil when it is empty or contains whitespace.
    public init?(_ text: String) {
        guard !text.isEmpty, !text.contains(where: \.isWhitespace) else { return nil }
        if text.contains("*") || text.contains("?") {
            kind = .glob
            self.text = text
        } else if text.hasPrefix("@") || !text.contains("@") {
            kind = .domain
            self.text = text.hasPrefix("@") ? String(text.dropFirst()) : text
            guard !self.text.isEmpty, !self.text.contains("@") else { return nil }
        } else {
            kind = .exact
            self.text = text
        }
        folded = Self.fold(self.text)
    }

    /// The pattern as rule text: a domain is written `@example.com`.
    public var description: String { kind == .domain ? "@\(text)" : text }

    /// Whether `subject` (an address, or a HELO name for ``FaultStage/helo``) matches.
    public func matches(_ subject: String) -> Bool { matches(folded: Self.fold(subject)) }

    /// Whether `subject`, already passed through ``fold(_:)``, matches.
    func matches(folded subject: [UInt8]) -> Bool {
        switch kind {
        case .exact:
            return subject == folded
        case .domain:
            let at = subject.lastIndex(of: UInt8(ascii: "@")).map { $0 + 1 } ?? 0
            return subject[at...].elementsEqual(folded)
        case .glob:
            return Self.glob(folded[...], subject[...])
        }
    }

    /// The UTF-8 bytes with ASCII letters in lower case.
    static func fold(_ text: String) -> [UInt8] {
        text.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
    }

    /// `*` and `?` matching with a single backtrack point: linear in practice, never exponential.
    private static func glob(_ pattern: ArraySlice<UInt8>, _ subject: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var s = subject.startIndex
        var star: (pattern: Int, subject: Int)?
        while s < subject.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                star = (p, s)
                p += 1
            } else if p < pattern.endIndex, pattern[p] == UInt8(ascii: "?") || pattern[p] == subject[s] {
                p += 1
                s += 1
            } else if let last = star {
                p = last.pattern + 1
                s = last.subject + 1
                star = (last.pattern, last.subject + 1)
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }
}
