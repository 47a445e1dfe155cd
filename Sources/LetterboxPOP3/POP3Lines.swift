import LetterboxStore

/// The lines of a multi-line POP3 reply (RFC 1939 §3), made one at a time as the driver sends
/// them: LIST and UIDL of a maildrop of 10,000 messages are not built whole on the event loop,
/// and the driver hands the connection back between bounded slices of them.
package struct POP3Lines: Collection, Sendable {
    private enum Source: Sendable {
        case fixed([String])
        /// `n size` (LIST) or, with a UIDVALIDITY, `n unique-id` (UIDL) for each message not marked deleted.
        case listing(maildrop: [Message], deleted: Set<Int>, uidValidity: UInt32?)
    }

    private let source: Source

    /// These lines as they are.
    package init(_ lines: [String]) { source = .fixed(lines) }

    /// LIST: `n size` for every message of `maildrop` whose index is not in `deleted`.
    init(sizesOf maildrop: [Message], deleted: Set<Int>) {
        source = .listing(maildrop: maildrop, deleted: deleted, uidValidity: nil)
    }

    /// UIDL: `n unique-id` for every message of `maildrop` whose index is not in `deleted`.
    init(uniqueIDsOf maildrop: [Message], deleted: Set<Int>, uidValidity: UInt32) {
        source = .listing(maildrop: maildrop, deleted: deleted, uidValidity: uidValidity)
    }

    /// A message's unique id: stable across sessions and restarts of a disk store, UIDVALIDITY
    /// and id (RFC 1939 §7).
    static func uniqueID(of message: Message, uidValidity: UInt32) -> String { "\(uidValidity)-\(message.id)" }

    package var startIndex: Int { live(from: 0) }

    package var endIndex: Int {
        switch source {
        case .fixed(let lines): lines.endIndex
        case .listing(let maildrop, _, _): maildrop.endIndex
        }
    }

    package func index(after position: Int) -> Int { live(from: position + 1) }

    package subscript(position: Int) -> String {
        switch source {
        case .fixed(let lines): return lines[position]
        case .listing(let maildrop, _, nil): return "\(position + 1) \(maildrop[position].canonicalSize)"
        case .listing(let maildrop, _, let uidValidity?):
            return "\(position + 1) \(Self.uniqueID(of: maildrop[position], uidValidity: uidValidity))"
        }
    }

    /// The first position at or after `position` that is listed.
    private func live(from position: Int) -> Int {
        guard case .listing(let maildrop, let deleted, _) = source, !deleted.isEmpty else { return position }
        var next = position
        while next < maildrop.endIndex && deleted.contains(next) { next += 1 }
        return next
    }
}
