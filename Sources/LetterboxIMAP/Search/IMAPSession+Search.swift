import LetterboxStore
import LetterboxThreads

/// SEARCH, SORT and ESEARCH of ``IMAPSession`` (RFC 3501 §6.4.4, RFC 5256, RFC 4731).
///
/// A scan whose cost grows with the mailbox and with the messages' contents runs on the store's
/// reading threads while the session's task is suspended, so a `SEARCH TEXT` over 20,000
/// messages (or a disk store's files read for it) does not stall the event loop, and with it
/// every other connection it serves. The candidates it judges are made there, and for SEARCH,
/// SORT and THREAD the result is numbered and the response written there too: each grows with
/// the mailbox. A scan of flags, UIDs, sequence numbers or arrival dates over a mailbox of modest
/// size costs microseconds and stays where it is.
extension IMAPSession {
    /// Messages a scan that reads nothing but the index may cover on the event loop.
    static let inlineScanLimit = 5_000

    /// The `* SEARCH` response (RFC 3501 §7.2.5) for the messages that match `key`; with
    /// `withModSeq`, ` (MODSEQ n)` for the highest mod-sequence among them (RFC 7162 §3.1.5).
    /// A scan that leaves the event loop numbers and writes its result there too: both grow with
    /// the mailbox.
    func searchResponse(_ key: SearchKey, uid: Bool, withModSeq: Bool) async -> String {
        await scanned(key) { mailbox, positions in
            let modSeq = withModSeq ? positions.map { mailbox.candidates[$0].modSeq }.max() : nil
            return "* SEARCH" + positions.map { " \(mailbox.number(at: $0, uid: uid))" }.joined()
                + (modSeq.map { " (MODSEQ \($0))" } ?? "") + "\r\n"
        }
    }

    /// The matching messages in SORT order (RFC 5256), as UIDs or sequence numbers.
    func sort(_ key: SearchKey, by criteria: [SortCriterion], uid: Bool) async -> [UInt64] {
        await sorted(key, by: criteria) { mailbox, sequences in
            sequences.map { mailbox.number(at: $0 - 1, uid: uid) }
        }
    }

    /// The `* SORT` response (RFC 5256 §4) for the messages that match `key`, written where the
    /// sort ran.
    func sortResponse(_ key: SearchKey, by criteria: [SortCriterion], uid: Bool) async -> String {
        await sorted(key, by: criteria) { mailbox, sequences in
            "* SORT" + sequences.map { " \(mailbox.number(at: $0 - 1, uid: uid))" }.joined() + "\r\n"
        }
    }

    /// What `finish` makes of the sequence numbers of the messages that match `key`, in SORT
    /// order, on the reading threads when the sort or the scan must leave the event loop.
    func sorted<Value: Sendable>(
        _ key: SearchKey, by criteria: [SortCriterion],
        _ finish: @escaping @Sendable (MailboxScan, [Int]) -> Value
    ) async -> Value {
        // Every criterion but ARRIVAL reads the messages (as `SortOrder` does): their headers, or
        // for SIZE their bytes, which a size not known yet is counted from.
        let offload = Self.mustOffload(key, count: entries.count) || criteria.contains { $0.key != .arrival }
        return await scanned(key, offload: offload) { mailbox, positions in
            let items = positions.map { SortOrder.Item(sequence: $0 + 1, message: mailbox.candidates[$0].message) }
            return finish(mailbox, SortOrder.sorted(items, by: criteria).map(\.sequence))
        }
    }

    /// The indexes in ``entries`` of the messages that match `key`, ascending.
    func matchingPositions(_ key: SearchKey) async -> [Int] {
        await scanned(key) { _, positions in positions }
    }

    /// What `finish` makes of the indexes in ``entries`` of the messages that match `key`: the
    /// scan, the candidates it judges and `finish` (which numbers or writes the result) run in
    /// one job on the reading threads when the scan must leave the event loop (`offload`, by
    /// default ``mustOffload(_:count:)``), else here.
    func scanned<Value: Sendable>(
        _ key: SearchKey, offload: Bool? = nil, _ finish: @escaping @Sendable (MailboxScan, [Int]) -> Value
    ) async -> Value {
        let (entries, recent) = (entries, recent)
        let work: @Sendable () -> Value = {
            let mailbox = MailboxScan(entries: entries, recent: recent)
            return finish(mailbox, mailbox.matchingPositions(key))
        }
        guard offload ?? Self.mustOffload(key, count: entries.count) else { return work() }
        return await BlockingPool.offload(work)
    }

    /// Whether scanning `count` messages for `key` belongs on the reading threads.
    static func mustOffload(_ key: SearchKey, count: Int) -> Bool {
        key.readsMessages || count > inlineScanLimit
    }

    /// `* ESEARCH (TAG "a") UID MIN 1 MAX 9 ALL 1,4:5 COUNT 3` (RFC 4731 §3.1): nothing but the
    /// correlator when nothing matched and COUNT was not asked for; no options means ALL.
    static func esearch(
        _ found: [UInt64], tag: String, uid: Bool, options: [SearchReturnOption], modSeq: UInt64? = nil
    ) -> String {
        // CONTEXT is only a hint (RFC 5267 §4.2): with nothing else asked for, ALL is meant.
        let meaningful = options.filter { $0 != .context }
        let wanted = meaningful.isEmpty ? [.all] : meaningful
        var line = "* ESEARCH (TAG \"\(tag)\")" + (uid ? " UID" : "")
        if let first = found.first, let last = found.last {
            if wanted.contains(.min) { line += " MIN \(first)" }
            if wanted.contains(.max) { line += " MAX \(last)" }
        }
        // ALL before COUNT, as Dovecot writes them (RFC 4731 §3.1 leaves the order free).
        if wanted.contains(.all) && !found.isEmpty { line += " ALL \(uidSet(found))" }
        for case .partial(let range) in wanted { line += partialResult(found, range) }
        if wanted.contains(.count) { line += " COUNT \(found.count)" }
        // RFC 7162 §3.1.5: the highest mod-sequence of the messages found.
        if let modSeq { line += " MODSEQ \(modSeq)" }
        return line + "\r\n"
    }
}

/// The messages of a mailbox as one SEARCH sees them, with what it needs to judge them: a value
/// that can be handed to another thread.
struct MailboxScan: Sendable {
    let candidates: [SearchEvaluator.Candidate]
    let evaluator: SearchEvaluator

    /// The session's view of the mailbox (`entries`, the \Recent messages among them) as candidates.
    init(entries: [IMAPSession.Entry], recent: Set<UInt64>) {
        candidates = entries.enumerated().map { index, entry in
            SearchEvaluator.Candidate(
                sequence: UInt64(index + 1), uid: entry.uid, message: entry.message, flags: entry.flags,
                recent: recent.contains(entry.message.id), modSeq: entry.modSeq)
        }
        evaluator = SearchEvaluator(largestSequence: UInt64(entries.count), largestUID: entries.last?.uid ?? 0)
    }

    /// The UID or the sequence number of the message at `index`.
    func number(at index: Int, uid: Bool) -> UInt64 { uid ? candidates[index].uid : candidates[index].sequence }

    /// The positions in ``candidates`` of the messages that match, ascending.
    func matchingPositions(_ key: SearchKey) -> [Int] {
        let compiled = evaluator.compile(key)
        return candidates.indices.filter { evaluator.matches(compiled, candidates[$0]) }
    }
}

extension SearchKey {
    /// Whether judging a message by this key reads its bytes (headers, text, size), not only
    /// the index (flags, UIDs, sequence numbers, arrival time).
    var readsMessages: Bool {
        switch self {
        case .all, .flag, .new, .old, .recent, .before, .on, .since, .sequence, .uid, .modSeq: false
        case .header, .body, .text, .larger, .smaller, .sentBefore, .sentOn, .sentSince: true
        case .and(let keys): keys.contains { $0.readsMessages }
        case .or(let first, let second): first.readsMessages || second.readsMessages
        case .not(let inner): inner.readsMessages
        }
    }
}
