import LetterboxStore
import LetterboxThreads

/// SEARCH, SORT and ESEARCH of ``IMAPSession`` (RFC 3501 §6.4.4, RFC 5256, RFC 4731).
///
/// A scan whose cost grows with the mailbox and with the messages' contents runs on the store's
/// reading threads while the session's task is suspended, so a `SEARCH TEXT` over 20,000
/// messages (or a disk store's files read for it) does not stall the event loop, and with it
/// every other connection it serves. A scan of flags, UIDs, sequence numbers or arrival dates
/// over a mailbox of modest size costs microseconds and stays where it is.
extension IMAPSession {
    /// Messages a scan that reads nothing but the index may cover on the event loop.
    static let inlineScanLimit = 5_000

    /// The UIDs or sequence numbers of the messages that match, ascending.
    func search(_ key: SearchKey, uid: Bool) async -> [UInt64] {
        let positions = await matchingPositions(key)
        return positions.map { uid ? entries[$0].uid : UInt64($0 + 1) }
    }

    /// The matching messages in SORT order (RFC 5256), as UIDs or sequence numbers.
    func sort(_ key: SearchKey, by criteria: [SortCriterion], uid: Bool) async -> [UInt64] {
        let mailbox = scan(for: key)
        let sequences: [Int]
        let work: @Sendable () -> [Int] = {
            let items = mailbox.matchingPositions(key).map {
                SortOrder.Item(sequence: $0 + 1, message: mailbox.candidates[$0].message)
            }
            return SortOrder.sorted(items, by: criteria).map(\.sequence)
        }
        // Every criterion but ARRIVAL and SIZE reads the messages' headers (as `SortOrder` does).
        if Self.mustOffload(key, count: entries.count)
            || criteria.contains(where: { $0.key != .arrival && $0.key != .size })
        {
            sequences = await BlockingPool.offload(work)
        } else {
            sequences = work()
        }
        return sequences.map { uid ? entries[$0 - 1].uid : UInt64($0) }
    }

    /// The indexes in ``entries`` of the messages that match `key`, ascending.
    func matchingPositions(_ key: SearchKey) async -> [Int] {
        let mailbox = scan(for: key)
        guard Self.mustOffload(key, count: entries.count) else { return mailbox.matchingPositions(key) }
        return await BlockingPool.offload { mailbox.matchingPositions(key) }
    }

    /// Whether scanning `count` messages for `key` belongs on the reading threads.
    static func mustOffload(_ key: SearchKey, count: Int) -> Bool {
        key.readsMessages || count > inlineScanLimit
    }

    private func scan(for key: SearchKey) -> MailboxScan {
        let candidates = entries.enumerated().map { index, entry in
            SearchEvaluator.Candidate(
                sequence: UInt64(index + 1), uid: entry.uid, message: entry.message, flags: entry.flags,
                recent: recent.contains(entry.message.id), modSeq: entry.modSeq)
        }
        let evaluator = SearchEvaluator(largestSequence: UInt64(entries.count), largestUID: entries.last?.uid ?? 0)
        return MailboxScan(candidates: candidates, evaluator: evaluator)
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
