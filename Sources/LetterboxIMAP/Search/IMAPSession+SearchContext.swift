import LetterboxStore

/// A live search (RFC 5267 §4, CONTEXT=SEARCH and CONTEXT=SORT): a `SEARCH` or `SORT` with the
/// UPDATE return option whose result the session keeps current, telling the client with
/// `* ESEARCH (TAG "…") ADDTO (…)` and `REMOVEFROM (…)` as messages arrive, change flags or go.
struct SearchContext: Sendable {
    /// The tag of the command that made it: the client's name for it (CANCELUPDATE names it).
    let tag: String
    let key: SearchKey
    /// Reported by UID (a UID SEARCH or UID SORT), else by sequence number.
    let uid: Bool
    /// The SORT criteria; nil for a SEARCH.
    let criteria: [SortCriterion]?
    /// The UIDs of the result as the client last heard it: ascending, or in sort order.
    var uids: [UInt64]
}

/// The live searches of one session, for the selected mailbox only.
struct SearchContexts: Sendable {
    /// At most this many live searches per session, as Dovecot (`CLIENT_MAX_SEARCH_UPDATES`):
    /// one more is answered `* NO [NOUPDATE "tag"]` and searched once, without updates
    /// (RFC 5267 §4.2). Each re-runs its search after every change of the mailbox.
    static let limit = 10
    var live: [SearchContext] = []
    /// The session's view of the mailbox when the results were last brought up to date.
    var evaluatedView = 0
}

extension IMAPSession {
    /// A SEARCH or SORT with UPDATE: BAD for a tag that already names a live search (the client's
    /// updates could not be told apart), else nil.
    func contextRefusal(tag: String, options: [SearchReturnOption]) -> String? {
        guard options.contains(.update), searchContexts.live.contains(where: { $0.tag == tag }) else { return nil }
        return "BAD a live search already has the tag \(tag) (RFC 5267 §4.2)"
    }

    /// Keeps the result of a SEARCH or SORT with UPDATE live, unless the session already keeps
    /// ``SearchContexts/limit`` of them: then `* NO [NOUPDATE "tag"]` (RFC 5267 §4.2).
    mutating func keepLive(
        tag: String, key: SearchKey, uid: Bool, criteria: [SortCriterion]?, uids: [UInt64],
        into out: inout IMAPWriter
    ) {
        guard searchContexts.live.count < SearchContexts.limit else {
            out.raw(
                "* NO [NOUPDATE \(Self.quoted(tag))] at most \(SearchContexts.limit) searches are kept up to date\r\n")
            return
        }
        searchContexts.live.append(
            SearchContext(tag: tag, key: key, uid: uid, criteria: criteria, uids: uids))
        if searchContexts.live.count == 1 { searchContexts.evaluatedView = viewFingerprint() }
    }

    /// `CANCELUPDATE "a" "b"` (RFC 5267 §4.5): NO when a tag names no live search (as Dovecot),
    /// those before it being cancelled.
    mutating func cancelUpdates(_ tags: [String]) -> String {
        for tag in tags {
            guard let index = searchContexts.live.firstIndex(where: { $0.tag == tag }) else {
                return "NO no live search has the tag \(tag)"
            }
            searchContexts.live.remove(at: index)
        }
        return "OK CANCELUPDATE completed"
    }

    /// Before the EXPUNGE (or VANISHED) of the messages at `indexes`: REMOVEFROM for every live
    /// result that holds them, while their sequence numbers still mean them.
    mutating func removeExpungedFromContexts(_ indexes: [Int]) -> String {
        guard !searchContexts.live.isEmpty else { return "" }
        let gone = Dictionary(indexes.map { (entries[$0].uid, $0) }, uniquingKeysWith: { a, _ in a })
        var lines = ""
        for position in searchContexts.live.indices {
            let context = searchContexts.live[position]
            let removed = context.uids.filter { gone[$0] != nil }
            guard !removed.isEmpty else { continue }
            searchContexts.live[position].uids.removeAll { gone[$0] != nil }
            let numbers =
                context.uid ? removed.sorted() : removed.compactMap { gone[$0] }.map { UInt64($0 + 1) }.sorted()
            lines += Self.contextUpdate(context, removed: numbers, added: [])
        }
        return lines
    }

    /// Stands for what this session was told of the mailbox: its messages and their flags. A
    /// change another session made is part of it once this session has reported it, so a live
    /// result never names a message or a flag state the client has not heard of.
    private func viewFingerprint() -> Int {
        var hasher = Hasher()
        hasher.combine(entries.count)
        for entry in entries {
            hasher.combine(entry.uid)
            hasher.combine(entry.flags)
        }
        return hasher.finalize()
    }

    /// Re-runs every live search once the session's view of the mailbox changed (messages
    /// reported, flags changed, here or elsewhere); writes what left and what joined each result.
    /// Searches that read messages run on the store's reading threads, as SEARCH and SORT do.
    mutating func updateSearchContexts(into out: inout IMAPWriter) async {
        guard state == .selected, !searchContexts.live.isEmpty else { return }
        let fingerprint = viewFingerprint()
        guard fingerprint != searchContexts.evaluatedView else { return }
        searchContexts.evaluatedView = fingerprint
        let indexOf = Dictionary(entries.indices.map { (entries[$0].uid, $0) }, uniquingKeysWith: { a, _ in a })
        for position in searchContexts.live.indices {
            let context = searchContexts.live[position]
            let now: [UInt64]
            if let criteria = context.criteria {
                now = await sort(context.key, by: criteria, uid: true)
            } else {
                now = await matchingPositions(context.key).map { entries[$0].uid }
            }
            let before = Set(context.uids), after = Set(now)
            let removed = context.uids.filter { !after.contains($0) }
            guard !removed.isEmpty || now.contains(where: { !before.contains($0) }) else { continue }
            searchContexts.live[position].uids = now
            let number = { (uid: UInt64) in context.uid ? uid : UInt64((indexOf[uid] ?? 0) + 1) }
            if context.criteria == nil {
                let added = now.filter { !before.contains($0) }.map(number).sorted()
                out.raw(Self.contextUpdate(context, removed: removed.map(number).sorted(), added: [(0, added)]))
            } else {
                out.raw(
                    Self.contextUpdate(
                        context, removed: removed.map(number).sorted(),
                        added: Self.insertions(now, before: before).map { ($0.position, $0.uids.map(number)) }))
            }
        }
    }

    /// The messages `sorted` holds that `before` did not, as runs of consecutive positions
    /// (1-based, in the new order): inserted in this order into the old result with its removals
    /// done, they give `sorted` (sort keys never change, so the others keep their order).
    static func insertions(_ sorted: [UInt64], before: Set<UInt64>) -> [(position: Int, uids: [UInt64])] {
        var runs: [(position: Int, uids: [UInt64])] = []
        for (index, uid) in sorted.enumerated() where !before.contains(uid) {
            if let last = runs.last, last.position + last.uids.count == index + 1 {
                runs[runs.count - 1].uids.append(uid)
            } else {
                runs.append((index + 1, [uid]))
            }
        }
        return runs
    }

    /// `* ESEARCH (TAG "t") UID REMOVEFROM (0 3) ADDTO (0 9:10)`: removals first, as Dovecot.
    /// REMOVEFROM names no position (0, RFC 5267 §4.3); a SEARCH's ADDTO neither; a SORT's ADDTO
    /// gives where each run goes.
    static func contextUpdate(_ context: SearchContext, removed: [UInt64], added: [(Int, [UInt64])]) -> String {
        let additions = added.filter { !$0.1.isEmpty }
        guard !removed.isEmpty || !additions.isEmpty else { return "" }
        var line = "* ESEARCH (TAG \(quoted(context.tag)))" + (context.uid ? " UID" : "")
        if !removed.isEmpty { line += " REMOVEFROM (0 \(uidSet(removed)))" }
        if !additions.isEmpty {
            let pairs = additions.map { position, numbers in
                "\(position) "
                    + (context.criteria == nil ? uidSet(numbers) : numbers.map(String.init).joined(separator: ","))
            }
            line += " ADDTO (" + pairs.joined(separator: " ") + ")"
        }
        return line + "\r\n"
    }

    /// ` PARTIAL (low:high set)`, or `NIL` for none (RFC 5267 §4.4): the results at those
    /// positions of `found`, in its order.
    static func partialResult(_ found: [UInt64], _ range: ClosedRange<UInt32>) -> String {
        let low = Int(range.lowerBound) - 1, high = Int(range.upperBound)
        let slice = low < found.count ? Array(found[low..<min(high, found.count)]) : []
        return " PARTIAL (\(range.lowerBound):\(range.upperBound) \(slice.isEmpty ? "NIL" : uidSet(slice)))"
    }

    /// The tag as ESEARCH's `tag-string` (RFC 4731 §3.1); a tag holds no `"` or `\\` (RFC 3501 §9).
    static func quoted(_ tag: String) -> String { "\"\(tag)\"" }

    /// ``idleUpdates()`` and what changed in the live searches meanwhile (RFC 5267 §4.3).
    package mutating func idleAndSearchUpdates() async -> [UInt8] {
        var out = IMAPWriter()
        out.raw(await idleUpdatesOffTheLoop())
        await updateSearchContexts(into: &out)
        return out.bytes
    }
}
