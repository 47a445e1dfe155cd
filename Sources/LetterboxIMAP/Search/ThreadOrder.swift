import LetterboxStore

/// A THREAD algorithm (RFC 5256 §3); Letterbox implements ORDEREDSUBJECT and REFERENCES
/// (`Threading/ReferencesThreading.swift`).
package enum ThreadAlgorithm: String, Sendable, Equatable, CaseIterable {
    case orderedSubject = "ORDEREDSUBJECT"
    case references = "REFERENCES"
}

/// A thread: a message and the threads below it (RFC 5256 §4 `thread-list`).
struct MessageThread: Sendable, Equatable {
    /// Nil for the dummy that holds the threads REFERENCES merged by subject (RFC 5256 §4).
    let number: UInt64?
    var children: [MessageThread] = []

    /// `3 5`, `4 (2)(1)`: a single child continues the line, several are each in parentheses; a
    /// dummy is only its children, `(3)(5)` (`thread-nested`).
    var written: String {
        guard let number else { return children.map { "(\($0.written))" }.joined() }
        return switch children.count {
        case 0: "\(number)"
        case 1: "\(number) \(children[0].written)"
        default: "\(number) " + children.map { "(\($0.written))" }.joined()
        }
    }
}

/// THREAD=ORDEREDSUBJECT (RFC 5256 §2.1, "poor man's threading"): messages grouped by base
/// subject; in each group, sorted by sent date (then sequence number), the first is the parent
/// of all the others; the groups ordered by their first message's sent date.
enum ThreadOrder {
    /// One message as threading sees it.
    struct Item: Sendable {
        /// What the response names it by: sequence number or UID.
        let number: UInt64
        let sequence: Int
        let message: Message
    }

    static func orderedSubject(_ items: [Item]) -> [MessageThread] {
        let keyed = items.map { item in
            let views = SearchEvaluator.views(of: item.message)
            let subject = SortOrder.key(of: item.message, views: views, .subject)
            let date = SortOrder.key(of: item.message, views: views, .date)
            return (item: item, subject: subject, date: date)
        }
        let sorted = keyed.sorted { a, b in
            if a.subject != b.subject { return a.subject < b.subject }
            if a.date != b.date { return a.date < b.date }
            return a.item.sequence < b.item.sequence
        }
        var groups: [(first: (date: SortOrder.Value, sequence: Int), thread: MessageThread)] = []
        var index = 0
        while index < sorted.count {
            var end = index + 1
            while end < sorted.count && sorted[end].subject == sorted[index].subject { end += 1 }
            let children = sorted[(index + 1)..<end].map { MessageThread(number: $0.item.number) }
            groups.append(
                (
                    (sorted[index].date, sorted[index].item.sequence),
                    MessageThread(number: sorted[index].item.number, children: Array(children))
                ))
            index = end
        }
        return groups.sorted { a, b in
            a.first.date != b.first.date ? a.first.date < b.first.date : a.first.sequence < b.first.sequence
        }.map(\.thread)
    }
}
