import LetterboxStore

/// What a session knows of RFC 7162 (CONDSTORE and QRESYNC).
struct CondStoreState: Sendable {
    /// A CONDSTORE enabling command was seen (§3.1): every FETCH response with FLAGS carries
    /// MODSEQ, and unsolicited ones also the UID, until the connection ends.
    var enabled = false
    /// ENABLE QRESYNC was seen (§3.2.3): VANISHED replaces EXPUNGE, SELECT takes QRESYNC and
    /// UID FETCH takes VANISHED.
    var qresync = false
    /// The selected mailbox's HIGHESTMODSEQ as far as the client has been told of its changes:
    /// a client that caches it and reconnects misses nothing (§3.1.2.1).
    var highestModSeq: UInt64 = 0
    /// A `VANISHED` (not EARLIER) went out during the current command, see ``IMAPSession/completion(_:)``.
    var reportedVanished = false
}

/// CONDSTORE and QRESYNC of ``IMAPSession`` (RFC 7162): ENABLE, the SELECT/EXAMINE parameters
/// with their resynchronization, MODSEQ in FETCH and SEARCH, `CHANGEDSINCE`, `UNCHANGEDSINCE`,
/// and `VANISHED` in place of `EXPUNGE`.
extension IMAPSession {
    /// ENABLE (RFC 5161 §3.1): `* ENABLED` with those of `names` that ``IMAPCapability/all`` marks
    /// enable-able, in the client's order; ENABLE QRESYNC enables CONDSTORE too (RFC 7162 §3.2.3).
    mutating func enable(_ names: [String], into out: inout IMAPWriter) {
        var enabled: [String] = []
        for name in names {
            guard let capability = IMAPCapability.enableable(name), !enabled.contains(capability.name) else {
                continue
            }
            enabled.append(capability.name)
            switch capability.name {
            case "UTF8=ACCEPT": utf8Accepted = true
            case "IMAP4rev2": imap4rev2 = true
            case "QRESYNC": condStore.qresync = true
            default: break
            }
        }
        out.raw("* ENABLED" + enabled.map { " \($0)" }.joined() + "\r\n")
        if enabled.contains("CONDSTORE") || enabled.contains("QRESYNC") { enableCondStore(into: &out) }
    }

    /// A CONDSTORE enabling command (RFC 7162 §3.1). The first one while a mailbox is selected
    /// reports that mailbox's HIGHESTMODSEQ, which SELECT left out.
    mutating func enableCondStore(into out: inout IMAPWriter) {
        guard !condStore.enabled else { return }
        condStore.enabled = true
        if state == .selected { out.raw("* OK [HIGHESTMODSEQ \(condStore.highestModSeq)] Highest\r\n") }
    }

    // MARK: SELECT and EXAMINE

    /// Before SELECT/EXAMINE closes the selected mailbox: the parameters are checked (nil when
    /// they are fine, else the BAD), `[CLOSED]` marks the boundary for a QRESYNC client (§3.2.11),
    /// and `(CONDSTORE)` or `(QRESYNC …)` enable CONDSTORE (§3.1, §3.2.5).
    mutating func prepareSelection(_ parameters: SelectParameters, into out: inout IMAPWriter) -> String? {
        if parameters.qresync != nil && !condStore.qresync {
            // §3.2.5: QRESYNC before ENABLE QRESYNC is a BAD.
            return "BAD the QRESYNC parameter needs ENABLE QRESYNC first"
        }
        // Also for IMAP4rev2 (RFC 9051 §6.3.2, Appendix E item 9).
        if state == .selected && (condStore.qresync || imap4rev2) {
            out.raw("* OK [CLOSED] Previous mailbox closed\r\n")
        }
        if parameters.condStore || parameters.qresync != nil { condStore.enabled = true }
        return nil
    }

    /// After SELECT/EXAMINE's untagged data: `[HIGHESTMODSEQ]` once CONDSTORE is enabled, then,
    /// for `(QRESYNC …)` with the current UIDVALIDITY, what changed since the client's mod-sequence
    /// (§3.2.5.1): `VANISHED (EARLIER)` and a FETCH of UID, FLAGS and MODSEQ per changed message,
    /// both limited to the known UIDs when the client gave them.
    ///
    /// Dovecot leaves `[HIGHESTMODSEQ]` out until CONDSTORE is enabled, and so does Letterbox:
    /// RFC 7162 §3.1.2.1 asks for it on every SELECT, but a client that means to use it enables
    /// CONDSTORE first (by ENABLE or the parameter), and every other client sees what it saw before.
    mutating func finishSelection(_ parameters: SelectParameters, mailbox: Mailbox, into out: inout IMAPWriter) {
        condStore.highestModSeq = mailbox.highestModSeq
        guard condStore.enabled else { return }
        out.raw("* OK [HIGHESTMODSEQ \(mailbox.highestModSeq)] Highest\r\n")
        guard let resync = parameters.qresync, resync.uidValidity == mailbox.uidValidity else { return }
        let known = resync.knownUIDs.map(Self.vanishedScope)
        let vanished = vanishedUIDs(
            since: resync.modSeq, within: known, agreedThrough: agreedUID(resync.sequenceMatch))
        if !vanished.isEmpty { out.raw("* VANISHED (EARLIER) \(vanished)\r\n") }
        for index in entries.indices
        where entries[index].modSeq > resync.modSeq && known?.contains(entries[index].uid) ?? true {
            writeFlagUpdate(at: index, uid: true, resync: true, into: &out)
        }
    }

    /// The highest UID the client's sequence-match data shows it agrees on with the server
    /// (RFC 7162 §3.2.5.2): if the client's message number n has the UID it has here now,
    /// nothing the client knew below that UID was expunged (UIDs only grow). 0 when none agrees,
    /// the data is malformed, or it pairs more numbers than are worth checking.
    func agreedUID(_ match: QResyncParameters.SequenceMatch?) -> UInt64 {
        guard let match else { return 0 }
        let sequences = ResolvedSequenceSet(match.sequences, largest: UInt64(entries.count)).ranges.joined()
        let uids = ResolvedSequenceSet(match.uids, largest: entries.last?.uid ?? 0).ranges.joined()
        var agreed: UInt64 = 0
        for (sequence, uid) in zip(sequences, uids).prefix(100_000) {
            guard sequence >= 1, sequence <= UInt64(entries.count) else { break }
            if entries[Int(sequence - 1)].uid == uid { agreed = max(agreed, uid) }
        }
        return agreed
    }

    /// The UIDs in `within` (all when nil) expunged from the selected mailbox with a mod-sequence
    /// above `modSeq`, as a UID set (empty when none). When the store no longer remembers that far
    /// back (a restart, or more expunges than it keeps), every UID in `within` above
    /// `agreedThrough` that is not in the mailbox and may have been used (below UIDNEXT and below
    /// the store's next id, which a restarted disk store's UIDNEXT may lag): a superset, as
    /// RFC 7162 §3.2.5.2 allows.
    func vanishedUIDs(since modSeq: UInt64, within: ResolvedSequenceSet?, agreedThrough: UInt64 = 0) -> String {
        if let exact = store.expunged(from: selected, since: modSeq) {
            return Self.uidSet(within.map { set in exact.filter(set.contains) } ?? exact)
        }
        // UIDNEXT and the next id, not a walk of the mailbox: this answers FETCH on the event loop.
        let lastUID = max(store.mailbox(named: selected)?.nextUID ?? 1, store.nextMessageID, 2) - 1
        let present = entries.lazy.map(\.uid)
        var missing: [ClosedRange<UInt64>] = []
        for range in within?.ranges ?? [1...lastUID] {
            let low = max(range.lowerBound, agreedThrough + 1)
            let high = min(range.upperBound, lastUID)
            guard low <= high else { continue }
            missing += Self.gaps(in: low...high, around: present)
        }
        return missing.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound):\($0.upperBound)" }
            .joined(separator: ",")
    }

    /// A UID set from a client, for VANISHED: `*` reaches every UID that may ever have been used,
    /// not only the largest one still there (those above it may be the ones that went).
    static func vanishedScope(_ set: SequenceSet) -> ResolvedSequenceSet {
        ResolvedSequenceSet(set, largest: UInt64(Int64.max))
    }

    /// The parts of `range` that hold none of `present` (ascending).
    static func gaps<UIDs: RandomAccessCollection<UInt64>>(in range: ClosedRange<UInt64>, around present: UIDs)
        -> [ClosedRange<UInt64>]
    {
        // The first present UID at or above the range's start, by binary search.
        let low = present.partitioningIndex { $0 >= range.lowerBound }
        var gaps: [ClosedRange<UInt64>] = []
        var start = range.lowerBound
        for uid in present[low...] {
            guard uid <= range.upperBound else { break }
            if uid > start { gaps.append(start...(uid - 1)) }
            start = uid + 1
        }
        if start <= range.upperBound { gaps.append(start...range.upperBound) }
        return gaps
    }

    // MARK: Untagged updates

    /// `* n FETCH (…)` telling the client the flags of the message at `index` (after STORE, a
    /// change elsewhere, or a resynchronization), in Dovecot's shape. Before CONDSTORE:
    /// `FLAGS (…) [UID u]`. After: `[UID u] MODSEQ (m) FLAGS (…)`, FLAGS left out for a .SILENT
    /// STORE, whose new mod-sequence the client still hears of (RFC 7162 §3.1.3); the UID is there
    /// when asked or once QRESYNC is enabled (§3.2.4: VANISHED speaks of UIDs). A resynchronizing
    /// SELECT sends `UID u FLAGS (…) MODSEQ (m)` (§3.2.5.1).
    func writeFlagUpdate(at index: Int, uid: Bool, flags: Bool = true, resync: Bool = false, into out: inout IMAPWriter)
    {
        let entry = entries[index]
        func writeFlags() {
            out.raw("FLAGS ")
            out.flags(Self.flagNames(entry.flags, recent: recent.contains(entry.message.id)))
        }
        out.raw("* \(index + 1) FETCH (")
        if resync {
            out.raw("UID \(entry.uid) ")
            writeFlags()
            out.raw(" MODSEQ (\(entry.modSeq))")
        } else if condStore.enabled {
            if uid || condStore.qresync { out.raw("UID \(entry.uid) ") }
            out.raw("MODSEQ (\(entry.modSeq))")
            if flags {
                out.raw(" ")
                writeFlags()
            }
        } else {
            writeFlags()
            if uid { out.raw(" UID \(entry.uid)") }
        }
        out.raw(")\r\n")
    }

    /// Tells the client that the messages at `indexes` are gone: `* n EXPUNGE` for each, highest
    /// first so the numbers stay right, or once QRESYNC is enabled one `* VANISHED` with their
    /// UIDs (RFC 7162 §3.2.10). The caller removes them from ``entries`` afterwards.
    mutating func writeExpunged(_ indexes: [Int], into out: inout IMAPWriter) {
        guard !indexes.isEmpty else { return }
        out.raw(removeExpungedFromContexts(indexes))
        if condStore.qresync {
            condStore.reportedVanished = true
            out.raw("* VANISHED \(Self.uidSet(indexes.map { entries[$0].uid }.sorted()))\r\n")
        } else {
            for index in indexes.sorted(by: >) { out.raw("* \(index + 1) EXPUNGE\r\n") }
        }
    }

    // MARK: FETCH, STORE, SEARCH

    /// FETCH's RFC 7162 part before any message is answered: checks the modifiers (nil when they
    /// are fine, else the BAD), enables CONDSTORE for MODSEQ or CHANGEDSINCE, and writes
    /// `VANISHED (EARLIER)` for the VANISHED modifier (§3.2.6).
    mutating func prepareFetch(
        _ set: SequenceSet, attributes: [FetchAttribute], modifiers: FetchModifiers, into out: inout IMAPWriter
    ) -> String? {
        if modifiers.vanished && !condStore.qresync { return "BAD VANISHED needs ENABLE QRESYNC first" }
        if attributes.contains(.modSeq) || modifiers.changedSince != nil { enableCondStore(into: &out) }
        if modifiers.vanished, let since = modifiers.changedSince {
            let vanished = vanishedUIDs(since: since, within: Self.vanishedScope(set))
            if !vanished.isEmpty { out.raw("* VANISHED (EARLIER) \(vanished)\r\n") }
        }
        return nil
    }

    /// The attributes a FETCH answers: MODSEQ added when CHANGEDSINCE asks for changes (RFC 7162
    /// §3.1.4.1). A plain FETCH FLAGS gets none, as in Dovecot.
    func fetchAttributes(_ attributes: [FetchAttribute], modifiers: FetchModifiers) -> [FetchAttribute] {
        guard !attributes.contains(.modSeq), modifiers.changedSince != nil else { return attributes }
        return attributes + [.modSeq]
    }

    /// The mod-sequence of each entry at `indexes` as the store has it now.
    mutating func refreshModSeqs(_ indexes: some Sequence<Int>) {
        for index in indexes {
            if let modSeq = store.modSeq(of: entries[index].message.id) { entries[index].modSeq = modSeq }
        }
    }
}

extension SearchKey {
    /// Whether the key names MODSEQ anywhere.
    var usesModSeq: Bool {
        switch self {
        case .modSeq: true
        case .and(let keys): keys.contains { $0.usesModSeq }
        case .or(let first, let second): first.usesModSeq || second.usesModSeq
        case .not(let inner): inner.usesModSeq
        default: false
        }
    }
}

extension IMAPSession {
    /// The tagged completion, with `[HIGHESTMODSEQ n]` on an OK without a code when the command's
    /// response told a QRESYNC client of expunges (`VANISHED`), so the client can store the value
    /// that covers them (RFC 7162 §3.2.10; Dovecot does this for EXPUNGE, NOOP and the rest).
    mutating func completion(_ result: String) -> String {
        guard condStore.reportedVanished else { return result }
        condStore.reportedVanished = false
        guard result.hasPrefix("OK "), !result.hasPrefix("OK [") else { return result }
        return "OK [HIGHESTMODSEQ \(condStore.highestModSeq)] " + result.dropFirst(3)
    }
}
