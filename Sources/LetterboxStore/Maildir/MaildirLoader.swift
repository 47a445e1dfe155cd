import LetterboxMIME
import LetterboxText
import LetterboxThreads
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads a Maildir back at start-up: the envelope log and the names in `new/` and `cur/`, and no
/// message body: sizes come from the names' `,S=` and `,W=` fields (Letterbox and Dovecot write
/// them; a name without `,S=` costs one fstatat), envelopes from the log. Only a file no log record
/// describes is read, for the headers its envelope is rebuilt from.
///
/// Ids come, in this order of trust, from the file's log record, from the `,U=` field of its name
/// (its log record was lost: the envelope is rebuilt from the headers), or are fresh (a file another
/// program delivered, or a copy of another file). A damaged log record is skipped with a warning;
/// the files it described fall back to their names. Nothing here throws for one bad file.
struct MaildirLoader {
    let layout: MaildirLayout
    /// The table the loaded entries go into; also the body source of the loaded messages.
    let files: MaildirFiles
    let pool: BlockingPool
    let notify: @Sendable (StoreNotice) -> Void

    struct Contents {
        var messages: [Message] = []
        var flags: [UInt64: MessageFlags] = [:]
        var recent: Set<UInt64> = []
        /// The next id to hand out: above every id in a name, in the log, or reserved in it.
        var nextID: UInt64 = 1
        /// INBOX's UIDNEXT as far as the log tells: above every message the log says was captured,
        /// and at least what a compaction recorded (RFC 3501 §2.3.1.1: it never goes back).
        var inboxNextUID: UInt64 = 1
        /// Records for files the log did not describe, to append.
        var newRecords: [EnvelopeLog.Record] = []
        /// Records in the log file as read.
        var logRecords = 0
        var compactionAdvised = false
        var adopted = 0
        var orphansRemoved = 0
        /// Seconds spent per phase, for the start-up notice.
        var phases: [(name: String, seconds: Double)] = []
    }

    private struct Found: Sendable {
        let name: MaildirFileName
        let inNew: Bool
        var id: UInt64 = 0
        var envelope: Envelope?
        var size: Int?
    }

    /// What one chunk of files that needed reading gave: sizes and rebuilt envelopes by index (a file
    /// that vanished meanwhile is absent), and records for the files the log lacked.
    private struct Chunk: Sendable {
        var found: [(index: Int, size: Int, envelope: Envelope?)] = []
        var records: [EnvelopeLog.Record] = []
    }

    func load() throws(StoreError) -> Contents {
        var contents = Contents()
        var clock = Date()
        func phase(_ name: String) {
            let now = Date()
            contents.phases.append((name, now.timeIntervalSince(clock)))
            clock = now
        }

        // The log is read and indexed on another thread while this one lists the folders.
        let logPath = layout.log
        let logRead = Completion<Result<LogIndex, StoreError>>()
        pool.submit {
            do throws(StoreError) { logRead.finish(.success(LogIndex(try EnvelopeLog.read(logPath)))) } catch {
                logRead.finish(.failure(error))
            }
        }
        var found: [Found] = []
        var listed: StoreError?
        for inNew in [true, false] {
            do throws(StoreError) {
                for name in try POSIXFile.fileNames(in: inNew ? layout.new : layout.cur) {
                    found.append(Found(name: MaildirFileName(parsing: name), inNew: inNew))
                }
            } catch {
                listed = error
            }
        }
        var logIndex = try logRead.wait().get()
        if let listed { throw listed }
        found += try finishStagedRenames(logIndex.staged, present: found)
        logIndex.staged = [:]
        phase("names and log")

        let log = logIndex.contents
        for damage in log.damaged {
            notify(
                StoreNotice(
                    .warning, "\(layout.log): skipped a damaged record at byte \(damage.offset) (\(damage.reason))"))
        }
        if log.length > log.validLength {
            // A record cut short by a crash at the very end: cut it off so appends start clean.
            try POSIXFile.truncate(layout.log, to: log.validLength)
        }
        contents.logRecords = log.records.count
        let (keywords, reservedBelow, highest) = (logIndex.keywords, logIndex.reservedBelow, logIndex.highest)

        // Ids: log records first, then ids in names, then fresh ones in name (≈ delivery time) order.
        var taken: Set<UInt64> = []
        taken.reserveCapacity(found.count)
        for index in found.indices {
            guard let position = logIndex.known[found[index].name.base],
                case .message(let id, _, let envelope) = log.records[position], taken.insert(id).inserted
            else { continue }
            found[index].id = id
            found[index].envelope = envelope
        }
        logIndex.known = [:]
        for index in found.indices where found[index].id == 0 {
            guard let id = found[index].name.letterboxID, id > 0, reservedBelow == 0 || id < reservedBelow,
                taken.insert(id).inserted
            else { continue }
            found[index].id = id
            notify(
                StoreNotice(
                    .warning,
                    "\(layout.root): no envelope record for \(found[index].name.base); rebuilt from its headers"))
        }
        var next = max(reservedBelow, highest + 1, (taken.max() ?? 0) + 1, 1)
        contents.inboxNextUID = max(logIndex.highestCaptured + 1, logIndex.inboxNextUID)
        let strangers = found.indices.filter { found[$0].id == 0 }.sorted { found[$0].name.base < found[$1].name.base }
        for index in strangers {
            found[index].id = next
            next += 1
        }
        contents.adopted = strangers.count
        contents.nextID = next
        phase("ids")

        // Sizes from the names; the few files without `,S=` or a log record are read (stat or headers).
        for index in found.indices { found[index].size = found[index].name.field("S").map { Int(clamping: $0) } }
        let unread = found.indices.filter { found[$0].size == nil || found[$0].envelope == nil }
        var present = [Bool](repeating: true, count: found.count)
        for index in unread { present[index] = false }
        for chunk in try inspect(found, unread) {
            for (index, size, envelope) in chunk.found {
                found[index].size = size
                if let envelope { found[index].envelope = envelope }
                present[index] = true
            }
            contents.newRecords += chunk.records
        }
        phase("sizes")

        var entries = MaildirTable()
        entries.reserveCapacity(found.count)
        contents.messages.reserveCapacity(found.count)
        for (index, item) in found.enumerated() {
            guard present[index], let size = item.size, let envelope = item.envelope else { continue }
            contents.messages.append(
                Message(
                    id: item.id, envelope: envelope, size: size,
                    canonicalSize: item.name.field("W").map { Int(clamping: $0) }, source: files))
            var flags = MaildirFlags.flags(item.name.flagLetters)
            let words = keywords[item.id] ?? []
            if !words.isEmpty { flags = MessageFlags(flags.sorted + words) }
            if !flags.isEmpty { contents.flags[item.id] = flags }
            if item.inNew { contents.recent.insert(item.id) }
            entries[item.id] = MaildirEntry(name: item.name, inNew: item.inNew, keywords: words)
        }
        files.table.withLock { $0 = entries }
        phase("index")
        contents.orphansRemoved = removeOrphans()
        contents.compactionAdvised =
            !log.damaged.isEmpty || log.records.count > 2 * contents.messages.count + 10_000
        return contents
    }

    /// Reads what the names and the log do not tell about the files at `indices`, on the calling
    /// thread and three pool threads: the size (fstatat) of a name without `,S=`, and the envelope
    /// of a file without a log record, rebuilt from its headers with its modification time as
    /// arrival. A file that vanished is left out; one that cannot be read is left out with a warning.
    private func inspect(_ found: [Found], _ indices: [Int]) throws(StoreError) -> [Chunk] {
        guard !indices.isEmpty else { return [] }
        let results = Mutex<[Chunk]>([])
        let (layout, notify, files) = (self.layout, self.notify, self.files)
        pool.forEachChunk(count: indices.count, chunkSize: 256, helpers: 3) { range in
            var chunk = Chunk()
            for index in indices[range] {
                let item = found[index]
                let path = layout.path(inNew: item.inNew, item.name.name)
                let directory = item.inNew ? files.newDirectory : files.curDirectory
                do throws(StoreError) {
                    guard item.envelope == nil else {
                        guard let size = try POSIXFile.size(in: directory, item.name.name, path: path) else { continue }
                        chunk.found.append((index, size, nil))
                        continue
                    }
                    guard
                        let (raw, modified) = try POSIXFile.read(
                            in: directory, item.name.name, path: path, expectedSize: item.size,
                            modificationTime: true)
                    else { continue }
                    let arrived = modified.map { Date(timeIntervalSince1970: $0) } ?? Date()
                    let envelope = Envelope.rebuilt(from: raw, receivedAt: arrived)
                    chunk.records.append(.message(id: item.id, base: item.name.base, envelope: envelope))
                    chunk.found.append((index, item.size ?? raw.count, envelope))
                } catch {
                    notify(StoreNotice(.warning, "skipped a message file: \(error)"))
                }
            }
            results.withLock { $0.append(chunk) }
        }
        return results.withLock { $0 }
    }

    /// Finishes the renames a crash cut off: a delivery acknowledged with `--maildir-fsync always`
    /// has its bytes and its records (message and ``EnvelopeLog/Record/staged(base:temporary:size:checksum:)``)
    /// on disk, but its rename into `new/` may not be. A staged file whose final name is in neither
    /// folder is renamed into `new/` if it is still in `tmp/` with exactly the size and CRC-32 its
    /// record gives; otherwise it is an unacknowledged delivery whose bytes did not all reach the
    /// disk, and it is removed, never shown. The renames are made durable before loading goes on.
    private func finishStagedRenames(
        _ staged: [String: (temporary: String, size: UInt64, checksum: UInt32)], present: [Found]
    ) throws(StoreError) -> [Found] {
        guard !staged.isEmpty else { return [] }
        let bases = Set(present.map(\.name.base))
        var finished: [Found] = []
        var discarded = 0
        for (base, file) in staged where !bases.contains(base) {
            let temporary = layout.tmp + "/" + file.temporary
            guard let bytes = try? POSIXFile.read(temporary) else { continue }
            guard UInt64(bytes.count) == file.size, CRC32.checksum(bytes) == file.checksum else {
                POSIXFile.remove(temporary)
                discarded += 1
                continue
            }
            let name = MaildirFileName(base: base, flagLetters: nil)
            do throws(StoreError) { try POSIXFile.rename(temporary, layout.path(inNew: true, name.name)) } catch {
                notify(StoreNotice(.warning, "could not finish a delivery left in tmp/: \(error)"))
                continue
            }
            finished.append(Found(name: name, inNew: true))
        }
        if !finished.isEmpty { try POSIXFile.sync(files.newDirectory, path: layout.new) }
        if !finished.isEmpty || discarded > 0 {
            notify(
                StoreNotice(
                    .info,
                    "\(layout.root): finished \(finished.count) deliveries a crash left in tmp/"
                        + (discarded > 0 ? "; removed \(discarded) incomplete unacknowledged ones" : "")))
        }
        return finished
    }

    /// Removes `tmp/` files older than 36 hours: deliveries that never finished (Maildir convention;
    /// younger ones may belong to another program still writing).
    private func removeOrphans() -> Int {
        guard let names = try? POSIXFile.fileNames(in: layout.tmp) else { return 0 }
        let cutoff = Date().timeIntervalSince1970 - MaildirStore.orphanAge
        var removed = 0
        for name in names {
            let path = layout.tmp + "/" + name
            if let modified = POSIXFile.modificationTime(path), modified < cutoff, POSIXFile.remove(path) {
                removed += 1
            }
        }
        return removed
    }
}

/// The envelope log as read, indexed for matching files: built on the thread that read it.
private struct LogIndex: Sendable {
    let contents: EnvelopeLog.Contents
    /// Base name → position of its message record (the last record wins).
    var known: [String: Int] = [:]
    var keywords: [UInt64: [String]] = [:]
    var reservedBelow: UInt64 = 0
    var highest: UInt64 = 0
    /// The highest id of a message record: every one was captured into INBOX with its id as UID.
    var highestCaptured: UInt64 = 0
    var inboxNextUID: UInt64 = 1
    /// Base name → the `tmp/` file, size and CRC-32 of a delivery that may not have been renamed.
    var staged: [String: (temporary: String, size: UInt64, checksum: UInt32)] = [:]

    init(_ contents: EnvelopeLog.Contents) {
        self.contents = contents
        known.reserveCapacity(contents.records.count)
        for (position, record) in contents.records.enumerated() {
            switch record {
            case .message(let id, let base, _):
                known[base] = position
                highest = max(highest, id)
                highestCaptured = max(highestCaptured, id)
            case .keywords(let id, let list): keywords[id] = list
            case .reserved(let below): reservedBelow = max(reservedBelow, below)
            case .copied(let id, _, _): highest = max(highest, id)
            case .inboxNextUID(let next): inboxNextUID = max(inboxNextUID, next)
            case .staged(let base, let temporary, let size, let checksum):
                staged[base] = (temporary, size, checksum)
            }
        }
    }
}

extension Envelope {
    /// The envelope of a file no log record describes, as well as its headers tell: the sender from
    /// `Return-Path:` or `From:`, the recipients from `Delivered-To:`/`X-Original-To:` or else
    /// `To:`, `Cc:` and `Bcc:`, and the file's modification time as the arrival.
    static func rebuilt(from raw: [UInt8], receivedAt: Date) -> Envelope {
        let headers = MessageHeaders(parsing: raw)
        func bare(_ value: String) -> String {
            value.trimmingWhitespace().trimming { $0 == "<" || $0 == ">" }
        }
        let sender = headers.first("Return-Path").map(bare) ?? headers.from.first?.address ?? ""
        var recipients = (headers.values("Delivered-To") + headers.values("X-Original-To")).map(bare)
        if recipients.isEmpty { recipients = (headers.to + headers.cc + headers.bcc).map(\.address) }
        return Envelope(sender: sender, recipients: recipients, receivedAt: receivedAt)
    }
}
