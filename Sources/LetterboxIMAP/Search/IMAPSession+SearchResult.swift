/// SEARCHRES (RFC 5182: `RETURN (SAVE)` and `$`) and ESORT (RFC 5267 §3: `SORT RETURN (…)`
/// answered with ESEARCH) of ``IMAPSession``.
///
/// The saved result is kept as UIDs: a message expunged meanwhile simply drops out of it
/// (RFC 5182 §2.1), and `$` in a command by sequence number names the saved messages' current
/// numbers. Selecting another mailbox (or none) empties it.
extension IMAPSession {
    /// `SEARCH RETURN (…)` (RFC 4731), saving the result when SAVE is among the options; with
    /// SAVE alone no ESEARCH response is sent (RFC 5182 §2.1). The result is numbered and the
    /// ESEARCH written where the scan ran (off the event loop for a large mailbox).
    mutating func extendedSearch(
        _ key: SearchKey, uid: Bool, options: [SearchReturnOption], tag: String, into out: inout IMAPWriter
    ) async {
        let reported = options.filter { $0 != .save }
        let writes = !(options.contains(.save) && reported.isEmpty)
        let withModSeq = key.usesModSeq
        let (uids, line) = await scanned(key) { mailbox, positions -> ([UInt64], String?) in
            let uids = positions.map { mailbox.number(at: $0, uid: true) }
            guard writes else { return (uids, nil) }
            // RFC 7162 §3.1.5: a search naming MODSEQ reports the highest mod-sequence found.
            let modSeq = withModSeq ? positions.map { mailbox.candidates[$0].modSeq }.max() : nil
            let numbers = uid ? uids : positions.map { UInt64($0 + 1) }
            return (uids, Self.esearch(numbers, tag: tag, uid: uid, options: reported, modSeq: modSeq))
        }
        save(uids, options: options)
        if options.contains(.update) {
            keepLive(tag: tag, key: key, uid: uid, criteria: nil, uids: uids, into: &out)
        }
        if withModSeq { enableCondStore(into: &out) }
        if let line { out.raw(line) }
    }

    /// `SORT RETURN (…)` (RFC 5267 §3): the sorted result as ESEARCH, ALL in sort order.
    mutating func extendedSort(
        _ key: SearchKey, by criteria: [SortCriterion], uid: Bool, options: [SearchReturnOption], tag: String,
        into out: inout IMAPWriter
    ) async {
        let (uids, numbers) = await sorted(key, by: criteria) { mailbox, sequences in
            (
                sequences.map { mailbox.number(at: $0 - 1, uid: true) },
                sequences.map { mailbox.number(at: $0 - 1, uid: uid) }
            )
        }
        save(uids, options: options)
        if options.contains(.update) {
            keepLive(tag: tag, key: key, uid: uid, criteria: criteria, uids: uids, into: &out)
        }
        let reported = options.filter { $0 != .save }
        guard !(options.contains(.save) && reported.isEmpty) else { return }
        out.raw(Self.esearch(numbers, tag: tag, uid: uid, options: reported))
    }

    /// Keeps the messages of `uids` for `$` when SAVE was asked for: all of them, or only the
    /// lowest and highest when MIN or MAX come without ALL or COUNT (RFC 5182 §2.1).
    private mutating func save(_ uids: [UInt64], options: [SearchReturnOption]) {
        guard options.contains(.save) else { return }
        let extremesOnly =
            !options.contains(.all) && !options.contains(.count) && (options.contains(.min) || options.contains(.max))
        var kept = uids
        if extremesOnly, let low = uids.min(), let high = uids.max() {
            kept = (options.contains(.min) ? [low] : []) + (options.contains(.max) && high != low ? [high] : [])
        }
        savedResult = kept.sorted()
    }

    /// RFC 5182 §2.1: a SEARCH (or SORT) with SAVE answered NO empties `$`; one answered BAD
    /// leaves it as it was (as Dovecot does).
    mutating func forgetSavedResult(after result: String, _ preamble: SearchPreamble?) {
        if preamble?.saves == true && result.hasPrefix("NO") { savedResult = [] }
    }

    /// `command` with every `$` replaced by the saved messages: their UIDs in a UID command or a
    /// search key, their current sequence numbers in a command by number.
    func resolvingSavedResult(_ command: IMAPCommand) -> IMAPCommand {
        switch command {
        case .fetch(let set, let attributes, let uid, let modifiers):
            .fetch(resolved(set, uid: uid), attributes, uid: uid, modifiers: modifiers)
        case .store(let set, let mode, let flags, let silent, let uid, let unchangedSince):
            .store(resolved(set, uid: uid), mode, flags, silent: silent, uid: uid, unchangedSince: unchangedSince)
        case .copy(let set, let mailbox, let uid): .copy(resolved(set, uid: uid), mailbox: mailbox, uid: uid)
        case .move(let set, let mailbox, let uid): .move(resolved(set, uid: uid), mailbox: mailbox, uid: uid)
        case .uidExpunge(let set): .uidExpunge(resolved(set, uid: true))
        case .search(let key, let uid): .search(resolved(key), uid: uid)
        case .extendedSearch(let key, let uid, let options): .extendedSearch(resolved(key), uid: uid, options: options)
        case .sort(let criteria, let key, let uid): .sort(criteria, resolved(key), uid: uid)
        case .thread(let algorithm, let key, let uid): .thread(algorithm, resolved(key), uid: uid)
        case .extendedSort(let criteria, let key, let uid, let options):
            .extendedSort(criteria, resolved(key), uid: uid, options: options)
        default: command
        }
    }

    private func resolved(_ set: SequenceSet, uid: Bool) -> SequenceSet {
        guard set.isSavedResult else { return set }
        if uid { return Self.sequenceSet(savedResult) }
        let saved = Set(savedResult)
        return Self.sequenceSet(entries.indices.filter { saved.contains(entries[$0].uid) }.map { UInt64($0 + 1) })
    }

    private func resolved(_ key: SearchKey) -> SearchKey {
        switch key {
        case .sequence(let set) where set.isSavedResult, .uid(let set) where set.isSavedResult:
            .uid(Self.sequenceSet(savedResult))
        case .and(let keys): .and(keys.map(resolved))
        case .or(let first, let second): .or(resolved(first), resolved(second))
        case .not(let inner): .not(resolved(inner))
        default: key
        }
    }

    /// Ascending `numbers` as a set of runs (empty when there are none: it names no message).
    static func sequenceSet(_ numbers: [UInt64]) -> SequenceSet {
        var ranges: [(SequenceSet.Bound, SequenceSet.Bound)] = []
        for number in numbers {
            if let last = ranges.last, case .number(let high) = last.1, high + 1 == number {
                ranges[ranges.count - 1].1 = .number(number)
            } else {
                ranges.append((.number(number), .number(number)))
            }
        }
        return SequenceSet(ranges: ranges)
    }
}
