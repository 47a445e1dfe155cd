import LetterboxThreads
import Synchronization

#if canImport(FoundationEssentials)
    package import FoundationEssentials
#else
    package import Foundation
#endif

/// Keeps messages in memory for the life of the process. The default store.
///
/// Bounded by ``RetentionPolicy/memoryDefault`` (50,000 messages or 1 GiB) unless made with
/// another policy; the oldest messages go first.
package final class MemoryStore: IndexedStore {
    let index: MessageIndex
    private let retention: Retention
    package let uidValidity: UInt32
    /// Told how much every removal freed, so the memory goes back to the system.
    private let trimmer: HeapTrimmer

    private static let lastUIDValidity = Atomic<UInt32>(0)

    /// An empty store with the default limits, ``RetentionPolicy/memoryDefault``.
    package convenience init() {
        self.init(retention: .memoryDefault)
    }

    /// An empty store that keeps at most what `retention` allows. Its UIDVALIDITY is the creation
    /// time (and increases for every store made in one process), so ids of an earlier store are
    /// never confused with these.
    package convenience init(retention: RetentionPolicy) {
        self.init(retention: retention, trimmer: .shared)
    }

    /// A store whose removals report the bytes they free to `trimmer` (tests pass their own).
    package init(retention: RetentionPolicy, trimmer: HeapTrimmer) {
        self.trimmer = trimmer
        let now = UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
        var candidate = now
        while true {
            let last = Self.lastUIDValidity.load(ordering: .relaxed)
            candidate = max(now, last &+ 1)
            if Self.lastUIDValidity.compareExchange(expected: last, desired: candidate, ordering: .relaxed).exchanged {
                break
            }
        }
        uidValidity = candidate
        index = MessageIndex(uidValidity: candidate)
        self.retention = Retention(policy: retention, index: index)
        self.retention.startSweeping { [weak self] in
            guard let self else { return false }
            self.removeExcess(everyAge: true)
            return true
        }
    }

    /// The limits this store keeps to.
    package var retentionPolicy: RetentionPolicy { retention.policy }

    private func removeExcess(everyAge: Bool = false) {
        let excess = retention.excess(everyAge: everyAge)
        if !excess.isEmpty { remove(ids: excess) }
    }

    package func append(_ raw: [UInt8], envelope: Envelope) async throws -> Message {
        let message = Message(id: index.reserveID(), raw: raw, envelope: envelope)
        index.insert(message)
        removeExcess()
        return message
    }

    @discardableResult
    package func remove(ids: [UInt64]) -> Int {
        let removed = index.remove(ids: ids)
        trimmer.noteFreed(bytes: removed.reduce(0) { $0 + $1.size })
        return removed.count
    }

    package func changeFlags(_ update: FlagUpdate, ids: [UInt64]) -> FlagChangeResult {
        FlagChangeResult(changed: index.updateFlags(update, ids: ids))
    }

    package func changeFlags(_ update: FlagUpdate, ids: [UInt64], unchangedSince: UInt64) -> FlagChangeResult {
        let (changed, skipped) = index.updateFlags(update, ids: ids, unchangedSince: unchangedSince)
        return FlagChangeResult(changed: changed, modified: skipped)
    }

    // MARK: Mailboxes

    @discardableResult
    package func createMailbox(_ name: String) throws(MailboxError) -> Mailbox { try index.createMailbox(name) }

    @discardableResult
    package func deleteMailbox(_ name: String) throws(MailboxError) -> Int {
        let removed = try index.deleteMailbox(name)
        trimmer.noteFreed(bytes: removed.reduce(0) { $0 + $1.size })
        return removed.count
    }

    package func renameMailbox(_ name: String, to newName: String) throws(MailboxError) {
        try index.renameMailbox(name, to: newName)
    }

    package func append(_ raw: [UInt8], to mailbox: String, flags: MessageFlags, receivedAt: Date) async throws
        -> (message: Message, uid: UInt64)
    {
        let message = Message(
            id: index.reserveID(), raw: raw, envelope: Envelope(sender: "", recipients: [], receivedAt: receivedAt))
        let uid = try index.place([(message, flags)], in: mailbox)[0]
        removeExcess()
        return (message, uid)
    }

    /// Copies or moves of more messages than this (`UID MOVE 1:*`, RENAME INBOX) run on an
    /// indexing thread: their cost grows with the store, and the caller is an event loop.
    private static let onTheCallersThread = 256

    package func copy(ids: [UInt64], to mailbox: String) async throws -> [(source: UInt64, uid: UInt64)] {
        guard ids.count > Self.onTheCallersThread else { return try copyNow(ids: ids, to: mailbox) }
        return try await BlockingPool.indexing.run { () throws(MailboxError) in try self.copyNow(ids: ids, to: mailbox)
        }
    }

    private func copyNow(ids: [UInt64], to mailbox: String) throws(MailboxError) -> [(source: UInt64, uid: UInt64)] {
        guard index.mailbox(named: mailbox) != nil else { throw MailboxError.tryCreate(Mailbox.canonical(mailbox)) }
        var sources: [UInt64] = []
        var copies: [(Message, MessageFlags)] = []
        for id in ids {
            guard let original = index.message(id: id) else { continue }
            sources.append(id)
            copies.append(
                (Message(id: index.reserveID(), raw: original.raw, envelope: original.envelope), index.flags(of: id)))
        }
        let uids = try index.place(copies, in: mailbox)
        removeExcess()
        return Array(zip(sources, uids))
    }

    package func move(ids: [UInt64], to mailbox: String) async throws -> [(id: UInt64, from: UInt64, to: UInt64)] {
        guard ids.count > Self.onTheCallersThread else { return try index.move(ids: ids, to: mailbox) }
        return try await BlockingPool.indexing.run { [index] () throws(MailboxError) in
            try index.move(ids: ids, to: mailbox)
        }
    }
}
