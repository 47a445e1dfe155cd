import Synchronization

/// What changed in one mailbox since a reader last looked, at a cost that grows with the changes,
/// not with the mailbox (see ``MailboxChangeLog``): an IMAP session brings its view up to date
/// from it after every delivery, instead of walking every message of the mailbox.
extension MessageIndex {
    /// The messages of `mailbox` changed since modification sequence `since` (see
    /// ``MailboxUpdates``); nil when the index cannot say (the mailbox does not exist, was
    /// created, renamed or reloaded since, or more changed than is cheaper than a walk): the
    /// reader then takes a ``snapshot(of:matching:)``.
    package func updates(of requested: String, since: UInt64, matching filter: MessageFilter) -> MailboxUpdates? {
        let name = Mailbox.canonical(requested)
        var contentFilter = filter
        contentFilter.mailbox = nil
        let updates: MailboxUpdates? = state.withLock { state in
            guard let mailbox = state.mailboxes[name], let uids = mailbox.changes.uids(since: since) else { return nil }
            var present: [StoreSnapshot.Entry] = []
            var absent: [UInt64] = []
            for uid in uids {
                // Members are in UID order: a binary search for each.
                guard let position = mailbox.members.position(of: uid, by: \.uid),
                    let message = state.byID[mailbox.members[position].id]
                else {
                    absent.append(uid)
                    continue
                }
                present.append(
                    StoreSnapshot.Entry(
                        message: message, flags: state.flags[message.id] ?? MessageFlags(), uid: uid,
                        isRecent: state.unclaimedRecent.contains(message.id), modSeq: state.modSeq(of: message.id)))
            }
            return MailboxUpdates(
                present: present, absent: absent, modificationSequence: state.modificationSequence,
                mailbox: state.info(mailbox))
        }
        // Content is matched outside the lock (a content filter may read message files).
        guard let updates, !contentFilter.isEmpty else { return updates }
        var present: [StoreSnapshot.Entry] = []
        var absent = updates.absent
        for entry in updates.present {
            if contentFilter.matches(entry.message, flags: entry.flags) {
                present.append(entry)
            } else {
                absent.append(entry.uid)
            }
        }
        return MailboxUpdates(
            present: present, absent: absent.sorted(), modificationSequence: updates.modificationSequence,
            mailbox: updates.mailbox)
    }
}

/// The messages of a mailbox that changed since a reader last looked, as they are now: a reader
/// whose view was the mailbox as of then gets the mailbox as of now by dropping ``absent``,
/// updating the flags of ``present`` and adding those of ``present`` above its highest UID. A
/// UID may be listed that did not change (see ``MailboxChangeLog``).
package struct MailboxUpdates: Sendable {
    /// The changed messages still in the mailbox that the reader's filter selects, ascending by UID.
    package let present: [StoreSnapshot.Entry]
    /// The changed UIDs no longer in the mailbox (expunged, moved away) or that the filter does
    /// not select, ascending.
    package let absent: [UInt64]
    /// The store's modification sequence these updates bring the reader to.
    package let modificationSequence: UInt64
    /// The mailbox now (keywords, HIGHESTMODSEQ, UIDVALIDITY).
    package let mailbox: Mailbox
}

extension MessageStore {
    /// A store that keeps no change log: readers walk the mailbox (``snapshot(of:matching:)``).
    package func updates(of mailbox: String, since: UInt64, matching filter: MessageFilter) -> MailboxUpdates? {
        nil
    }
}
