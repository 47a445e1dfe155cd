import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A mailbox's bookkeeping inside the index: its messages in UID order.
struct MailboxState: Sendable {
    var name: String
    var uidValidity: UInt32
    var nextUID: UInt64 = 1
    var specialUse: SpecialUse?
    /// `(uid, id)` pairs, ascending by UID (UIDs are handed out in ascending order).
    var members: [(uid: UInt64, id: UInt64)] = []
    /// The keywords its messages have carried (see ``Mailbox/keywords``).
    var keywords: Set<String> = []
    /// RFC 7162 HIGHESTMODSEQ and the UIDs expunged lately, see `MessageIndex+ModSeq.swift`.
    var modSeq = MailboxModSeq()
    /// The UIDs changed lately, for sessions that bring their view up to date
    /// (see `MessageIndex+Updates.swift`).
    var changes: MailboxChangeLog

    /// A mailbox whose change log starts after modification sequence `forgottenThrough` (nothing
    /// from before it is listed: a session that looked at a mailbox of the same name then walks it).
    init(name: String, uidValidity: UInt32, specialUse: SpecialUse?, forgottenThrough: UInt64) {
        self.name = name
        self.uidValidity = uidValidity
        self.specialUse = specialUse
        changes = MailboxChangeLog(forgottenThrough: forgottenThrough)
    }
}

extension MessageIndex.State {
    /// Adds a message to the id order (not yet to a mailbox).
    mutating func add(_ message: Message) {
        if ids.last.map({ $0 < message.id }) ?? true {
            ids.append(message.id)
        } else {
            let position = ids.firstIndex { $0 > message.id } ?? ids.count
            ids.insert(message.id, at: position)
        }
        byID[message.id] = message
        unclaimedRecent.insert(message.id)
        modificationSequence += 1
        nextID = max(nextID, message.id + 1)
        bytes += message.size
    }

    /// Where stored message `id` is; nil when it is not stored.
    func placement(of id: UInt64) -> MessageLocation? {
        byID[id] == nil ? nil : placement(ofStored: id)
    }

    /// Where message `id`, known to be stored, is.
    ///
    /// Nearly every message is captured into INBOX with its id as UID (in a memory store until a
    /// client puts one there, and every message a Maildir store reloads, see ``MaildirStore``).
    /// Those have no entry in `otherPlacements`, so 100,000 of them cost nothing here.
    func placement(ofStored id: UInt64) -> MessageLocation {
        otherPlacements[id] ?? MessageLocation(mailbox: Mailbox.inbox, uid: id, captured: true)
    }

    /// The stored messages in id order whose placement `filter`'s mailbox criterion admits.
    func messages(admittedBy filter: MessageFilter) -> [Message] {
        ids.compactMap { id in
            guard let message = byID[id] else { return nil }
            let placement = placement(ofStored: id)
            return filter.admits(mailbox: placement.mailbox, captured: placement.captured) ? message : nil
        }
    }

    /// Puts stored message `id` at the end of `mailbox` (which must exist) with the next UID, or
    /// `uid` when a reloading store knows it; returns the UID.
    @discardableResult
    mutating func place(_ id: UInt64, in mailbox: String, captured: Bool, uid known: UInt64? = nil) -> UInt64 {
        let uid = known.map { max($0, mailboxes[mailbox]?.nextUID ?? 1) } ?? mailboxes[mailbox]?.nextUID ?? 1
        mailboxes[mailbox]?.members.append((uid, id))
        mailboxes[mailbox]?.nextUID = uid + 1
        if mailbox == Mailbox.inbox && captured && uid == id {
            otherPlacements[id] = nil
        } else {
            otherPlacements[id] = MessageLocation(mailbox: mailbox, uid: uid, captured: captured)
        }
        return uid
    }

    /// Adds the keywords among `flags` to those of `mailbox` (which must exist).
    mutating func noteKeywords(of flags: MessageFlags, in mailbox: String) {
        for name in flags where !name.hasPrefix("\\") && mailboxes[mailbox]?.keywords.contains(name) == false {
            mailboxes[mailbox]?.keywords.insert(name)
        }
    }

    /// Takes messages out of their mailboxes once they are no longer stored (gone from `byID`):
    /// each found by binary search on its UID, and each mailbox's members moved once.
    mutating func unplace(_ gone: Set<UInt64>) {
        var positions: [String: [Int]] = [:]
        var unfound: Set<String> = []
        for id in gone {
            // Without an entry of its own, a message was in INBOX with its id as UID (see `placement(of:)`).
            let location =
                otherPlacements.removeValue(forKey: id)
                ?? MessageLocation(mailbox: Mailbox.inbox, uid: id, captured: true)
            guard let members = mailboxes[location.mailbox]?.members,
                let position = members.position(of: location.uid, by: \.uid), members[position].id == id
            else {
                unfound.insert(location.mailbox)
                continue
            }
            positions[location.mailbox, default: []].append(position)
        }
        for (name, found) in positions { mailboxes[name]?.members.remove(atAscending: found.sorted()) }
        // Not where its placement says (never expected): a pass over that mailbox finds it.
        for name in unfound { mailboxes[name]?.members.removeAll { gone.contains($0.id) } }
    }

    /// Takes `removed` (no longer in `byID`) out of the id order: each found by binary search,
    /// the order moved once.
    mutating func removeFromIDOrder(_ removed: [UInt64]) {
        let positions = removed.compactMap { id in ids.position(of: id, by: { $0 }) }
        ids.remove(atAscending: Array(Set(positions)).sorted())
    }

    /// Why mailbox `name` (canonical) cannot be deleted; nil when it can.
    func deletionRefusal(_ name: String) -> MailboxError? {
        guard name != Mailbox.inbox else { return .cannot("INBOX cannot be deleted") }
        guard mailboxes[name] != nil else { return .nonexistent(name) }
        guard !mailboxes.keys.contains(where: { Mailbox.isInferior($0, of: name) }) else {
            return MailboxError(
                code: "HASCHILDREN", reason: "mailbox \(name) has mailboxes below it; delete them first")
        }
        return nil
    }

    func info(_ mailbox: MailboxState) -> Mailbox {
        Mailbox(
            name: mailbox.name, uidValidity: mailbox.uidValidity, nextUID: mailbox.nextUID,
            specialUse: mailbox.specialUse, subscribed: subscriptions.contains(mailbox.name),
            keywords: mailbox.keywords.sorted(), highestModSeq: mailbox.modSeq.highest)
    }

    /// A UIDVALIDITY never given before by this index, at least the current time (RFC 3501
    /// §2.3.1.1: a name made again must not reuse its old UIDVALIDITY).
    mutating func freshUIDValidity() -> UInt32 {
        let now = UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
        lastUIDValidity = max(now, lastUIDValidity &+ 1)
        return lastUIDValidity
    }
}

extension MessageIndex {
    /// Every mailbox, INBOX first, then by name.
    package func mailboxes() -> [Mailbox] {
        state.withLock { state in
            state.mailboxes.values.map(state.info).sorted { lhs, rhs in
                (lhs.name == Mailbox.inbox ? 0 : 1, lhs.name) < (rhs.name == Mailbox.inbox ? 0 : 1, rhs.name)
            }
        }
    }

    package func mailbox(named name: String) -> Mailbox? {
        state.withLock { state in state.mailboxes[Mailbox.canonical(name)].map(state.info) }
    }

    /// Names of subscribed mailboxes, existing or not.
    package var subscriptions: Set<String> { state.withLock { $0.subscriptions } }

    /// Creates `name` and any missing mailbox above it (RFC 3501 §6.3.3); a trailing delimiter
    /// is ignored. Throws when it exists or the name is not valid.
    package func createMailbox(_ requested: String) throws(MailboxError) -> Mailbox {
        var name = Mailbox.canonical(requested)
        if name.last == Mailbox.delimiter { name.removeLast() }
        if let problem = Mailbox.problem(with: name) { throw .cannot(problem) }
        let created = try state.withLock { state throws(MailboxError) -> Mailbox in
            guard state.mailboxes[name] == nil else { throw .alreadyExists(name) }
            for level in Mailbox.ancestors(of: name) + [name] where state.mailboxes[level] == nil {
                state.mailboxes[level] = MailboxState(
                    name: level, uidValidity: state.freshUIDValidity(), specialUse: nil,
                    forgottenThrough: state.modificationSequence + 1)
            }
            state.modificationSequence += 1
            return Mailbox(
                name: name, uidValidity: state.lastUIDValidity, nextUID: 1, specialUse: nil,
                subscribed: state.subscriptions.contains(name))
        }
        publish(.mailboxesChanged)
        return created
    }

    /// Deletes a mailbox and every message in it (RFC 3501 §6.3.4); returns those messages.
    /// INBOX cannot be deleted, nor a mailbox with mailboxes below it (RFC 9051 `HASCHILDREN`).
    package func deleteMailbox(_ requested: String) throws(MailboxError) -> [Message] {
        let name = Mailbox.canonical(requested)
        let removed = try state.withLock { state throws(MailboxError) -> [Message] in
            if let refusal = state.deletionRefusal(name) { throw refusal }
            guard let mailbox = state.mailboxes[name] else { throw .nonexistent(name) }
            let gone = Set(mailbox.members.map(\.id))
            let removed = mailbox.members.compactMap { state.byID.removeValue(forKey: $0.id) }
            for message in removed {
                state.bytes -= message.size
                state.flags[message.id] = nil
                state.modSeqs.perMessage[message.id] = nil
                state.unclaimedRecent.remove(message.id)
            }
            state.removeFromIDOrder(removed.map(\.id))
            state.unplace(gone)
            state.mailboxes[name] = nil
            state.modificationSequence += 1
            return removed
        }
        if !removed.isEmpty { publish(.removed(removed.map(\.id))) }
        publish(.mailboxesChanged)
        return removed
    }

    /// Why mailbox `requested` cannot be deleted now (INBOX, a mailbox that does not exist or has
    /// mailboxes below it); nil when it can. A disk store asks before it touches its folders.
    package func deletionRefusal(_ requested: String) -> MailboxError? {
        state.withLock { $0.deletionRefusal(Mailbox.canonical(requested)) }
    }

    /// Renames a mailbox and every mailbox below it, keeping their messages, UIDs and
    /// UIDVALIDITY; creates missing mailboxes above the new name. INBOX is not renamed here: see
    /// RFC 3501 §6.3.5, which the IMAP session implements as CREATE and MOVE.
    package func renameMailbox(_ requestedOld: String, to requestedNew: String) throws(MailboxError) {
        let old = Mailbox.canonical(requestedOld)
        var new = Mailbox.canonical(requestedNew)
        if new.last == Mailbox.delimiter { new.removeLast() }
        if let problem = Mailbox.problem(with: new) { throw .cannot(problem) }
        guard old != Mailbox.inbox else { throw .cannot("INBOX is renamed by moving its messages") }
        try state.withLock { state throws(MailboxError) in
            guard state.mailboxes[old] != nil else { throw .nonexistent(old) }
            guard state.mailboxes[new] == nil else { throw .alreadyExists(new) }
            guard !Mailbox.isInferior(new, of: old) else { throw .cannot("cannot rename \(old) into itself") }
            let moving = state.mailboxes.keys.filter { $0 == old || Mailbox.isInferior($0, of: old) }
            for name in moving {
                guard var mailbox = state.mailboxes.removeValue(forKey: name) else { continue }
                let renamed = new + name.dropFirst(old.count)
                mailbox.name = renamed
                // A session that selected another mailbox of this name must walk this one.
                mailbox.changes = MailboxChangeLog(forgottenThrough: state.modificationSequence + 1)
                // Never INBOX (not renamed here), so every member has an entry of its own.
                for member in mailbox.members {
                    guard let old = state.otherPlacements[member.id] else { continue }
                    state.otherPlacements[member.id] = MessageLocation(
                        mailbox: renamed, uid: old.uid, captured: old.captured)
                }
                state.mailboxes[renamed] = mailbox
                if state.subscriptions.remove(name) != nil { state.subscriptions.insert(renamed) }
            }
            for level in Mailbox.ancestors(of: new) where state.mailboxes[level] == nil {
                state.mailboxes[level] = MailboxState(
                    name: level, uidValidity: state.freshUIDValidity(), specialUse: nil,
                    forgottenThrough: state.modificationSequence + 1)
            }
            state.modificationSequence += 1
        }
        publish(.mailboxesChanged)
    }

    /// Adds `name` to or removes it from the subscriptions (RFC 3501 §6.3.6–7). Subscribing needs
    /// an existing mailbox; unsubscribing does not.
    package func setSubscribed(_ requested: String, _ subscribed: Bool) throws(MailboxError) {
        let name = Mailbox.canonical(requested)
        try state.withLock { state throws(MailboxError) in
            if subscribed {
                guard state.mailboxes[name] != nil else { throw .nonexistent(name) }
                state.subscriptions.insert(name)
            } else {
                guard state.subscriptions.remove(name) != nil else { throw .cannot("\(name) is not subscribed") }
            }
        }
    }

    /// Where message `id` is, if it is stored.
    package func location(of id: UInt64) -> MessageLocation? {
        state.withLock { state in
            state.placement(of: id)
        }
    }

    /// The messages in `mailbox` that `filter` selects, in UID order, with their flags; nil when
    /// the mailbox does not exist.
    package func snapshot(of requested: String, matching filter: MessageFilter) -> StoreSnapshot? {
        let name = Mailbox.canonical(requested)
        var contentFilter = filter
        contentFilter.mailbox = nil
        // Content is matched outside the lock (a content filter may read message files).
        let snapshot: StoreSnapshot? = state.withLock { state in
            guard let mailbox = state.mailboxes[name] else { return nil }
            var entries: [StoreSnapshot.Entry] = []
            entries.reserveCapacity(mailbox.members.count)
            for member in mailbox.members {
                guard let message = state.byID[member.id] else { continue }
                entries.append(
                    StoreSnapshot.Entry(
                        message: message, flags: state.flags[member.id] ?? MessageFlags(), uid: member.uid,
                        isRecent: state.unclaimedRecent.contains(member.id), modSeq: state.modSeq(of: member.id)))
            }
            return StoreSnapshot(
                entries: entries, modificationSequence: state.modificationSequence, nextID: state.nextID,
                mailbox: state.info(mailbox))
        }
        guard let snapshot, !contentFilter.isEmpty else { return snapshot }
        return StoreSnapshot(
            entries: snapshot.entries.filter { contentFilter.matches($0.message, flags: $0.flags) },
            modificationSequence: snapshot.modificationSequence, nextID: snapshot.nextID, mailbox: snapshot.mailbox)
    }

    /// Puts new messages a client made (APPEND, COPY) into `mailbox` with their flags; returns
    /// their UIDs in order. Throws ``MailboxError/tryCreate(_:)`` when the mailbox does not exist.
    package func place(_ messages: [(Message, MessageFlags)], in requested: String) throws(MailboxError) -> [UInt64] {
        let name = Mailbox.canonical(requested)
        let (uids, waiters, observers) = try state.withLock { state throws(MailboxError) in
            guard state.mailboxes[name] != nil else { throw .tryCreate(name) }
            var uids: [UInt64] = []
            uids.reserveCapacity(messages.count)
            var waiters: Set<UInt64> = []
            let modSeq = state.nextModSeq()
            for (message, flags) in messages {
                state.add(message)
                uids.append(state.place(message.id, in: name, captured: false))
                state.stamp([message.id], modSeq: modSeq)
                if !flags.isEmpty {
                    state.flags[message.id] = flags
                    state.noteKeywords(of: flags, in: name)
                }
                waiters.formUnion(state.noteArrival(message))
            }
            return (uids, Array(waiters), Array(state.observers.values))
        }
        finish(waiters, observers, .appended(messages.map(\.0.id)))
        return uids
    }

    /// Moves messages into `mailbox` (RFC 6851), keeping their ids and flags; each gets the next
    /// UID there and counts as \Recent again. Returns `(id, old UID, new UID)` for each message
    /// still stored, in the order given. Moving into the mailbox a message is in gives it a new UID.
    package func move(ids: [UInt64], to requested: String) throws(MailboxError) -> [(
        id: UInt64, from: UInt64, to: UInt64
    )] {
        let name = Mailbox.canonical(requested)
        let (moved, observers) = try state.withLock { state throws(MailboxError) in
            guard state.mailboxes[name] != nil else { throw .tryCreate(name) }
            var moved: [(id: UInt64, from: UInt64, to: UInt64)] = []
            moved.reserveCapacity(ids.count)
            // Where each message was among its source's members (ascending by UID, so found by
            // binary search): removing them costs what moves, not a pass over the source. A new
            // UID is above every old one, so a move within one mailbox leaves these positions be.
            var leaving: [String: Set<Int>] = [:]
            let modSeq = state.nextModSeq()
            for id in ids {
                guard let placement = state.placement(of: id),
                    let position = state.mailboxes[placement.mailbox]?.members.position(of: placement.uid, by: \.uid)
                else { continue }
                // RFC 7162 §3.2.10: the source reports the old UID as vanished.
                state.recordExpunged(uid: placement.uid, in: placement.mailbox, modSeq: modSeq)
                leaving[placement.mailbox, default: []].insert(position)
                let uid = state.place(id, in: name, captured: placement.captured)
                state.stamp([id], modSeq: modSeq)
                if let flags = state.flags[id] { state.noteKeywords(of: flags, in: name) }
                state.unclaimedRecent.insert(id)
                moved.append((id, placement.uid, uid))
            }
            for (source, positions) in leaving {
                state.mailboxes[source]?.members.remove(atAscending: positions.sorted())
            }
            if !moved.isEmpty { state.modificationSequence += 1 }
            return (moved, Array(state.observers.values))
        }
        if !moved.isEmpty { finish([], observers, .moved(moved.map(\.id))) }
        return moved
    }

    /// Adds a mailbox a disk store reloaded, with its messages (UIDs as recorded, ascending) and
    /// missing mailboxes above it, without waking anyone. Replaces a mailbox of that name.
    package func restoreMailbox(
        _ name: String, uidValidity: UInt32, nextUID: UInt64, specialUse: SpecialUse?,
        messages: [(message: Message, uid: UInt64, flags: MessageFlags, captured: Bool)]
    ) {
        state.withLock { state in
            for level in Mailbox.ancestors(of: name) where state.mailboxes[level] == nil {
                state.mailboxes[level] = MailboxState(
                    name: level, uidValidity: uidValidity, specialUse: nil,
                    forgottenThrough: state.modificationSequence + 1)
            }
            state.mailboxes[name] = MailboxState(
                name: name, uidValidity: uidValidity, specialUse: specialUse,
                forgottenThrough: state.modificationSequence + 1)
            state.lastUIDValidity = max(state.lastUIDValidity, uidValidity)
            for entry in messages.sorted(by: { $0.uid < $1.uid }) where state.byID[entry.message.id] == nil {
                state.add(entry.message)
                state.unclaimedRecent.remove(entry.message.id)
                state.place(entry.message.id, in: name, captured: entry.captured, uid: entry.uid)
                if !entry.flags.isEmpty {
                    state.flags[entry.message.id] = entry.flags
                    state.noteKeywords(of: entry.flags, in: name)
                }
            }
            let placed = state.mailboxes[name]?.nextUID ?? 1
            state.mailboxes[name]?.nextUID = max(placed, nextUID)
        }
    }

    /// Raises a mailbox's next UID to at least `nextUID` (a disk store reloading a mailbox whose
    /// last messages were expunged: UIDNEXT must not go back, RFC 3501 §2.3.1.1).
    package func raiseNextUID(of mailbox: String, to nextUID: UInt64) {
        state.withLock { state in
            guard let placed = state.mailboxes[mailbox]?.nextUID, placed < nextUID else { return }
            state.mailboxes[mailbox]?.nextUID = nextUID
        }
    }

    /// Replaces the subscriptions (a disk store reloading them).
    package func restoreSubscriptions(_ names: Set<String>) {
        state.withLock { $0.subscriptions = names }
    }

    private func publish(_ change: StoreChange) {
        let observers = state.withLock { Array($0.observers.values) }
        for observer in observers { observer.yield(change) }
    }
}
