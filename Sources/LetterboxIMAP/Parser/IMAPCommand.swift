package import LetterboxStore

#if canImport(FoundationEssentials)
    package import FoundationEssentials
#else
    package import Foundation
#endif

/// One IMAP command (RFC 3501 §6 and the extensions Letterbox advertises), with its tag.
package struct TaggedCommand: Sendable, Equatable {
    package var tag: String
    package var command: IMAPCommand
    /// For SEARCH and SORT: the charset and SAVE option they gave (see ``SearchPreamble``).
    package var searchPreamble: SearchPreamble? = nil
}

package enum IMAPCommand: Sendable, Equatable {
    case capability, noop, logout
    case login(user: String, password: String)
    /// `AUTHENTICATE mechanism [initial-response]` (RFC 4959 SASL-IR).
    case authenticate(mechanism: String, initialResponse: String?)
    /// SELECT or EXAMINE, with RFC 7162 parameters when given.
    case select(String, SelectParameters = SelectParameters()), examine(String, SelectParameters = SelectParameters())
    case list(reference: String, pattern: String)
    /// `LIST (selection) reference (patterns) RETURN (…)` (RFC 5258, RFC 5819 LIST-STATUS).
    case extendedList(ListOptions)
    case lsub(reference: String, pattern: String)
    case status(String, [String])
    case check, close, unselect, expunge
    case search(SearchKey, uid: Bool)
    /// `SORT (criteria) charset search-key` (RFC 5256).
    case sort([SortCriterion], SearchKey, uid: Bool)
    /// `THREAD algorithm charset search-key` (RFC 5256 §4).
    case thread(ThreadAlgorithm, SearchKey, uid: Bool)
    /// `SORT RETURN (…) (criteria) charset search-key` (RFC 5267 §3 ESORT): answered with ESEARCH.
    case extendedSort([SortCriterion], SearchKey, uid: Bool, options: [SearchReturnOption])
    /// `SEARCH RETURN (…) criteria` (RFC 4731 ESEARCH): the options asked for; empty means ALL.
    case extendedSearch(SearchKey, uid: Bool, options: [SearchReturnOption])
    /// FETCH or UID FETCH, with CHANGEDSINCE / VANISHED modifiers (RFC 7162).
    case fetch(SequenceSet, [FetchAttribute], uid: Bool, modifiers: FetchModifiers = FetchModifiers())
    /// STORE or UID STORE; `unchangedSince` is the RFC 7162 §3.1.3 conditional.
    case store(SequenceSet, StoreMode, MessageFlags, silent: Bool, uid: Bool, unchangedSince: UInt64? = nil)
    case uidExpunge(SequenceSet)
    case idle
    case id
    case enable([String])
    case namespace
    case starttls
    case create(String), delete(String)
    case rename(String, to: String)
    case subscribe(String), unsubscribe(String)
    /// `APPEND mailbox [flags] [date-time] literal` (RFC 3501 §6.3.11).
    case append(mailbox: String, flags: MessageFlags, date: Date?, message: [UInt8])
    /// APPEND of several messages, all or none (RFC 3502 MULTIAPPEND), or of one sent as
    /// `UTF8 (~{n}…)` (RFC 6855 §4).
    case extendedAppend(mailbox: String, messages: [AppendMessage])
    /// COPY (RFC 3501 §6.4.7) or UID COPY.
    case copy(SequenceSet, mailbox: String, uid: Bool)
    /// MOVE or UID MOVE (RFC 6851).
    case move(SequenceSet, mailbox: String, uid: Bool)
    /// `CANCELUPDATE "tag"…`: ends those live searches (RFC 5267 §4.5).
    case cancelUpdate([String])
    /// A command Letterbox knows but does not offer.
    case unsupported(String)
    /// A well-formed SEARCH or SORT in a charset Letterbox cannot search in: answered with a
    /// tagged `NO [BADCHARSET (…)]` (RFC 3501 §6.4.4, RFC 5256 §3), not BAD.
    case badCharset(String)
}

/// What an ESEARCH response reports (RFC 4731 §3.1).
package enum SearchReturnOption: Sendable, Equatable, Hashable {
    case min, max, all, count
    /// Keeps the result for `$` (RFC 5182 SEARCHRES).
    case save
    /// Keeps the result live: ADDTO and REMOVEFROM as it changes (RFC 5267 §4.3, CONTEXT=SEARCH).
    case update
    /// A hint that the result will be used again (RFC 5267 §4.2); changes nothing.
    case context
    /// `PARTIAL low:high`: the results at these positions, 1-based (RFC 5267 §4.4).
    case partial(ClosedRange<UInt32>)
}

/// How STORE changes flags (RFC 3501 §6.4.6).
package enum StoreMode: Sendable, Equatable { case replace, add, remove }

/// A sequence set: numbers and ranges, `*` meaning the largest (RFC 3501 §9 `sequence-set`).
package struct SequenceSet: Sendable, Equatable {
    package enum Bound: Sendable, Equatable {
        case number(UInt64)
        case last
    }
    package var ranges: [(Bound, Bound)]
    /// `$`: the messages the last `SEARCH RETURN (SAVE …)` found (RFC 5182 §2.1); the session
    /// replaces it with their numbers before the command runs (``ranges`` is then unused).
    package var isSavedResult = false

    package init(ranges: [(Bound, Bound)]) {
        self.ranges = ranges
    }

    /// `$` (RFC 5182).
    package static var savedResult: SequenceSet {
        var set = SequenceSet(ranges: [])
        set.isSavedResult = true
        return set
    }

    package static func == (lhs: SequenceSet, rhs: SequenceSet) -> Bool {
        lhs.isSavedResult == rhs.isSavedResult && lhs.ranges.elementsEqual(rhs.ranges) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// Whether `value` is in the set, where `*` stands for `largest`. Ranges may run in either direction.
    package func contains(_ value: UInt64, largest: UInt64) -> Bool {
        ranges.contains { low, high in
            let a = low.resolved(largest), b = high.resolved(largest)
            return (min(a, b)...max(a, b)).contains(value)
        }
    }
}

extension SequenceSet.Bound {
    func resolved(_ largest: UInt64) -> UInt64 {
        switch self {
        case .number(let value): value
        case .last: largest
        }
    }
}

/// A FETCH data item (RFC 3501 §6.4.5).
package enum FetchAttribute: Sendable, Equatable {
    case envelope, flags, internalDate, uid, bodyStructure, body
    /// `MODSEQ` (RFC 7162 §3.1.4.2).
    case modSeq
    case rfc822, rfc822Header, rfc822Size, rfc822Text
    /// `BODY[section]<partial>` or `BODY.PEEK[…]`.
    case bodySection(BodySection, partial: ClosedRange<Int>?, peek: Bool)
    /// `BINARY[part]<partial>` or `BINARY.PEEK[…]`: the part with its transfer encoding undone
    /// (RFC 3516 §4.2).
    case binary(part: [Int], partial: ClosedRange<Int>?, peek: Bool)
    /// `BINARY.SIZE[part]`: the octets ``binary(part:partial:peek:)`` would send (RFC 3516 §4.2).
    case binarySize(part: [Int])
}

/// The `section` of `BODY[section]` (RFC 3501 §6.4.5).
package struct BodySection: Sendable, Equatable {
    package enum Text: Sendable, Equatable {
        case header
        case headerFields([String], not: Bool)
        case text
        case mime
    }
    /// Part numbers, e.g. `[1, 2]` for `1.2`; empty for the whole message.
    package var part: [Int]
    package var text: Text?

    package init(part: [Int] = [], text: Text? = nil) {
        self.part = part
        self.text = text
    }
}

/// A SEARCH criterion (RFC 3501 §6.4.4).
package indirect enum SearchKey: Sendable, Equatable {
    case all
    case and([SearchKey])
    case or(SearchKey, SearchKey)
    case not(SearchKey)
    case flag(String, set: Bool)
    case new, old, recent
    case header(String, String)
    case body(String), text(String)
    case larger(Int), smaller(Int)
    case before(SearchDate), on(SearchDate), since(SearchDate)
    case sentBefore(SearchDate), sentOn(SearchDate), sentSince(SearchDate)
    case sequence(SequenceSet)
    case uid(SequenceSet)
    /// `MODSEQ [entry-name entry-type] n`: a mod-sequence of at least n (RFC 7162 §3.1.5).
    case modSeq(UInt64)
}

/// A calendar day in a SEARCH (`1-Feb-1994`), compared by day only (RFC 3501 §6.4.4).
package struct SearchDate: Sendable, Equatable, Comparable {
    package var year: Int, month: Int, day: Int

    package init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    package static func < (lhs: SearchDate, rhs: SearchDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
