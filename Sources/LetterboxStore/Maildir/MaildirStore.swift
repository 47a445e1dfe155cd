import LetterboxMIME
import LetterboxText
import LetterboxThreads
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
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
/// Delivery (``append(_:envelope:)``), all before it returns, so SMTP answers 250 only for mail on
/// disk, on a ``BlockingPool`` thread per message:
/// 1. the message is written to `tmp/` with open/write, without a sync of its own, and its
///    writeback started (`sync_file_range`);
/// 2. under a short lock (in memory only) the next id is assigned and its records registered for
///    compaction; then, without the lock and beside other deliveries, they are appended to the
///    ``EnvelopeLog`` (one write(2)): the envelope, and with ``MaildirFsync/always`` the *staged*
///    record (the `tmp/` name, the final name, the size and CRC-32 of the bytes);
/// 3. with ``MaildirFsync/always``, the file and the log are made durable: the delivery
///    fdatasyncs its own file, side by side with the other deliveries (the kernel carries their
///    block allocations in one journal commit), then waits for a round of a ``GroupCommit`` that
///    fdatasyncs the log for every delivery whose records were appended before the round began
///    (no delivery sleeps to gather a batch). The round starts when the delivery takes its ticket
///    if none is running, on a store thread that runs rounds back to back while deliveries wait,
///    so the log's fdatasync overlaps the file's instead of following it;
/// 4. the file is renamed into `new/` under its final name (with `,S=` and `,W=` sizes and the id,
///    `,U=`), without a sync;
/// 5. the message enters the index in id order (a delivery waits for the ones with lower ids), so
///    IMAP never sees a UID below one it already saw.
///
/// Why, with ``MaildirFsync/always``, nothing acknowledged is lost and nothing partial becomes
/// visible, whatever the moment of a power loss (on a disk that honours flushes):
/// - *Acknowledged means durable.* The 250 follows step 3: the bytes and size of the file in
///   `tmp/` are on stable storage (its own fdatasync succeeded), and so are both records (the
///   log's fdatasync, after they were appended). The rename of step 4 may not be: a restart then
///   finishes it, renaming the `tmp/` file its staged record names into `new/` (see
///   ``MaildirLoader``). Like Postfix's queue file or a database's write-ahead log, the log record
///   is the commit point, and the rename is replayed from it.
/// - *Visible means complete.* Readers (this store after a restart, Dovecot, mutt) see only `new/`
///   and `cur/`. Step 4 renames only a file whose step 3 succeeded, so a name there always points
///   at durable bytes. The restart's replay renames a staged file only if its size and CRC-32
///   match the record, so a delivery cut short before step 3 finished (its record may be on
///   disk before its bytes) is removed, never shown; it was never acknowledged.
/// - *Failures* of any sync that covers a delivery fail that delivery (the client gets a 4xx and
///   retries), and its `tmp/` file is removed, never someone else's; a file whose flush failed
///   fails only its own delivery. A record whose file never arrives is ignored on loading.
/// - Measured alternative: the round's leader flushing every file of the round (start all
///   writebacks, then fdatasync each) was slower here, each fdatasync adding one device flush
///   in sequence where the deliveries' own fdatasyncs overlap.
/// - Log compaction first fsyncs `new/`, so the staged records it drops (those of published
///   deliveries) are no longer needed.
/// - Removals and flag renames are not synced (as before): after a power loss a message removed
///   within the last seconds can come back, in either mode.
///
/// With ``MaildirFsync/never`` step 3 is skipped and no staged record is written; the rename of
/// step 4 follows the complete write(2), so a kill of the process loses nothing acknowledged and
/// shows nothing partial (see ``MaildirFsync`` for what a power loss can do).
///
/// Messages hold no bytes: a ``Message`` of this store reads its file when asked (through
/// ``MaildirFiles``, with a bounded cache of recent messages), so memory does not grow with the
/// mail stored. Start-up reads the folder names and the envelope log and no message body: sizes
/// come from the names (`,S=`, `,W=`). Files other programs dropped into `new/` or `cur/` get
/// fresh ids (their headers are read to rebuild an envelope); `tmp/` files older than 36 hours are
/// removed (the Maildir convention); damaged log records are skipped with a warning.
///
/// Thread-safety: every method may be called from any task. `remove(ids:)` and
/// `changeFlags(_:ids:)` rename or unlink files on the calling thread, one call per message (code
/// on an event loop uses ``MessageStore/changeFlagsOffTheLoop(_:ids:)`` and
/// ``MessageStore/removeEachOffTheLoop(ids:)``, see ``FileBackedStore``); everything that fsyncs
/// runs on the store's own threads.
package final class MaildirStore: IndexedStore {
    /// The Maildir folder.
    package let path: String
    package let uidValidity: UInt32
    /// The limits this store keeps to.
    package var retentionPolicy: RetentionPolicy { retention.policy }

    /// What id assignment and compaction share; a delivery holds it only for in-memory work (its
    /// id, its records registered), and appends its records after (see ``EnvelopeLog``).
    private struct CommitState {
        /// Ids below this are recorded as possibly used (``EnvelopeLog/Record/reserved(below:)``).
        var reservedBelow: UInt64
        /// Records of deliveries logged but not yet published (message, and staged file), for compaction.
        var unpublished: [UInt64: [EnvelopeLog.Record]] = [:]
    }

    /// Deliveries whose files are durable, waiting for every lower id to be published first.
    private struct Publication {
        var next: UInt64
        /// The message and its waiting `append`, or nil for an id whose delivery failed.
        var ready: [UInt64: (Message, CheckedContinuation<Result<Message, StoreError>, Never>)?] = [:]
    }

    /// Ids reserved in the log at a time; a restart skips at most this many.
    private static let reservationBlock: UInt64 = 128
    /// `tmp/` files older than this are abandoned deliveries (the Maildir convention: 36 hours).
    static let orphanAge: Double = 36 * 3600

    let layout: MaildirLayout
    let index: MessageIndex
    private let retention: Retention
    let log: EnvelopeLog
    /// Whether deliveries sync before they are acknowledged.
    package let fsync: MaildirFsync
    /// Shares the fdatasync of delivered files and of the log among concurrent deliveries.
    package let commits: GroupCommit
    /// Where deliveries spend their time (for `letterbox-bench`).
    package let timings = DeliveryTimings()
    let files: MaildirFiles
    /// Messages in mailboxes other than INBOX (Maildir++ subfolders), see `MaildirStore+Mailboxes.swift`.
    let folders = Mutex<[UInt64: MaildirFolderEntry]>([:])
    // Spinning, not `Mutex` (a priority-inheritance futex on Linux): every delivery takes both in
    // turn, and a convoy of hand-offs to sleeping threads cost more than the work they guard.
    private let commitState: SpinningMutex<CommitState>
    private let publication: SpinningMutex<Publication>
    /// Held across a flag change's index update and renames (taken before either lock).
    private let flagChanges = Mutex(())
    let notify: @Sendable (StoreNotice) -> Void
    let pool = BlockingPool.shared

    /// Opens (creating if needed) the Maildir at `path` on a store thread and reloads it.
    ///
    /// - Parameters:
    ///   - retention: limits applied at once and after every arrival; none by default.
    ///   - fsync: whether deliveries reach stable storage before they are acknowledged (default
    ///     ``MaildirFsync/always``).
    ///   - notices: what start-up found (info) and what it had to skip (warnings).
    /// - Throws: ``StoreError/unusableFolder(_:_:)`` with the path and the system's reason when
    ///   the folder cannot be created, read or written (missing permission, read-only file system).
    package static func open(
        at path: String, retention: RetentionPolicy = .unlimited, fsync: MaildirFsync = .always,
        notices: @escaping @Sendable (StoreNotice) -> Void = { _ in }
    ) async throws -> MaildirStore {
        try await BlockingPool.shared.run { () throws(StoreError) in
            try MaildirStore(path: path, retention: retention, fsync: fsync, notices: notices)
        }
    }

    /// Like ``open(at:retention:fsync:notices:)``, on the calling thread: it blocks while it reads the folder.
    package init(
        path: String, retention: RetentionPolicy = .unlimited, fsync: MaildirFsync = .always,
        notices: @escaping @Sendable (StoreNotice) -> Void = { _ in }
    ) throws(StoreError) {
        let started = Date()
        self.path = path
        self.fsync = fsync
        self.notify = notices
        var layout = MaildirLayout(root: path)
        layout.permissions = MaildirPermissions.forRoot(layout.root)
        self.layout = layout
        try Self.prepare(layout)
        uidValidity = try Self.loadUIDValidity(layout)
        index = MessageIndex(uidValidity: uidValidity, defaultFolders: false)

        let files = try MaildirFiles(layout: layout)
        self.files = files
        let loaded = try MaildirLoader(layout: layout, files: files, pool: pool, notify: notices).load()
        let log = try EnvelopeLog(
            path: layout.log, existingRecords: loaded.logRecords, mode: layout.permissions.file)
        self.log = log
        commits = GroupCommit { () throws(StoreError) in try log.sync() }
        commitState = SpinningMutex(CommitState(reservedBelow: loaded.nextID + Self.reservationBlock))
        publication = SpinningMutex(Publication(next: loaded.nextID))
        self.retention = Retention(policy: retention, index: index)

        // Make what start-up learned permanent: ids of adopted files, and how far ids may have gone.
        try log.append(loaded.newRecords + [.reserved(below: loaded.nextID + Self.reservationBlock)])
        try log.sync()

        index.restore(loaded.messages, flags: loaded.flags, recent: loaded.recent, nextID: loaded.nextID)
        // UIDNEXT as before the restart, though the messages with the highest UIDs are gone.
        index.raiseNextUID(of: Mailbox.inbox, to: loaded.inboxNextUID)
        try loadFolders()
        try MaildirModSeqFile(layout: layout).resume(index, notify: notices)
        // Folder files without ids of their own took fresh ones: deliveries start above them.
        let nextID = index.nextID
        if nextID > loaded.nextID {
            try log.append([.reserved(below: nextID + Self.reservationBlock)])
            try log.sync()
            commitState.withLock { $0.reservedBelow = nextID + Self.reservationBlock }
        }
        publication.withLock { $0.next = nextID }
        files.locateElsewhere { [weak self] id in self?.folderFilePath(of: id) }
        if loaded.compactionAdvised {
            do throws(StoreError) { try compactLog() } catch {
                notices(StoreNotice(.warning, "could not rewrite the envelope log: \(error)"))
            }
        }
        removeExcess(everyAge: true)
        // Start-up's transient buffers (the log, the folder listings) are freed; return their pages.
        HeapTrim.releaseFreePages()
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

    // MARK: Opening

    /// Creates the folder and its `cur/ new/ tmp/` if missing, and proves it can be written.
    private static func prepare(_ layout: MaildirLayout) throws(StoreError) {
        var prefix = layout.root.hasPrefix("/") ? "" : "."
        for component in layout.root.split(separator: "/") {
            prefix += "/" + component
            try POSIXFile.makeDirectory(prefix, mode: layout.permissions.directory)
        }
        for directory in [layout.tmp, layout.new, layout.cur] {
            try POSIXFile.makeDirectory(directory, mode: layout.permissions.directory)
        }
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
            do throws(StoreError) { try POSIXFile.checkReadable(directory) } catch {
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
        let fd = try POSIXFile.createExclusive(temporary, mode: layout.permissions.file)
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

    package func append(_ raw: [UInt8], envelope: Envelope) async throws -> Message {
        let clock = ContinuousClock()
        let called = clock.now
        let result = await withCheckedContinuation { continuation in
            pool.submit { self.deliver(raw, envelope: envelope, called: called, continuation) }
        }
        timings.recordRoundTrip(clock.now - called)
        let message = try result.get()
        // The caller may be an event loop (SMTP): unlinking the oldest files waits for the disk,
        // so it happens on the store's threads, and the delivery returns once it is done.
        let excess = retention.excess()
        if !excess.isEmpty { _ = await pool.perform { self.remove(ids: excess) } }
        return message
    }

    /// One delivery, on a store thread, from `tmp/` to published; concurrent deliveries run side
    /// by side and share the sync of step 3 (see the type's documentation).
    private func deliver(
        _ raw: [UInt8], envelope: Envelope, called: ContinuousClock.Instant,
        _ continuation: CheckedContinuation<Result<Message, StoreError>, Never>
    ) {
        let clock = ContinuousClock()
        let started = clock.now
        let durable = fsync == .always
        let unique = MaildirFileName.unique()
        let temporary = layout.tmp + "/" + unique
        let fd: Int32
        do throws(StoreError) { fd = try Self.create(raw, at: temporary, mode: layout.permissions.file) } catch {
            continuation.resume(returning: .failure(error))
            return
        }
        // The disk starts on the bytes while this delivery takes its id and waits for its round.
        if durable { POSIXFile.startWriteback(fd) }
        let canonicalSize = LineEndings.canonicalSize(of: raw)
        let checksum = durable ? raw.withUnsafeBytes { CRC32.checksum($0) } : 0
        let written = clock.now

        // Step 2: an id, and the records registered for compaction under the lock (held by every
        // delivery in turn: the shorter the better), then appended without it, side by side with
        // other deliveries' appends. The records are written before the rename, so every file in
        // new/ has its record once the page cache has both (kill -9 loses neither); a record whose
        // file never arrives is ignored on loading. Registered first: a compaction that starts
        // before the append writes them into the new log itself (it holds this lock throughout).
        let (id, name, records) = commitState.withLock { state in
            let id = index.reserveID()
            let name = MaildirFileName.delivered(unique: unique, size: raw.count, canonicalSize: canonicalSize, id: id)
            var records: [EnvelopeLog.Record] = [.message(id: id, base: name.base, envelope: envelope)]
            if durable {
                records.append(
                    .staged(base: name.base, temporary: unique, size: UInt64(raw.count), checksum: checksum))
            }
            state.unpublished[id] = records
            if id >= state.reservedBelow {
                state.reservedBelow = id + Self.reservationBlock
                records.append(.reserved(below: id + Self.reservationBlock))
            }
            return (id, name, records)
        }
        do throws(StoreError) { try log.append(records) } catch {
            commitState.withLock { state in
                state.unpublished[id] = nil
                // The reservation it carried may be missing: the next delivery writes one.
                state.reservedBelow = min(state.reservedBelow, id)
            }
            POSIXFile.close(fd)
            POSIXFile.remove(temporary)
            publish(id, nil)
            continuation.resume(returning: .failure(error))
            return
        }
        let logged = clock.now

        // Step 3: the file's bytes durable by its own fdatasync, run side by side with the other
        // deliveries' (the kernel commits their metadata in one journal transaction; a leader
        // flushing every file of a round in turn measured slower, each fdatasync being one more
        // device flush in sequence), and both records by a group-commit round of the log that
        // started after they were appended: often one that ran during the file's fdatasync.
        if durable {
            let ticket = commits.enter(startingSyncOn: pool)
            do throws(StoreError) {
                try POSIXFile.syncData(fd, path: temporary)
                try commits.wait(for: ticket)
            } catch {
                // Not known to be durable: no name in new/, so a client that retries makes no duplicate.
                POSIXFile.close(fd)
                POSIXFile.remove(temporary)
                commitState.withLock { _ = $0.unpublished.removeValue(forKey: id) }
                publish(id, nil)
                continuation.resume(returning: .failure(error))
                return
            }
        }
        POSIXFile.close(fd)
        let synced = clock.now

        // Step 4: the rename, of a file whose bytes are durable (always) or complete in the page cache (never).
        do throws(StoreError) { try POSIXFile.rename(temporary, layout.path(inNew: true, name.name)) } catch {
            POSIXFile.remove(temporary)
            commitState.withLock { _ = $0.unpublished.removeValue(forKey: id) }
            publish(id, nil)
            continuation.resume(returning: .failure(error))
            return
        }
        let renamed = clock.now

        files.table.withLock { $0[id] = MaildirEntry(name: name, inNew: true, keywords: []) }
        files.cache.insert(MessageViews(raw: raw), id: id)
        let message = Message(
            id: id, envelope: envelope, size: raw.count, canonicalSize: canonicalSize, source: files)
        publish(id, (message, continuation))
        timings.record(
            queued: started - called, writing: written - started, staging: logged - written,
            syncing: synced - logged, renaming: renamed - synced, publishing: clock.now - renamed)
        commitState.withLock { _ = $0.unpublished.removeValue(forKey: id) }
        compactIfWorthwhile()
    }

    /// The bytes in a new file at `path`, fsynced; the file is removed again if anything fails
    /// (IMAP APPEND and COPY into folders, which sync on their own).
    static func writeDurably(_ raw: [UInt8], to path: String, mode: mode_t) throws(StoreError) {
        let fd = try create(raw, at: path, mode: mode)
        defer { POSIXFile.close(fd) }
        do throws(StoreError) { try POSIXFile.sync(fd, path: path) } catch {
            POSIXFile.remove(path)
            throw error
        }
    }

    /// Step 1: the bytes in a new file at `path`, not synced, left open for the caller to flush
    /// and close; the file is removed again if writing fails.
    static func create(_ raw: [UInt8], at path: String, mode: mode_t) throws(StoreError) -> Int32 {
        let fd = try POSIXFile.createExclusive(path, mode: mode)
        do throws(StoreError) { try POSIXFile.writeAll(fd, raw, path: path) } catch {
            POSIXFile.close(fd)
            POSIXFile.remove(path)
            throw error
        }
        return fd
    }

    /// An id for a message a client puts into a folder (APPEND, COPY), published at once as one
    /// that SMTP delivery skips: deliveries are published in id order and would wait for it forever.
    func reserveFolderID() -> UInt64 {
        let id = index.reserveID()
        publish(id, nil)
        return id
    }

    /// Marks id `id` done (`delivered` nil: it failed) and publishes, in id order, every message
    /// whose lower ids are all done: it enters the index and its `append` returns. So IMAP never
    /// sees a UID below one it already saw, and SMTP answers 250 once the message is visible.
    private func publish(
        _ id: UInt64, _ delivered: (Message, CheckedContinuation<Result<Message, StoreError>, Never>)?
    ) {
        let finished = publication.withLock { publication in
            publication.ready[id] = .some(delivered)
            var finished: [(Message, CheckedContinuation<Result<Message, StoreError>, Never>)] = []
            while let next = publication.ready.removeValue(forKey: publication.next) {
                publication.next += 1
                guard let (message, continuation) = next else { continue }
                // Under the lock: insertions stay in id order. The INBOX UID is the id (see `restore`).
                index.insert(message, uid: message.id)
                finished.append((message, continuation))
            }
            return finished
        }
        for (message, continuation) in finished { continuation.resume(returning: .success(message)) }
    }

    // MARK: Log compaction

    private var compactionIsWorthwhile: Bool {
        let live = files.table.withLock { $0.count } + folders.withLock { $0.count }
        return log.count > 2 * live + 10_000
    }

    /// Rewrites the log when most of its records describe messages that are gone. Messages in
    /// folders count too: their envelopes and keywords stay in a compacted log, and leaving them
    /// out would compact again on every delivery once there are many.
    private func compactIfWorthwhile() {
        // Cheap first (an atomic load): most deliveries need not count the messages under two locks.
        guard log.count > 10_000, compactionIsWorthwhile else { return }
        do throws(StoreError) { try compactLog() } catch {
            notify(StoreNotice(.warning, "could not compact the envelope log: \(error)"))
        }
    }

    /// Replaces the log with the records of the messages stored now and of deliveries under way.
    /// Holds the commit state and the file table for the duration, so no delivery record or keyword
    /// change slips between the snapshot and the swap. The index is read before the table is taken
    /// (see ``remove(ids:)`` for the lock order); a message published meanwhile is still among the
    /// unpublished records, which only change under the commit state.
    private func compactLog() throws(StoreError) {
        try commitState.withLock { state throws(StoreError) in
            let envelopes = index.envelopes()
            let nextID = index.nextID
            let inboxNextUID = index.mailbox(named: Mailbox.inbox)?.nextUID ?? 1
            try files.table.withLock { files throws(StoreError) in
                // Folder APPEND and COPY log their own reservations; the index's next id covers them.
                var records: [EnvelopeLog.Record] = [
                    .reserved(below: max(state.reservedBelow, nextID)),
                    .inboxNextUID(inboxNextUID),
                ]
                records.reserveCapacity(files.count + state.unpublished.count + 2)
                for id in files.ids.sorted() {
                    guard let entry = files[id] else { continue }
                    if let (envelope, _) = envelopes[id] {
                        records.append(.message(id: id, base: entry.name.base, envelope: envelope))
                    } else if let staged = state.unpublished[id] {
                        records += staged
                    } else {
                        continue
                    }
                    if !entry.keywords.isEmpty { records.append(.keywords(id: id, entry.keywords)) }
                }
                for id in state.unpublished.keys.sorted() where files[id] == nil {
                    if let staged = state.unpublished[id] { records += staged }
                }
                records += folderRecords(envelopes: envelopes)
                // Not while a delivery's sync flushes the log file this replaces. The renames of
                // published deliveries are made durable first: their staged records are left out.
                try commits.exclusively { () throws(StoreError) in
                    try POSIXFile.sync(self.files.newDirectory, path: layout.new)
                    try log.compact(records, folder: layout.root)
                }
            }
        }
    }

    // MARK: Changing

    /// Removes the messages from every interface and unlinks their files.
    ///
    /// The files go first, before observers hear of the removal: a file that cannot be unlinked
    /// (a read-only or failing disk) keeps its message, with a warning, so what clients are told
    /// is gone never comes back at the next start. A file already gone counts as removed.
    ///
    /// Lock order: the index before the file table, never the index while holding the table (a
    /// content filter reads files, so it takes the table while holding the index); the file table
    /// before the folder table.
    @discardableResult
    package func remove(ids: [UInt64]) -> Int { removeEach(ids: ids).removed.count }

    /// Like ``remove(ids:)``, saying which messages stay because their file could not be unlinked.
    package func removeEach(ids: [UInt64]) -> RemovalResult {
        // Only published messages: a delivery under way has its file in the table already.
        let stored = ids.filter { index.message(id: $0) != nil }
        let kept = unlinkFiles(of: stored)
        let removed = index.remove(ids: kept.isEmpty ? stored : stored.filter { kept[$0] == nil }) { removed in
            files.table.withLock { files in
                for message in removed {
                    self.files.cache.remove(message.id)
                    if files.removeValue(forKey: message.id) == nil {
                        folders.withLock { _ = $0.removeValue(forKey: message.id) }
                    }
                }
            }
        }
        return RemovalResult(removed: removed.map(\.id), kept: kept)
    }

    /// Unlinks the files of `ids` (looking for a file another program renamed by its base name);
    /// returns the ids whose file is still there, with why.
    private func unlinkFiles(of ids: [UInt64]) -> [UInt64: StoreError] {
        var kept: [UInt64: StoreError] = [:]
        files.table.withLock { table in
            for id in ids {
                let path: String
                var base: String?
                if let entry = table[id] {
                    path = layout.path(inNew: entry.inNew, entry.name.name)
                    base = entry.name.base
                } else if let elsewhere = folderFilePath(of: id) {
                    path = elsewhere
                } else {
                    continue
                }
                if unlink(path) == 0 { continue }
                var code = errno
                if code == ENOENT, let base, let (directory, moved) = self.files.locate(base) {
                    if unlink(directory + "/" + moved.name) == 0 { continue }
                    code = errno
                }
                guard code != ENOENT else { continue }
                kept[id] = .system("unlink", path: path, errno: code)
            }
        }
        if let failure = kept.min(by: { $0.key < $1.key })?.value {
            notify(StoreNotice(.warning, "could not delete \(kept.count) message files, kept them: \(failure)"))
        }
        return kept
    }

    /// Changes flags, all or nothing per message: renames files whose system flags changed (into
    /// `cur/`, with the new `:2,` letters) and changes the index only for the messages whose file
    /// took its new name (or needed none), so a restart finds what clients were told; logs keyword
    /// changes. Flag changes are serialized, so the files end with the flags the index ends with.
    /// The index is read, then the file table taken, then the index written, never both held at
    /// once (see ``remove(ids:)`` for the lock order).
    package func changeFlags(_ update: FlagUpdate, ids: [UInt64]) -> FlagChangeResult {
        applyFlags(update, ids: ids, unchangedSince: nil)
    }

    /// ``changeFlags(_:ids:)`` for the messages not changed since `unchangedSince`: judged inside
    /// the serialization of flag changes, the only changes that move a stored message's
    /// mod-sequence, so none slips between the check and the change (RFC 7162 §3.1.3).
    package func changeFlags(_ update: FlagUpdate, ids: [UInt64], unchangedSince: UInt64) -> FlagChangeResult {
        applyFlags(update, ids: ids, unchangedSince: unchangedSince)
    }

    private func applyFlags(_ update: FlagUpdate, ids: [UInt64], unchangedSince: UInt64?) -> FlagChangeResult {
        flagChanges.withLock { _ in
            var modified: Set<UInt64> = []
            let unchanged = ids.filter { id in
                guard let since = unchangedSince else { return true }
                guard let modSeq = index.modSeq(of: id), modSeq <= since else {
                    modified.insert(id)
                    return false
                }
                return true
            }
            let planned = unchanged.filter { index.message(id: $0) != nil }.map {
                ($0, update.applied(to: index.flags(of: $0)))
            }
            var failed: [UInt64: StoreError] = [:]
            files.table.withLock { files in
                var keywordRecords: [EnvelopeLog.Record] = []
                for (id, flags) in planned.sorted(by: { $0.0 < $1.0 }) {
                    do throws(StoreError) {
                        guard var entry = files[id] else {
                            if let record = try changeFolderFlags(of: id, to: flags) { keywordRecords.append(record) }
                            continue
                        }
                        if let moved = try move(entry, flags: flags) {
                            entry.name = moved
                            entry.inNew = false
                        }
                        let keywords = MaildirFlags.keywords(flags)
                        if keywords != entry.keywords {
                            entry.keywords = keywords
                            keywordRecords.append(.keywords(id: id, keywords))
                        }
                        files[id] = entry
                    } catch {
                        failed[id] = error
                    }
                }
                do throws(StoreError) { try log.append(keywordRecords) } catch {
                    notify(StoreNotice(.warning, "could not record keywords: \(error)"))
                }
            }
            if let failure = failed.min(by: { $0.key < $1.key })?.value {
                notify(
                    StoreNotice(
                        .warning, "could not change flags on disk of \(failed.count) messages, kept them: \(failure)"))
            }
            let changed = index.updateFlags(update, ids: planned.map(\.0).filter { failed[$0] == nil })
            return FlagChangeResult(changed: changed, failed: failed, modified: modified)
        }
    }

    /// Renames a message's file into `cur/` with the info letters for `flags`, keeping letters
    /// Letterbox does not own; returns the new name, or nil when nothing had to change. If another
    /// program renamed the file meanwhile, it is found first. Throws when the file cannot be renamed.
    private func move(_ entry: MaildirEntry, flags: MessageFlags) throws(StoreError) -> MaildirFileName? {
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
            guard let (directory, current) = files.locate(entry.name.base) else {
                // No file by that name at all: a removal under way unlinked it (its entry goes
                // next), so the message is gone and there is nothing to rename.
                if error.isMissingFile { return nil }
                throw error
            }
            guard let retarget = target(from: current.flagLetters) else { return current }
            try POSIXFile.rename(directory + "/" + current.name, layout.path(inNew: false, retarget.name))
            return retarget
        }
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
