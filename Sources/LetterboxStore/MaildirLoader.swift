import LetterboxMIME
import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a message's file is now, and its keywords (the part of its flags a file name cannot hold).
struct MaildirEntry: Sendable {
    var name: MaildirFileName
    var inNew: Bool
    var keywords: [String]
}

/// Reads a Maildir back at start-up: the envelope log, the names in `new/` and `cur/`, the bodies.
///
/// Ids come, in this order of trust, from the file's log record, from the `,U=` field of its name
/// (its log record was lost: the envelope is rebuilt from the headers), or are fresh (a file another
/// program delivered, or a copy of another file). A damaged log record is skipped with a warning;
/// the files it described fall back to their names. Nothing here throws for one bad file.
struct MaildirLoader {
    let layout: MaildirLayout
    let pool: BlockingPool
    let notify: @Sendable (StoreNotice) -> Void

    struct Contents {
        var messages: [Message] = []
        var flags: [UInt64: MessageFlags] = [:]
        var recent: Set<UInt64> = []
        var files: [UInt64: MaildirEntry] = [:]
        /// The next id to hand out: above every id in a name, in the log, or reserved in it.
        var nextID: UInt64 = 1
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
    }

    /// What one chunk of files gave: messages, records for files the log lacked.
    private struct Chunk: Sendable {
        var messages: [(index: Int, message: Message)] = []
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

        // The log is read on another thread while this one lists the folders.
        let logPath = layout.log
        let logRead = Completion<Result<EnvelopeLog.Contents, StoreError>>()
        pool.submit {
            do throws(StoreError) { logRead.finish(.success(try EnvelopeLog.read(logPath))) } catch {
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
        let log = try logRead.wait().get()
        if let listed { throw listed }
        phase("names and log")

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

        var known: [String: (id: UInt64, envelope: Envelope)] = [:]
        known.reserveCapacity(log.records.count)
        var keywords: [UInt64: [String]] = [:]
        var reservedBelow: UInt64 = 0
        var highest: UInt64 = 0
        for record in log.records {
            switch record {
            case .message(let id, let base, let envelope):
                known[base] = (id, envelope)
                highest = max(highest, id)
            case .keywords(let id, let list): keywords[id] = list
            case .reserved(let below): reservedBelow = max(reservedBelow, below)
            }
        }

        // Ids: log records first, then ids in names, then fresh ones in name (≈ delivery time) order.
        var taken: Set<UInt64> = []
        taken.reserveCapacity(found.count)
        for index in found.indices {
            guard let entry = known[found[index].name.base], taken.insert(entry.id).inserted else { continue }
            found[index].id = entry.id
            found[index].envelope = entry.envelope
        }
        known = [:]
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
        let strangers = found.indices.filter { found[$0].id == 0 }.sorted { found[$0].name.base < found[$1].name.base }
        for index in strangers {
            found[index].id = next
            next += 1
        }
        contents.adopted = strangers.count
        contents.nextID = next
        phase("ids")

        // Bodies and messages, on several threads (Message holds its bytes; see MaildirStore).
        let chunks = try readMessages(found)
        var messages: [Message?] = Array(repeating: nil, count: found.count)
        for chunk in chunks {
            for (index, message) in chunk.messages { messages[index] = message }
            contents.newRecords += chunk.records
        }
        phase("bodies")

        contents.messages.reserveCapacity(found.count)
        contents.files.reserveCapacity(found.count)
        for (index, item) in found.enumerated() {
            guard let message = messages[index] else { continue }
            contents.messages.append(message)
            var flags = MaildirFlags.flags(item.name.flagLetters)
            let words = keywords[item.id] ?? []
            if !words.isEmpty { flags = MessageFlags(flags.sorted + words) }
            if !flags.isEmpty { contents.flags[item.id] = flags }
            if item.inNew { contents.recent.insert(item.id) }
            contents.files[item.id] = MaildirEntry(name: item.name, inNew: item.inNew, keywords: words)
        }
        phase("index")
        contents.orphansRemoved = removeOrphans()
        contents.compactionAdvised =
            !log.damaged.isEmpty || log.records.count > 2 * contents.messages.count + 10_000
        return contents
    }

    /// Reads every file and makes its ``Message``, on the calling thread and three pool threads.
    /// A file that vanished is left out; one that cannot be read is left out with a warning.
    private func readMessages(_ found: [Found]) throws(StoreError) -> [Chunk] {
        let newFD = try POSIXFile.openDirectory(layout.new)
        defer { POSIXFile.close(newFD) }
        let curFD = try POSIXFile.openDirectory(layout.cur)
        defer { POSIXFile.close(curFD) }
        let results = Mutex<[Chunk]>([])
        let (layout, notify) = (self.layout, self.notify)
        pool.forEachChunk(count: found.count, chunkSize: 256, helpers: 3) { range in
            var chunk = Chunk()
            chunk.messages.reserveCapacity(range.count)
            for index in range {
                let item = found[index]
                let path = layout.path(inNew: item.inNew, item.name.name)
                do throws(StoreError) {
                    guard
                        let (raw, modified) = try POSIXFile.read(
                            in: item.inNew ? newFD : curFD, item.name.name, path: path,
                            expectedSize: item.name.field("S").map { Int(clamping: $0) },
                            modificationTime: item.envelope == nil)
                    else { continue }
                    let envelope: Envelope
                    if let known = item.envelope {
                        envelope = known
                    } else {
                        let arrived = modified.map { Date(timeIntervalSince1970: $0) } ?? Date()
                        envelope = Envelope.rebuilt(from: raw, receivedAt: arrived)
                        chunk.records.append(.message(id: item.id, base: item.name.base, envelope: envelope))
                    }
                    if let size = item.name.field("S"), size != UInt64(raw.count) {
                        notify(
                            StoreNotice(
                                .warning,
                                "\(path) holds \(raw.count) bytes, its name says \(size); served as found"))
                    }
                    chunk.messages.append((index, Message(id: item.id, raw: raw, envelope: envelope)))
                } catch {
                    notify(StoreNotice(.warning, "skipped a message file: \(error)"))
                }
            }
            results.withLock { $0.append(chunk) }
        }
        return results.withLock { $0 }
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
