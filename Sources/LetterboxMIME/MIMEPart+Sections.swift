/// IMAP part numbering (RFC 3501 §6.4.5), on the part tree of a message.
///
/// The rules, with `[1, 2]` standing for section `1.2`:
/// - the parts of a multipart message are numbered from 1 in order; a non-multipart message has
///   one part, `1`, its body (``part(at:)`` returns the root itself for `[1]`), and so has a
///   multipart message in which no part was found;
/// - the parts of a nested multipart are numbered below it: `1.1`, `1.2`…;
/// - below a `message/rfc822` part come the parts of the message it encapsulates, by the same
///   rule: its body parts if it is multipart (`2.1`, `2.2`…), else its body as `2.1`;
/// - a multipart message's own entity, and a multipart message encapsulated in a
///   `message/rfc822` part, have no number of their own (their headers are `HEADER` of the
///   enclosing section).
extension MIMEPart {
    /// The parts numbered directly below this one when it is a section: a multipart's children,
    /// or the numbered parts of the message a `message/rfc822` part encapsulates. Empty for
    /// other parts.
    public var sectionChildren: [MIMEPart] {
        if isMultipart { return children }
        if let message = encapsulatedMessage { return message.messageSections }
        return []
    }

    /// The part with IMAP section number `path` (`[1, 2]` for `1.2`), treating `self` as a whole
    /// message; the message itself for `[]`; nil when there is no such part. O(path length).
    public func part(at path: [Int]) -> MIMEPart? {
        var current = self
        var level = messageSections
        for number in path {
            guard number >= 1, number <= level.count else { return nil }
            current = level[number - 1]
            level = current.sectionChildren
        }
        return current
    }

    /// Every numbered part of the message `self` is, depth-first in the order of the message,
    /// with its section number. A non-multipart message lists itself as `[1]`.
    public func numberedParts() -> [(path: [Int], part: MIMEPart)] {
        var result: [(path: [Int], part: MIMEPart)] = []
        var stack: [(path: [Int], part: MIMEPart)] = []
        for (offset, part) in messageSections.enumerated().reversed() { stack.append(([offset + 1], part)) }
        while let (path, part) = stack.popLast() {
            result.append((path, part))
            for (offset, child) in part.sectionChildren.enumerated().reversed() {
                stack.append((path + [offset + 1], child))
            }
        }
        return result
    }

    /// Parses a section number such as `1.2.3` into `[1, 2, 3]`; nil unless it is one or more
    /// positive decimal numbers joined by dots (no `HEADER`, `TEXT` or `MIME` suffix).
    public static func sectionPath(parsing text: some StringProtocol) -> [Int]? {
        var path: [Int] = []
        for piece in text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !piece.isEmpty, piece.count <= 9, piece.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            let number = piece.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard number > 0 else { return nil }
            path.append(number)
        }
        return path.isEmpty ? nil : path
    }

    /// `[1, 2]` as `1.2`.
    public static func sectionString(_ path: [Int]) -> String {
        path.map(String.init).joined(separator: ".")
    }

    /// The numbered parts of a message whose entity is `self`. A multipart in which no part was
    /// found counts as a single part, so that every message has a part `1`.
    private var messageSections: [MIMEPart] { isMultipart && !children.isEmpty ? children : [self] }
}
