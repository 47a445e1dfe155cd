import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a Maildir cannot hold in its file names: each message's SMTP envelope, IMAP keywords, and
/// how far ids have been handed out. One append-only file at the Maildir root,
/// `letterbox-envelopes.log`.
///
/// Why a log rather than a sidecar file per message:
/// - Start-up reads one file instead of one extra file per message (100,000 opens cost about a
///   second here), and nothing in the log is needed to list `cur/` and `new/`.
/// - Delivery appends the records of every message in a group commit with one `write` and one
///   `fdatasync`, where sidecars would add one more file to create, fsync and later unlink per message.
/// - A Maildir reader sees only `cur/` and `new/`; a sidecar folder at the root would look like a
///   Maildir++ subfolder to Dovecot if its name began with a dot, and clutter the folder if not.
///
/// Ordering: a delivery's record is written (write(2)) before its file is renamed into `new/`, so
/// after `kill -9` (the page cache survives) every file in `new/` has its record. Before SMTP
/// answers 250 the log is fdatasynced and then `new/` fsynced; concurrent deliveries make these
/// calls side by side and the file system commits them together. After a power failure between
/// the rename reaching the disk and the log's sync, a file could survive without its record: that
/// message keeps its id (`,U=` in its name), gets an envelope rebuilt from its headers, and was
/// never acknowledged.
///
/// Crash safety: every record is framed (marker, length, CRC-32 of the payload), so a record cut
/// short by a crash or damaged on disk is detected and skipped on reading, and the reader
/// resynchronises on the next marker: one bad record never takes the others with it. The log is
/// only appended to, except when ``compact(_:)`` replaces it whole (written beside it, fsynced,
/// renamed over it, directory fsynced). Records only add knowledge: a message record whose file is
/// gone is ignored, so deletions need no record.
///
/// Thread-safety: ``append(_:)`` may be called from any thread, by many at once, and takes no
/// lock: each call is one write(2) to a descriptor opened with `O_APPEND`, which Linux performs
/// whole under the file's own lock (the kernel places each at the end, never two interleaved), and
/// a short write fails the call. The descriptor number never changes: ``compact(_:folder:)`` puts
/// the new file under it with `dup2`, so an append runs on the old file or on the new one, whole.
/// ``sync()`` and ``compact(_:folder:)`` only by the one thread that commits deliveries at a time
/// (the store guarantees this).
final class EnvelopeLog: Sendable {
    /// One entry of the log.
    enum Record: Equatable, Sendable {
        /// A message and its envelope. `base` is the file's base name (``MaildirFileName/base``).
        /// Fields added later follow the first ones, each group behind a presence byte, so a
        /// version that does not know them stops reading before them: the TLS session (1, version,
        /// cipher; or 0).
        case message(id: UInt64, base: String, envelope: Envelope)
        /// A message's IMAP keywords (flags that are not system flags), replacing earlier ones.
        case keywords(id: UInt64, [String])
        /// The SMTP envelope a copy (IMAP COPY into a folder) carries over from the message it was
        /// copied from; the copy was not captured itself. Versions that do not know it skip it.
        case copied(id: UInt64, base: String, envelope: Envelope)
        /// Ids below this may have been handed out; a restarted store never reuses them (RFC 3501 §2.3.1.1).
        case reserved(below: UInt64)
        /// INBOX's UIDNEXT when the log was compacted: the records of the messages that had the
        /// highest UIDs may be gone with them, and UIDNEXT must not go back (RFC 3501 §2.3.1.1).
        /// Versions that do not know it skip it.
        case inboxNextUID(UInt64)
        /// A delivery's file still in `tmp/` under `temporary`, to be renamed to `base` in `new/`,
        /// with the size and CRC-32 of its bytes: written with its message record, so a restart can
        /// finish a rename that a crash cut off, once the bytes prove complete (see ``MaildirStore``).
        /// Versions that do not know it skip it.
        case staged(base: String, temporary: String, size: UInt64, checksum: UInt32)
    }

    /// What reading a log found.
    struct Contents {
        var records: [Record] = []
        /// Damaged or cut-short stretches skipped, with where they began.
        var damaged: [(offset: Int, reason: String)] = []
        /// The length up to the end of the last good record; a cut-short tail beyond it is cut off.
        var validLength = 0
        /// The length of the file.
        var length = 0
    }

    static let header = Array("letterbox-log 1\n".utf8)
    private static let marker: [UInt8] = [0x1E, 0x4C, 0x42]  // RS "LB"
    private static let frameSize = marker.count + 8
    private static let maxPayload = 64 << 20

    let path: String
    /// The mode a new or compacted log file gets.
    private let mode: mode_t
    /// The log file; after a compaction, the same number refers to the new file.
    private let fd: Int32
    /// Records in the file now, for deciding when to compact.
    private let recordCount: Atomic<Int>
    /// The errno of a compaction that replaced the file but could not put it under ``fd``: appends
    /// would go to the replaced file, so every later append fails (0: none).
    private let detached = Atomic<Int32>(0)

    /// Opens `path` for appending; writes the header if the file is new or empty.
    init(path: String, existingRecords: Int, mode: mode_t = 0o600) throws(StoreError) {
        self.path = path
        self.mode = mode
        let descriptor = try POSIXFile.openForAppending(path, mode: mode)
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_size == 0 {
            do throws(StoreError) { try POSIXFile.writeAll(descriptor, Self.header, path: path) } catch {
                POSIXFile.close(descriptor)
                throw error
            }
        }
        fd = descriptor
        recordCount = Atomic(existingRecords)
    }

    deinit { POSIXFile.close(fd) }

    var count: Int { recordCount.load(ordering: .relaxed) }

    /// Appends the records with one write(2), next to appends of other threads, never interleaved
    /// with them; not yet durable, see ``sync()``. Throws if the write was short: the records are
    /// then not all in the log (a reader skips the part written, its checksum failing).
    func append(_ records: [Record]) throws(StoreError) {
        guard !records.isEmpty else { return }
        let lost = detached.load(ordering: .acquiring)
        guard lost == 0 else { throw .system("dup2", path: path, errno: lost) }
        var bytes: [UInt8] = []
        for record in records { Self.encode(record, into: &bytes) }
        try POSIXFile.writeInOneCall(fd, bytes, path: path)
        recordCount.add(records.count, ordering: .relaxed)
    }

    /// Makes every appended record durable (fdatasync(2)).
    func sync() throws(StoreError) {
        try POSIXFile.syncData(fd, path: path)
    }

    /// Replaces the log with exactly `records`: written to a temporary file, fsynced, renamed over
    /// the log, and the folder fsynced, so a crash leaves either the old log or the new one.
    func compact(_ records: [Record], folder: String) throws(StoreError) {
        let temporary = path + ".compacting"
        POSIXFile.remove(temporary)
        let newFD = try POSIXFile.createExclusive(temporary, mode: mode)
        var bytes = Self.header
        for record in records { Self.encode(record, into: &bytes) }
        do throws(StoreError) {
            try POSIXFile.writeAll(newFD, bytes, path: temporary)
            try POSIXFile.sync(newFD, path: temporary)
            POSIXFile.close(newFD)
        } catch {
            POSIXFile.close(newFD)
            POSIXFile.remove(temporary)
            throw error
        }
        let appending = try POSIXFile.openForAppending(temporary)
        defer { POSIXFile.close(appending) }
        try POSIXFile.rename(temporary, path)
        // Appends under way finish on the old file: their records were in `records` (the store
        // registers a delivery's records before appending them, and compacts under that lock).
        do throws(StoreError) { try POSIXFile.replaceDescriptor(fd, with: appending, path: path) } catch {
            detached.store(error.errorNumber ?? EBADF, ordering: .releasing)
            throw error
        }
        recordCount.store(records.count, ordering: .relaxed)
        let directory = try POSIXFile.openDirectory(folder)
        defer { POSIXFile.close(directory) }
        try POSIXFile.sync(directory, path: folder)
    }

    // MARK: Reading

    /// Reads every intact record of the log at `path`; a missing file reads as empty.
    static func read(_ path: String) throws(StoreError) -> Contents {
        guard let bytes = try POSIXFile.read(path) else { return Contents() }
        return parse(bytes)
    }

    static func parse(_ bytes: [UInt8]) -> Contents {
        var contents = Contents()
        contents.length = bytes.count
        var offset = 0
        if bytes.starts(with: header) {
            offset = header.count
        } else if !bytes.isEmpty {
            contents.damaged.append((0, "missing header"))
        }
        contents.validLength = offset
        var interner = Interner()
        while offset < bytes.count {
            switch decodeFrame(bytes, at: offset, interner: &interner) {
            case .record(let record, let next):
                contents.records.append(record)
                offset = next
                contents.validLength = next
            case .skip(let next):  // a well-framed record of a kind this version does not know
                offset = next
                contents.validLength = next
            case .damaged(let reason):
                contents.damaged.append((offset, reason))
                offset = nextMarker(in: bytes, after: offset) ?? bytes.count
            }
        }
        return contents
    }

    private enum Frame {
        case record(Record, next: Int)
        case skip(next: Int)
        case damaged(String)
    }

    private static func decodeFrame(_ bytes: [UInt8], at offset: Int, interner: inout Interner) -> Frame {
        guard bytes.count - offset >= frameSize else { return .damaged("cut short") }
        guard bytes[offset..<offset + marker.count].elementsEqual(marker) else { return .damaged("no record marker") }
        var reader = ByteReader(bytes, at: offset + marker.count)
        guard let length = reader.u32(), let checksum = reader.u32() else { return .damaged("cut short") }
        let start = offset + frameSize
        guard Int(length) <= maxPayload else { return .damaged("impossible length \(length)") }
        guard bytes.count - start >= Int(length) else { return .damaged("cut short") }
        let end = start + Int(length)
        let valid = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
        guard valid == checksum else { return .damaged("checksum mismatch") }
        var payload = ByteReader(bytes, at: start, end: end)
        guard let kind = payload.u8() else { return .damaged("empty record") }
        switch kind {
        case 1, 4:
            guard let id = payload.u64(), let base = payload.string(), let sender = payload.string(),
                let recipients = payload.strings(), let helo = payload.string(), let hasAuth = payload.u8(),
                let auth = payload.string(), let peer = payload.string(), let time = payload.u64()
            else { return .damaged("malformed message record") }
            // Later fields: absent in records written before them; bytes after them are skipped.
            var tls: Envelope.TLS?
            if !payload.isAtEnd, payload.u8() == 1 {
                guard let version = payload.string(), let cipher = payload.string() else {
                    return .damaged("malformed TLS session in a message record")
                }
                tls = interner.intern(Envelope.TLS(version: version, cipher: cipher))
            }
            let envelope = Envelope(
                sender: interner.intern(sender), recipients: interner.intern(recipients), helo: interner.intern(helo),
                authenticatedAs: hasAuth == 1 ? interner.intern(auth) : nil, peer: interner.intern(peer),
                receivedAt: Date(timeIntervalSinceReferenceDate: Double(bitPattern: time)), tls: tls)
            let record: Record =
                kind == 1
                ? .message(id: id, base: base, envelope: envelope) : .copied(id: id, base: base, envelope: envelope)
            return .record(record, next: end)
        case 2:
            guard let id = payload.u64(), let keywords = payload.strings() else {
                return .damaged("malformed keywords record")
            }
            return .record(.keywords(id: id, keywords), next: end)
        case 3:
            guard let below = payload.u64() else { return .damaged("malformed reservation record") }
            return .record(.reserved(below: below), next: end)
        case 5:
            guard let next = payload.u64() else { return .damaged("malformed INBOX UIDNEXT record") }
            return .record(.inboxNextUID(next), next: end)
        case 6:
            guard let base = payload.string(), let temporary = payload.string(), let size = payload.u64(),
                let checksum = payload.u32()
            else { return .damaged("malformed staged-file record") }
            return .record(.staged(base: base, temporary: temporary, size: size, checksum: checksum), next: end)
        default:
            return .skip(next: end)
        }
    }

    private static func nextMarker(in bytes: [UInt8], after offset: Int) -> Int? {
        var index = offset + 1
        while index + marker.count <= bytes.count {
            if bytes[index] == marker[0] && bytes[index + 1] == marker[1] && bytes[index + 2] == marker[2] {
                return index
            }
            index += 1
        }
        return nil
    }

    // MARK: Encoding

    static func encode(_ record: Record, into bytes: inout [UInt8]) {
        var payload: [UInt8] = []
        switch record {
        case .message(let id, let base, let envelope), .copied(let id, let base, let envelope):
            if case .copied = record { payload.append(4) } else { payload.append(1) }
            put(id, &payload)
            put(base, &payload)
            put(envelope.sender, &payload)
            put(UInt32(envelope.recipients.count), &payload)
            for recipient in envelope.recipients { put(recipient, &payload) }
            put(envelope.helo, &payload)
            payload.append(envelope.authenticatedAs == nil ? 0 : 1)
            put(envelope.authenticatedAs ?? "", &payload)
            put(envelope.peer, &payload)
            put(envelope.receivedAt.timeIntervalSinceReferenceDate.bitPattern, &payload)
            payload.append(envelope.tls == nil ? 0 : 1)
            if let tls = envelope.tls {
                put(tls.version, &payload)
                put(tls.cipher, &payload)
            }
        case .keywords(let id, let keywords):
            payload.append(2)
            put(id, &payload)
            put(UInt32(keywords.count), &payload)
            for keyword in keywords { put(keyword, &payload) }
        case .reserved(let below):
            payload.append(3)
            put(below, &payload)
        case .inboxNextUID(let next):
            payload.append(5)
            put(next, &payload)
        case .staged(let base, let temporary, let size, let checksum):
            payload.append(6)
            put(base, &payload)
            put(temporary, &payload)
            put(size, &payload)
            put(checksum, &payload)
        }
        bytes.append(contentsOf: marker)
        put(UInt32(payload.count), &bytes)
        put(payload.withUnsafeBytes { CRC32.checksum($0) }, &bytes)
        bytes.append(contentsOf: payload)
    }

    private static func put(_ value: UInt32, _ bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func put(_ value: UInt64, _ bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func put(_ string: String, _ bytes: inout [UInt8]) {
        let utf8 = Array(string.utf8)
        put(UInt32(utf8.count), &bytes)
        bytes.append(contentsOf: utf8)
    }
}

/// Shares one copy of the strings and recipient lists that recur across envelopes (senders, HELO
/// names, recipients): 100,000 loaded messages otherwise hold 100,000 copies of each.
private struct Interner {
    private var strings: [String: String] = [:]
    private var lists: [[String]: [String]] = [:]
    private var sessions: Set<Envelope.TLS> = []

    mutating func intern(_ string: String) -> String {
        // Up to 15 UTF-8 bytes a String is stored inline: nothing to share.
        guard string.utf8.count > 15 else { return string }
        if let shared = strings[string] { return shared }
        strings[string] = string
        return string
    }

    mutating func intern(_ list: [String]) -> [String] {
        if let shared = lists[list] { return shared }
        let interned = list.map { intern($0) }
        lists[interned] = interned
        return interned
    }

    mutating func intern(_ tls: Envelope.TLS) -> Envelope.TLS {
        sessions.insert(tls).memberAfterInsert
    }
}

/// Bounds-checked little-endian reading; every accessor returns nil past the end.
private struct ByteReader {
    let bytes: [UInt8]
    var offset: Int
    let end: Int

    init(_ bytes: [UInt8], at offset: Int, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var isAtEnd: Bool { offset >= end }

    mutating func u8() -> UInt8? {
        guard offset < end else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32() -> UInt32? {
        guard end - offset >= 4 else { return nil }
        var value: UInt32 = 0
        for shift in 0..<4 { value |= UInt32(bytes[offset + shift]) << (8 * shift) }
        offset += 4
        return value
    }

    mutating func u64() -> UInt64? {
        guard end - offset >= 8 else { return nil }
        var value: UInt64 = 0
        for shift in 0..<8 { value |= UInt64(bytes[offset + shift]) << (8 * shift) }
        offset += 8
        return value
    }

    mutating func string() -> String? {
        guard let length = u32(), end - offset >= Int(length) else { return nil }
        defer { offset += Int(length) }
        return String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self)
    }

    mutating func strings() -> [String]? {
        guard let count = u32(), Int(count) <= end - offset else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let string = string() else { return nil }
            strings.append(string)
        }
        return strings
    }
}
