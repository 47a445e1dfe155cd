import LetterboxMIME
import LetterboxStore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Mailbox commands of ``IMAPSession``: SELECT/EXAMINE, LIST/LSUB, STATUS, CREATE/DELETE/RENAME,
/// APPEND, COPY and MOVE with their UIDPLUS codes (RFC 3501 §6.3, RFC 4315, RFC 6851).
extension IMAPSession {
    /// What the logged-in user sees in `mailbox` now; nil when it does not exist.
    func view(_ mailbox: String) -> StoreSnapshot? {
        store.snapshot(of: mailbox, matching: .view(login: login, mailbox: mailbox))
    }

    mutating func select(
        _ name: String, readOnly: Bool, parameters: SelectParameters = SelectParameters(), into out: inout IMAPWriter
    ) -> String {
        if let bad = prepareSelection(parameters, into: &out) { return bad }
        deselect()
        guard let snapshot = view(name), let mailbox = snapshot.mailbox else {
            return "NO [NONEXISTENT] no mailbox \(name)"
        }
        selected = mailbox.name
        entries = snapshot.entries.map { Entry(message: $0.message, flags: $0.flags, uid: $0.uid, modSeq: $0.modSeq) }
        knownModificationSequence = snapshot.modificationSequence
        // EXAMINE claims no \Recent but reports how many messages have it (RFC 3501 §6.3.2).
        recent =
            readOnly
            ? Set(snapshot.entries.lazy.filter(\.isRecent).map(\.message.id))
            : store.claimRecent(entries.map(\.message.id))
        self.readOnly = readOnly
        state = .selected
        announcedKeywords = []
        announceKeywords(mailbox.keywords, into: &out, always: true)
        out.raw("* \(entries.count) EXISTS\r\n")
        // IMAP4rev2 has neither \Recent nor the UNSEEN code (RFC 9051 Appendix E items 11, 12).
        if reportsRecent {
            out.raw("* \(recent.count) RECENT\r\n")
            if let unseen = entries.firstIndex(where: { !$0.flags.contains(MessageFlags.seen) }) {
                out.raw("* OK [UNSEEN \(unseen + 1)] first unseen\r\n")
            }
        } else {
            recent = []
        }
        selectionList(mailbox, into: &out)
        out.raw("* OK [UIDVALIDITY \(mailbox.uidValidity)] UIDs valid\r\n")
        out.raw("* OK [UIDNEXT \(mailbox.nextUID)] predicted next UID\r\n")
        finishSelection(parameters, mailbox: mailbox, into: &out)
        return "OK [\(readOnly ? "READ-ONLY" : "READ-WRITE")] \(readOnly ? "EXAMINE" : "SELECT") completed"
    }

    mutating func deselect() {
        state = state == .selected ? .authenticated : state
        entries = []
        recent = []
        announcedKeywords = []
        savedResult = []
        searchContexts = SearchContexts()
    }

    /// LIST/LSUB (RFC 3501 §6.3.8–9): the mailboxes (or subscribed names) the reference and
    /// pattern match, with CHILDREN (RFC 3348) and SPECIAL-USE (RFC 6154) attributes; `""` asks
    /// for the hierarchy delimiter.
    func list(verb: String, reference: String, pattern: String, into out: inout IMAPWriter) {
        if pattern.isEmpty {
            out.raw("* \(verb) (\\Noselect) \"/\" \"\"\r\n")
            return
        }
        let full = Self.canonicalPattern(reference + pattern)
        let mailboxes = store.mailboxes()
        var names = mailboxes.map(\.name)
        var unsubscribedParents: Set<String> = []
        if verb == "LSUB" {
            let subscriptions = store.subscriptions
            unsubscribedParents = Self.unsubscribedParents(of: subscriptions, matching: full)
            names = (subscriptions.union(unsubscribedParents)).sorted()
        }
        let byName = Dictionary(uniqueKeysWithValues: mailboxes.map { ($0.name, $0) })
        for name in names where Self.wildcardMatches(pattern: full, name: name) {
            var attributes: [String] = []
            if unsubscribedParents.contains(name) {
                attributes.append("\\Noselect")
            } else if let mailbox = byName[name] {
                if verb == "LIST" {
                    let hasChildren = mailboxes.contains { Mailbox.isInferior($0.name, of: name) }
                    attributes.append(hasChildren ? "\\HasChildren" : "\\HasNoChildren")
                }
                if let use = mailbox.specialUse { attributes.append(use.attribute) }
            }
            out.raw("* \(verb) (\(attributes.joined(separator: " "))) \"/\" ")
            out.astring(wireName(name))
            out.raw("\r\n")
        }
    }

    /// The names LSUB lists with `\Noselect` (RFC 3501 §6.3.9): those above a subscribed name
    /// the pattern does not reach (`foo` for `foo/bar` and `%`), matched by the pattern but not
    /// subscribed themselves.
    static func unsubscribedParents(of subscriptions: Set<String>, matching pattern: String) -> Set<String> {
        var parents: Set<String> = []
        for name in subscriptions where !wildcardMatches(pattern: pattern, name: name) {
            for parent in Mailbox.ancestors(of: name)
            where !subscriptions.contains(parent) && wildcardMatches(pattern: pattern, name: parent) {
                parents.insert(parent)
            }
        }
        return parents
    }

    /// The pattern with a leading `inbox` in any case spelled `INBOX`, so it matches INBOX and
    /// names below it, which are case-insensitive (RFC 3501 §5.1).
    static func canonicalPattern(_ pattern: String) -> String {
        guard pattern.utf8.count >= 5, pattern.prefix(5).equalsIgnoringCase(Mailbox.inbox) else {
            return pattern
        }
        let next = pattern.dropFirst(5).first
        guard next == nil || next == "/" || next == "%" || next == "*" else { return pattern }
        return Mailbox.inbox + pattern.dropFirst(5)
    }

    /// `*` matches anything, `%` anything but the delimiter (RFC 3501 §6.3.8); names compare
    /// exactly, INBOX in any case (the caller makes it canonical).
    static func wildcardMatches(pattern: String, name: String) -> Bool {
        let pattern = Array(pattern.utf8), name = Array(name.utf8)
        var memo: [Int: Bool] = [:]
        func match(_ p: Int, _ n: Int) -> Bool {
            let key = p * (name.count + 1) + n
            if let known = memo[key] { return known }
            let result: Bool
            if p == pattern.count {
                result = n == name.count
            } else {
                switch pattern[p] {
                case UInt8(ascii: "*"): result = (n...name.count).contains { match(p + 1, $0) }
                case UInt8(ascii: "%"):
                    var end = n
                    while end < name.count && name[end] != UInt8(ascii: "/") { end += 1 }
                    result = (n...end).contains { match(p + 1, $0) }
                default: result = n < name.count && name[n] == pattern[p] && match(p + 1, n + 1)
                }
            }
            memo[key] = result
            return result
        }
        return match(0, 0)
    }

    mutating func status(_ name: String, items: [String], into out: inout IMAPWriter) -> String {
        guard let snapshot = view(name), let mailbox = snapshot.mailbox else {
            return "NO [NONEXISTENT] no mailbox \(name)"
        }
        let isSelected = state == .selected && mailbox.name == selected
        var values: [String] = []
        for item in items {
            switch item {
            case "MESSAGES": values.append("MESSAGES \(snapshot.entries.count)")
            case "RECENT":
                let count = snapshot.entries.count { $0.isRecent || (isSelected && recent.contains($0.message.id)) }
                values.append("RECENT \(count)")
            case "UIDNEXT": values.append("UIDNEXT \(mailbox.nextUID)")
            case "UIDVALIDITY": values.append("UIDVALIDITY \(mailbox.uidValidity)")
            // RFC 9051 §6.3.11: the messages flagged \Deleted.
            case "DELETED":
                values.append("DELETED \(snapshot.entries.count { $0.flags.contains(MessageFlags.deleted) })")
            case "UNSEEN": values.append("UNSEEN \(snapshot.entries.count { !$0.flags.contains(MessageFlags.seen) })")
            case "SIZE": values.append("SIZE \(snapshot.entries.reduce(0) { $0 + $1.message.canonicalSize })")
            case "HIGHESTMODSEQ":
                // RFC 7162 §3.1.2.2; a CONDSTORE enabling command (§3.1).
                enableCondStore(into: &out)
                values.append("HIGHESTMODSEQ \(mailbox.highestModSeq)")
            default: return "BAD unknown STATUS item \(item)"
            }
        }
        out.raw("* STATUS ")
        out.astring(wireName(mailbox.name))
        out.raw(" (\(values.joined(separator: " ")))\r\n")
        return "OK STATUS completed"
    }

    /// `OK <verb> completed`, or the NO a mailbox error calls for.
    func completion<T>(of operation: () throws(MailboxError) -> T, _ verb: String) -> String {
        do throws(MailboxError) {
            _ = try operation()
            return "OK \(verb) completed"
        } catch {
            return Self.no(error)
        }
    }

    static func no(_ error: any Error) -> String {
        if let error = error as? MailboxError { return "NO [\(error.code)] \(error.reason)" }
        guard let error = error as? StoreError else { return "NO [SERVERBUG] the server failed" }
        // RFC 5530 §3; Dovecot answers a full disk the same way.
        if error.isOutOfSpace { return "NO [OVERQUOTA] not enough disk space" }
        return "NO [SERVERBUG] \(error.reason)"
    }

    /// RENAME (RFC 3501 §6.3.5); renaming INBOX moves every message the login sees in it to a
    /// new mailbox and leaves INBOX empty.
    mutating func rename(_ old: String, to new: String) async -> String {
        guard Mailbox.canonical(old) == Mailbox.inbox else {
            // Every message of the mailbox is relabelled (a disk store renames folders): off the event loop.
            do throws(MailboxError) {
                try await store.renameMailboxOffTheLoop(old, to: new)
                return "OK RENAME completed"
            } catch {
                return Self.no(error)
            }
        }
        do {
            try store.createMailbox(new)
            // Every message of INBOX, in UID order: a walk, off the event loop.
            let inbox = await store.snapshotOffTheLoop(
                of: Mailbox.inbox, matching: .view(login: login, mailbox: Mailbox.inbox))
            let ids = inbox?.entries.map(\.message.id) ?? []
            _ = try await store.move(ids: ids, to: new)
            return "OK RENAME completed"
        } catch {
            return Self.no(error)
        }
    }

    /// APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3).
    func append(_ message: [UInt8], to mailbox: String, flags: MessageFlags, date: Date?) async -> String {
        guard !message.isEmpty else { return "NO [CANNOT] an empty message cannot be appended" }
        if let refusal = keywordRefusal(flags, in: mailbox) { return refusal }
        do {
            let (_, uid) = try await store.append(message, to: mailbox, flags: flags, receivedAt: date ?? Date())
            let validity = store.mailbox(named: mailbox)?.uidValidity ?? 0
            return "OK [APPENDUID \(validity) \(uid)] APPEND completed"
        } catch {
            return Self.no(error)
        }
    }

    /// COPY (RFC 3501 §6.4.7) with COPYUID (RFC 4315 §3).
    func copy(_ set: SequenceSet, to mailbox: String, uid: Bool) async -> String {
        guard uid || sequenceSetIsValid(set) else { return "BAD invalid message sequence number" }
        let targets = indexes(set, uid: uid)
        let verb = uid ? "UID COPY" : "COPY"
        // The copies keep their keywords, which the target mailbox must be able to hold.
        if let refusal = keywordRefusal(targets.flatMap { entries[$0].flags }, in: mailbox) { return refusal }
        do {
            let copied = try await copyAllOrNothing(targets, to: mailbox)
            guard !copied.isEmpty, let validity = store.mailbox(named: mailbox)?.uidValidity else {
                return "OK \(verb) completed"
            }
            let uidOf = Dictionary(
                targets.map { (entries[$0].message.id, entries[$0].uid) }, uniquingKeysWith: { a, _ in a })
            let sources = copied.compactMap { uidOf[$0.source] }
            return
                "OK [COPYUID \(validity) \(Self.uidSet(sources)) \(Self.uidSet(copied.map(\.uid)))] \(verb) completed"
        } catch {
            return Self.no(error)
        }
    }

    /// The store's copy, all or nothing (RFC 3501 §6.4.7): `NO [EXPUNGEISSUED]` (RFC 5530) when
    /// another session expunged one of the messages. A disk store fails a copy whose file another
    /// session renamed meanwhile (a Maildir flag change) and undoes it; a few more tries find the
    /// current names.
    private func copyAllOrNothing(_ targets: [Int], to mailbox: String) async throws -> [(source: UInt64, uid: UInt64)]
    {
        let ids = targets.map { entries[$0].message.id }
        var attempt = 1
        while true {
            guard targets.allSatisfy(isStillHere) else {
                throw MailboxError(code: "EXPUNGEISSUED", reason: "some of the requested messages no longer exist")
            }
            do {
                return try await store.copy(ids: ids, to: mailbox)
            } catch let error as StoreError where error.isMissingFile {
                // A file renamed meanwhile; a full disk or a refused write is final. A file still
                // missing after a few tries was unlinked: its message is being removed.
                guard attempt < 5 else {
                    throw MailboxError(code: "EXPUNGEISSUED", reason: "some of the requested messages no longer exist")
                }
                attempt += 1
                await Task.yield()
            }
        }
    }

    /// MOVE (RFC 6851 §3.3): COPYUID in an untagged OK, then EXPUNGE for every moved message.
    /// Like COPY, all or nothing: when another session expunged one of the messages meanwhile,
    /// nothing moves and the answer is `NO [EXPUNGEISSUED]` (RFC 5530), as in Dovecot. Should one
    /// vanish during the move itself, the others have moved: they are expunged here and the
    /// answer is still `NO [EXPUNGEISSUED]`.
    mutating func move(_ set: SequenceSet, to mailbox: String, uid: Bool, into out: inout IMAPWriter) async -> String {
        guard !readOnly else { return "NO [READ-ONLY] mailbox is read-only" }
        guard uid || sequenceSetIsValid(set) else { return "BAD invalid message sequence number" }
        let targets = indexes(set, uid: uid)
        let verb = uid ? "UID MOVE" : "MOVE"
        let ids = targets.map { entries[$0].message.id }
        let expungeIssued = "NO [EXPUNGEISSUED] some of the requested messages no longer exist"
        guard targets.allSatisfy(isStillHere) else { return expungeIssued }
        if let refusal = keywordRefusal(targets.flatMap { entries[$0].flags }, in: mailbox) { return refusal }
        do {
            let moved = try await store.move(ids: ids, to: mailbox)
            if !moved.isEmpty, let validity = store.mailbox(named: mailbox)?.uidValidity {
                out.raw(
                    "* OK [COPYUID \(validity) \(Self.uidSet(moved.map(\.from))) \(Self.uidSet(moved.map(\.to)))] moved\r\n"
                )
            }
            let gone = Set(moved.map(\.id))
            let leaving = targets.filter { gone.contains(entries[$0].message.id) }
            // Reporting what left and taking it out of the view grow with it: beyond a slice of
            // messages, on an indexing thread (as EXPUNGE does).
            if leaving.count > Self.storeSlice {
                await offTheLoop(into: &out) { $0.dropMoved(leaving, into: &$1) }
            } else {
                dropMoved(leaving, into: &out)
            }
            return gone.count < Set(ids).count ? expungeIssued : "OK \(verb) completed"
        } catch {
            return Self.no(error)
        }
    }

    /// Reports the messages at `leaving` (ascending) as expunged and takes them out of the view,
    /// the rest moved once (not once per message).
    private mutating func dropMoved(_ leaving: [Int], into out: inout IMAPWriter) {
        writeExpunged(leaving, into: &out)
        for index in leaving { recent.remove(entries[index].message.id) }
        entries.remove(atAscending: leaving)
    }

    /// Whether the message at `index` of ``entries`` is still in the selected mailbox under the
    /// UID this session knows: not expunged, nor moved away, by another session meanwhile.
    private func isStillHere(_ index: Int) -> Bool {
        let entry = entries[index]
        guard let location = store.location(of: entry.message.id) else { return false }
        return location.uid == entry.uid && location.mailbox == selected
    }

    /// `1:3,7` for 1, 2, 3, 7: runs of consecutive UIDs as ranges, order kept (RFC 4315 §3).
    static func uidSet(_ uids: [UInt64]) -> String {
        var parts: [String] = []
        var index = 0
        while index < uids.count {
            var end = index
            while end + 1 < uids.count && uids[end + 1] == uids[end] + 1 { end += 1 }
            parts.append(end == index ? "\(uids[index])" : "\(uids[index]):\(uids[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }
}
