import LetterboxStore

/// Untagged updates of ``IMAPSession`` (RFC 3501 §7.3.1, §7.4.1, §7.4.2): bringing the selected
/// mailbox's view up to date with the store before and after commands and while idling.
///
/// Usually from what changed since the session last looked (``MessageStore/updates(of:since:matching:)``):
/// its cost grows with the changes, not with the mailbox, so it runs on the event loop, and 500
/// sessions idling on an INBOX of 10,000 messages each do a few binary searches per delivery.
/// When the store cannot say (its change log no longer reaches back, the mailbox was renamed,
/// deleted or made again, expunges were held back), the session walks the whole mailbox as
/// before, off the event loop (`IMAPSession+OffTheLoop.swift`). Both give the same responses.
extension IMAPSession {
    /// Brings the session's view up to date with the store: EXPUNGE for removed messages (only
    /// where allowed), EXISTS/RECENT for new ones, FETCH FLAGS for flags changed elsewhere.
    mutating func synchronize(into out: inout IMAPWriter, allowExpunge: Bool) {
        guard state == .selected, store.modificationSequence != knownModificationSequence else { return }
        if synchronizeFromChanges(into: &out, allowExpunge: allowExpunge) { return }
        synchronizeByWalking(into: &out, allowExpunge: allowExpunge)
    }

    /// ``synchronize(into:allowExpunge:)`` from the changes since the session last looked;
    /// false (nothing done) when the store cannot list them and the mailbox must be walked.
    mutating func synchronizeFromChanges(into out: inout IMAPWriter, allowExpunge: Bool) -> Bool {
        // 0: expunges were held back, so the view holds messages the store no longer has.
        guard knownModificationSequence != 0,
            let updates = store.updates(
                of: selected, since: knownModificationSequence, matching: .view(login: login, mailbox: selected))
        else { return false }
        lastUpdateWalkedMailbox = false
        // Before any FETCH or EXISTS that could bring a keyword the client has not heard of.
        announceKeywords(updates.mailbox.keywords, into: &out)
        let gone = updates.absent.compactMap { entries.position(of: $0, by: \.uid) }
        let heldBack = !allowExpunge && !gone.isEmpty
        if allowExpunge && !gone.isEmpty {
            writeExpunged(gone, into: &out)
            for index in gone { recent.remove(entries[index].message.id) }
            entries.remove(atAscending: gone)
        }
        let newest = entries.last?.uid ?? 0
        var arrived: [StoreSnapshot.Entry] = []
        for current in updates.present {
            guard let index = entries.position(of: current.uid, by: \.uid) else {
                if current.uid > newest { arrived.append(current) }
                continue
            }
            noteFlags(current.flags, modSeq: current.modSeq, at: index, into: &out)
        }
        add(arrived, into: &out)
        knownModificationSequence = heldBack ? 0 : updates.modificationSequence
        if !heldBack { condStore.highestModSeq = updates.mailbox.highestModSeq }
        return true
    }

    /// ``synchronize(into:allowExpunge:)`` by comparing every message of the mailbox: its cost
    /// grows with the mailbox (``synchronizeOffTheLoop(into:allowExpunge:)`` runs it off the loop).
    mutating func synchronizeByWalking(into out: inout IMAPWriter, allowExpunge: Bool) {
        lastUpdateWalkedMailbox = true
        let snapshot = view(selected)
        // Before any FETCH or EXISTS that could bring a keyword the client has not heard of.
        announceKeywords(snapshot?.mailbox?.keywords ?? [], into: &out)
        let current = snapshot?.entries ?? []
        let present = Dictionary(current.map { ($0.uid, ($0.flags, $0.modSeq)) }, uniquingKeysWith: { a, _ in a })
        if allowExpunge {
            let gone = entries.indices.filter { present[entries[$0].uid] == nil }
            writeExpunged(gone, into: &out)
            if !gone.isEmpty {
                for index in gone { recent.remove(entries[index].message.id) }
                entries.remove(atAscending: gone)
            }
        }
        for index in entries.indices {
            guard let (flags, modSeq) = present[entries[index].uid] else { continue }
            noteFlags(flags, modSeq: modSeq, at: index, into: &out)
        }
        let newest = entries.last?.uid ?? 0
        add(current.filter { $0.uid > newest }, into: &out)
        // With expunges held back, the session is still behind: check again next time.
        let heldBack = entries.contains { present[$0.uid] == nil }
        knownModificationSequence = heldBack ? 0 : (snapshot?.modificationSequence ?? 0)
        if !heldBack, let highest = snapshot?.mailbox?.highestModSeq { condStore.highestModSeq = highest }
    }

    /// Takes the store's flags and mod-sequence of the message at `index`, with an unsolicited
    /// FETCH when they differ from what the client was told.
    private mutating func noteFlags(_ flags: MessageFlags, modSeq: UInt64, at index: Int, into out: inout IMAPWriter) {
        let before = entries[index]
        entries[index].modSeq = modSeq
        guard flags != before.flags || (condStore.enabled && modSeq != before.modSeq) else { return }
        entries[index].flags = flags
        // IMAP4rev2: every unsolicited FETCH carries the UID (RFC 9051 §7.5.2).
        writeFlagUpdate(at: index, uid: imap4rev2, into: &out)
    }

    /// Adds messages that arrived (ascending by UID, above every UID of the view): EXISTS, and
    /// RECENT for the \Recent this session claims.
    private mutating func add(_ arrived: [StoreSnapshot.Entry], into out: inout IMAPWriter) {
        guard !arrived.isEmpty else { return }
        entries += arrived.map { Entry(message: $0.message, flags: $0.flags, uid: $0.uid, modSeq: $0.modSeq) }
        if readOnly {
            // EXAMINE claims no \Recent but reports the messages that have it (RFC 3501 §6.3.2).
            recent.formUnion(arrived.lazy.filter(\.isRecent).map(\.message.id))
        } else {
            recent.formUnion(store.claimRecent(arrived.map(\.message.id)))
        }
        if !reportsRecent { recent = [] }
        out.raw("* \(entries.count) EXISTS\r\n")
        if reportsRecent { out.raw("* \(recent.count) RECENT\r\n") }
    }
}
