import LetterboxMIME
import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Keeps messages in a Maildir (https://cr.yp.to/proto/maildir.html) that survives restarts and
/// `kill -9`, and that Dovecot, mutt or any Maildir reader can open: INBOX is the folder itself
/// (`cur/ new/ tmp/`), system flags are the `:2,` info letters, the bytes of each file are exactly
/// the bytes received.
///
/// Delivery (``append(_:envelope:)``), all before it returns, so SMTP answers 250 only for mail on disk:
/// 1. the message is written to `tmp/` with open/write and fsynced (on ``BlockingPool`` threads,
///    several messages at once, so the file system merges their journal commits);
/// 2. a group commit takes every message ready so far: it assigns ids in order, appends their
///    envelope records to the ``EnvelopeLog`` (one write), renames each file into `new/` under its
///    final name (with the id, `,U=`), then makes the log (fdatasync) and the renames (fsync of
///    `new/`) durable together: concurrent deliveries share those two syncs;
/// 3. the messages enter the index in id order, so IMAP never sees a UID below one it already saw.
///
/// Start-up reads the folder names and the envelope log, then every body, on several threads:
/// ``Message`` holds its bytes (`raw`), so a loaded message costs its size in memory, and start-up
/// time grows with the number of files (about 3 s for 100,000 here). Files other programs dropped
/// into `new/` or `cur/` get fresh ids; `tmp/` files older than 36 hours are removed (the Maildir
/// convention); damaged log records are skipped with a warning.
///
/// Thread-safety: every method may be called from any task. `remove(ids:)` and
/// `updateFlags(_:ids:)` rename or unlink files on the calling thread (metadata-only calls that take
/// microseconds); everything that fsyncs runs on the store's own threads.
public final class MaildirStore: IndexedStore {
    /// The Maildir folder.
    public let path: String
    public let uidValidity: UInt32
    /// The limits this store keeps to.
    public var retentionPolicy: RetentionPolicy { retention.policy }

    /// A message written to `tmp/` and waiting for the group commit.
    private struct Pending {
        let unique: String
        let raw: [UInt8]
        let envelope: Envelope
        let continuation: CheckedContinuation<Result<Message, StoreError>, Never>
    }

    private struct CommitQueue {
        var pending: [Pending] = []
        var committing = false
        /// Ids below this are recorded as possibly used (``EnvelopeLog/Record/reserved(below:)``).
        var reservedBelow: UInt64
    }

    /// Ids reserved in the log at a time; a restart skips at most this many.
    private static let reservationBlock: UInt64 = 128
    /// `tmp/` files older than this are abandoned deliveries (the Maildir convention: 36 hours).
    static let orphanAge: Double = 36 * 3600

    let layout: MaildirLayout
    let index: MessageIndex
    private let retention: Retention
    let log: EnvelopeLog
    let files: Mutex<[UInt64: MaildirEntry]>
    /// Messages in mailboxes other than INBOX (Maildir++ subfolders), see `MaildirStore+Mailboxes.swift`.
    let folders = Mutex<[UInt64: MaildirFolderEntry]>([:])
    private let queue: Mutex<CommitQueue>
    private let newDirectory: Int32
    let notify: @Sendable (StoreNotice) -> Void
    let pool = BlockingPool.shared

    /// Opens (creating if needed) the Maildir at `path` on a store thread and reloads it.
    ///
    /// - Parameters:
    ///   - retention: limits applied at once and after every arrival; none by default.
    ///   - notices: what start-up found (info) and what it had to skip (warnings).
    /// - Throws: ``StoreError/unusableFolder(_:_:)`` with the path and the system's reason when
    ///   the folder cannot be created, read or written (missing permission, read-only file system).
    public static func open(
        at path: String, retention: RetentionPolicy = .unlimited,
        notices: @escaping @Sendable (StoreNotice) -> Void = { _ in }
    ) async throws -> MaildirStore {
        try await BlockingPool.shared.run { () throws(StoreError) in
            try MaildirStore(path: path, retention: retention, notices: notices)
        }
    }

    /// Like ``open(at:retention:notices:)``, on the calling thread: it blocks while it reads the folder.
    public init(
        path: String, retention: RetentionPolicy = .unlimited,
        notices: @escaping @Sendable (StoreNotice) -> Void = { _ in }
    ) throws(StoreError) {
        let started = Date()
        self.path = path
        self.notify = notices
        let layout = MaildirLayout(root: path)
        self.layout = layout
        try Self.prepare(layout)
        uidValidity = try Self.loadUIDValidity(layout)
        index = MessageIndex(uidValidity: uidValidity, defaultFolders: false)

        let loaded = try MaildirLoader(layout: layout, pool: pool, notify: notices).load()
        log = try EnvelopeLog(path: layout.log, existingRecords: loaded.logRecords)
        newDirectory = try POSIXFile.openDirectory(layout.new)
        files = Mutex(loaded.files)
        queue = Mutex(CommitQueue(reservedBelow: loaded.nextID + Self.reservationBlock))
        self.retention = Retention(policy: retention, index: index)

        // Make what start-up learned permanent: ids of adopted files, and how far ids may have gone.
        do throws(StoreError) {
            try log.append(loaded.newRecords + [.reserved(below: loaded.nextID + Self.reservationBlock)])
            try log.sync()
        } catch {
            POSIXFile.close(newDirectory)
            throw error
        }

        index.restore(loaded.messages, flags: loaded.flags, recent: loaded.recent, nextID: loaded.nextID)
        try loadFolders()
        if loaded.compactionAdvised {
            do throws(StoreError) { try compactLog() } catch {
                notices(StoreNotice(.warning, "could not rewrite the envelope log: \(error)"))
            }
        }
        removeExcess(everyAge: true)
        self.retention.startSweeping { [weak self] in
            guard let self else { return false }
            self.removeExcess(everyAge: true)
            return true
        }
        let seconds = Date().timeIntervalSince(started)
        let phases = loaded.phases.map { "\($0.name) \($0.seconds.twoDecimals)" }.joined(separator: ", ")
        notices(
            StoreNotice(
                .info,
                "maildir \(path): \(loaded.messages.count) messages loaded in \(seconds.twoDecimals) s (\(phases))"
                    + (loaded.adopted > 0 ? "; \(loaded.adopted) placed by other programs given new ids" : "")
                    + (loaded.orphansRemoved > 0 ? "; \(loaded.orphansRemoved) abandoned tmp/ files removed" : "")))
    }

    deinit { POSIXFile.close(newDirectory) }

    // MARK: Opening

    /// Creates the folder and its `cur/ new/ tmp/` if missing, and proves it can be written.
    private static func prepare(_ layout: MaildirLayout) throws(StoreError) {
        var prefix = layout.root.hasPrefix("/") ? "" : "."
        for component in layout.root.split(separator: "/") {
            prefix += "/" + component
            try POSIXFile.makeDirectory(prefix, mode: 0o700)
        }
        for directory in [layout.tmp, layout.new, layout.cur] { try POSIXFile.makeDirectory(directory) }
        // access(2) is not enough: root passes it on a read-only file system. Create and remove a file.
        let probe = layout.tmp + "/" + MaildirFileName.unique() + ".probe"
        do throws(StoreError) {
            let fd = try POSIXFile.createExclusive(probe)
            POSIXFile.close(fd)
            POSIXFile.remove(probe)
        } catch {
            throw .unusableFolder(layout.root, "cannot create files in tmp/: \(error.detail)")
        }
        for directory in [layout.new, layout.cur] {
            do throws(StoreError) { _ = try POSIXFile.fileNames(in: directory) } catch {
                throw .unusableFolder(layout.root, "cannot read \(directory): \(error.detail)")
            }
        }
    }

    /// The stored UIDVALIDITY; a new one (the current time) for a new folder, written atomically.
    private static func loadUIDValidity(_ layout: MaildirLayout) throws(StoreError) -> UInt32 {
        if let bytes = try POSIXFile.read(layout.uidValidity),
            let value = UInt32(String(decoding: bytes, as: UTF8.self).trimmingWhitespace()),
            value > 0
        {
            return value
        }
        let value = UInt32(truncatingIfNeeded: max(1, Int(Date().timeIntervalSince1970)))
        let temporary = layout.tmp + "/" + MaildirFileName.unique()
        let fd = try POSIXFile.createExclusive(temporary)
        defer { POSIXFile.close(fd) }
        try POSIXFile.writeAll(fd, Array("\(value)\n".utf8), path: temporary)
        try POSIXFile.sync(fd, path: temporary)
        try POSIXFile.rename(temporary, layout.uidValidity)
        let root = try POSIXFile.openDirectory(layout.root)
        defer { POSIXFile.close(root) }
        try POSIXFile.sync(root, path: layout.root)
        return value
    }

    // MARK: Delivery

    public func append(_ raw: [UInt8], envelope: Envelope) async throws -> Message {
        let unique = MaildirFileName.unique()
        let temporary = layout.tmp + "/" + unique
        try await pool.run { () throws(StoreError) in try Self.writeDurably(raw, to: temporary) }
        let result = await withCheckedContinuation { continuation in
            enqueue(Pending(unique: unique, raw: raw, envelope: envelope, continuation: continuation))
        }
        let message = try result.get()
        removeExcess()
        return message
    }

    /// Step 1: the bytes in `tmp/`, fsynced; the file is removed again if anything fails.
    static func writeDurably(_ raw: [UInt8], to path: String) throws(StoreError) {
        let fd = try POSIXFile.createExclusive(path)
        do throws(StoreError) {
            try POSIXFile.writeAll(fd, raw, path: path)
            try POSIXFile.sync(fd, path: path)
            POSIXFile.close(fd)
        } catch {
            POSIXFile.close(fd)
            POSIXFile.remove(path)
            throw error
        }
    }

    private func enqueue(_ pending: Pending) {
        let lead = queue.withLock { queue -> Bool in
            queue.pending.append(pending)
            guard !queue.committing else { return false }
            queue.committing = true
            return true
        }
        if lead { pool.submit(urgent: true) { self.commitWhilePending() } }
    }

    /// Step 2, on a store thread: commits batches until none is waiting. One runs at a time.
    private func commitWhilePending() {
        while true {
            let (batch, reservedBelow) = queue.withLock { queue -> ([Pending], UInt64) in
                let batch = queue.pending
                queue.pending = []
                if batch.isEmpty { queue.committing = false }
                return (batch, queue.reservedBelow)
            }
            guard !batch.isEmpty else { return }
            commit(batch, reservedBelow: reservedBelow)
        }
    }

    private func commit(_ batch: [Pending], reservedBelow: UInt64) {
        let ids = batch.map { _ in index.reserveID() }
        let names = zip(batch, ids).map { MaildirFileName.delivered(unique: $0.unique, size: $0.raw.count, id: $1) }
        var records = zip(zip(batch, ids), names).map { pair, name in
            EnvelopeLog.Record.message(id: pair.1, base: name.base, envelope: pair.0.envelope)
        }
        var newReservation: UInt64?
        if let last = ids.last, last >= reservedBelow {
            newReservation = last + Self.reservationBlock
            records.append(.reserved(below: last + Self.reservationBlock))
        }

        // The records are written before any rename, so every file in new/ has its record.
        do throws(StoreError) { try log.append(records) } catch {
            fail(batch, error)
            return
        }
        if let newReservation { queue.withLock { $0.reservedBelow = newReservation } }

        var renamed: [(pending: Pending, id: UInt64, name: MaildirFileName)] = []
        for ((pending, id), name) in zip(zip(batch, ids), names) {
            do throws(StoreError) {
                try POSIXFile.rename(layout.tmp + "/" + pending.unique, layout.path(inNew: true, name.name))
                renamed.append((pending, id, name))
            } catch {
                fail([pending], error)
            }
        }
        guard !renamed.isEmpty else { return }

        // The log's fdatasync and new/'s fsync, issued together so the file system can commit them
        // in one journal transaction.
        let logSynced = Completion<StoreError?>()
        pool.submit(urgent: true) { [log] in
            do throws(StoreError) {
                try log.sync()
                logSynced.finish(nil)
            } catch {
                logSynced.finish(error)
            }
        }
        var failure: StoreError?
        do throws(StoreError) { try POSIXFile.sync(newDirectory, path: layout.new) } catch { failure = error }
        if let logFailure = logSynced.wait() { failure = failure ?? logFailure }
        if let failure {
            // Not known to be durable: take the files back, so a client that retries makes no duplicate.
            for entry in renamed { POSIXFile.remove(layout.path(inNew: true, entry.name.name)) }
            fail(renamed.map(\.pending), failure)
            return
        }

        files.withLock { files in
            for entry in renamed { files[entry.id] = MaildirEntry(name: entry.name, inNew: true, keywords: []) }
        }
        for entry in renamed {
            let message = Message(id: entry.id, raw: entry.pending.raw, envelope: entry.pending.envelope)
            index.insert(message)
            entry.pending.continuation.resume(returning: .success(message))
        }
        compactIfWorthwhile()
    }

    private func fail(_ batch: [Pending], _ error: StoreError) {
        for pending in batch {
            POSIXFile.remove(layout.tmp + "/" + pending.unique)
            pending.continuation.resume(returning: .failure(error))
        }
    }

    // MARK: Log compaction

    /// Rewrites the log when most of its records describe messages that are gone.
    private func compactIfWorthwhile() {
        let live = files.withLock { $0.count }
        guard log.count > 2 * live + 10_000 else { return }
        do throws(StoreError) { try compactLog() } catch {
            notify(StoreNotice(.warning, "could not compact the envelope log: \(error)"))
        }
    }

    /// Replaces the log with the records of the messages stored now. Holds the file table for the
    /// duration, so no keyword change slips between the snapshot and the swap.
    private func compactLog() throws(StoreError) {
        let reservedBelow = queue.withLock { $0.reservedBelow }
        try files.withLock { files throws(StoreError) in
            var records: [EnvelopeLog.Record] = [.reserved(below: reservedBelow)]
            records.reserveCapacity(files.count + 1)
            for id in files.keys.sorted() {
                guard let entry = files[id], let message = index.message(id: id) else { continue }
                records.append(.message(id: id, base: entry.name.base, envelope: message.envelope))
                if !entry.keywords.isEmpty { records.append(.keywords(id: id, entry.keywords)) }
            }
            records += folderRecords()
            try log.compact(records, folder: layout.root)
        }
    }

    // MARK: Reading

    public func messages() -> [Message] { index.all }

    public func messages(matching filter: MessageFilter) -> [Message] { index.messages(matching: filter) }

    public func message(id: UInt64) -> Message? { index.message(id: id) }

    public func waitForMessage(matching filter: MessageFilter, timeout: Duration) async -> Message? {
        await index.waitForMessage(matching: filter, timeout: timeout)
    }

    public func changes() -> AsyncStream<StoreChange> { index.changes() }

    public var statistics: StoreStatistics { index.statistics }

    public func snapshot(matching filter: MessageFilter) -> StoreSnapshot { index.snapshot(matching: filter) }

    public var modificationSequence: UInt64 { index.modificationSequence }

    public func flags(of id: UInt64) -> MessageFlags { index.flags(of: id) }

    public func claimRecent(_ ids: [UInt64]) -> Set<UInt64> { index.claimRecent(ids) }

    // MARK: Changing

    /// Removes the messages from every interface and unlinks their files.
    @discardableResult
    public func remove(ids: [UInt64]) -> Int {
        files.withLock { files in
            let removed = index.remove(ids: ids)
            for message in removed {
                guard let entry = files.removeValue(forKey: message.id) else {
                    removeFolderFile(of: message.id)
                    continue
                }
                let path = layout.path(inNew: entry.inNew, entry.name.name)
                if !POSIXFile.remove(path), let (directory, moved) = locate(entry.name.base) {
                    POSIXFile.remove(directory + "/" + moved.name)
                }
            }
            return removed.count
        }
    }

    /// Changes flags in the index, renames files whose system flags changed (into `cur/`, with the
    /// new `:2,` letters), and logs keyword changes.
    @discardableResult
    public func updateFlags(_ update: FlagUpdate, ids: [UInt64]) -> [UInt64: MessageFlags] {
        files.withLock { files in
            let changed = index.updateFlags(update, ids: ids)
            var keywordRecords: [EnvelopeLog.Record] = []
            for (id, flags) in changed {
                guard var entry = files[id] else {
                    if let record = changeFolderFlags(of: id, to: flags) { keywordRecords.append(record) }
                    continue
                }
                if let moved = move(entry, flags: flags) {
                    entry.name = moved
                    entry.inNew = false
                }
                let keywords = MaildirFlags.keywords(flags)
                if keywords != entry.keywords {
                    entry.keywords = keywords
                    keywordRecords.append(.keywords(id: id, keywords))
                }
                files[id] = entry
            }
            do throws(StoreError) { try log.append(keywordRecords) } catch {
                notify(StoreNotice(.warning, "could not record keywords: \(error)"))
            }
            return changed
        }
    }

    /// Renames a message's file into `cur/` with the info letters for `flags`, keeping letters
    /// Letterbox does not own; returns the new name, or nil when nothing had to change (or it failed,
    /// with a warning). If another program renamed the file meanwhile, it is found first.
    private func move(_ entry: MaildirEntry, flags: MessageFlags) -> MaildirFileName? {
        func target(from letters: String?) -> MaildirFileName? {
            let wanted = MaildirFlags.letters(for: flags, keeping: letters)
            guard wanted != (letters ?? "") || (entry.inNew && !wanted.isEmpty) else { return nil }
            return MaildirFileName(base: entry.name.base, flagLetters: wanted)
        }
        guard let planned = target(from: entry.name.flagLetters) else { return nil }
        do throws(StoreError) {
            try POSIXFile.rename(
                layout.path(inNew: entry.inNew, entry.name.name), layout.path(inNew: false, planned.name))
            return planned
        } catch {
            if let (directory, current) = locate(entry.name.base) {
                guard let retarget = target(from: current.flagLetters) else { return current }
                if (try? POSIXFile.rename(directory + "/" + current.name, layout.path(inNew: false, retarget.name)))
                    != nil
                {
                    return retarget
                }
            }
            notify(StoreNotice(.warning, "could not change flags on disk: \(error)"))
            return nil
        }
    }

    /// The folder and name of the file with this base name, wherever another reader moved it
    /// (a rare, slow path: it lists the folders).
    private func locate(_ base: String) -> (String, MaildirFileName)? {
        for directory in [layout.cur, layout.new] {
            guard let names = try? POSIXFile.fileNames(in: directory) else { continue }
            for name in names {
                let parsed = MaildirFileName(parsing: name)
                if parsed.base == base { return (directory, parsed) }
            }
        }
        return nil
    }

    private func removeExcess(everyAge: Bool = false) {
        let excess = retention.excess(everyAge: everyAge)
        if !excess.isEmpty { remove(ids: excess) }
    }
}

/// A value handed from one thread to another that waits for it.
final class Completion<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    // Only parks the waiting thread.
    private let condition = Condition()

    func finish(_ result: Value) {
        condition.lock()
        value.withLock { $0 = result }
        condition.signal()
        condition.unlock()
    }

    func wait() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = value.withLock({ $0 }) { return result }
            condition.wait()
        }
    }
}
