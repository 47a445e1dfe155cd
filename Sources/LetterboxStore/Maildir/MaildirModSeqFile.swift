import LetterboxText

/// Where a ``MaildirStore`` records how far RFC 7162 mod-sequences may have gone, so HIGHESTMODSEQ
/// never goes back across restarts (§3.1.1): `letterbox-modseq` at the root, one decimal number,
/// replaced atomically (written to `tmp/`, fsynced, renamed over the old one, the folder fsynced).
///
/// Why a file of its own rather than a record in the envelope log or a value per message: the
/// store keeps no per-message mod-sequences across a restart (every reloaded message resumes at
/// the recorded value, a superset of changes that RFC 7162 allows and that stays right if
/// another program renamed files while Letterbox was down), so one number is all there is to keep.
/// It is reserved ahead in blocks of ``MessageIndex/modSeqReservationBlock`` values: one write per
/// that many changes, never one per flag change, and the log's compaction never has to know of it.
struct MaildirModSeqFile: Sendable {
    let layout: MaildirLayout

    var path: String { layout.root + "/letterbox-modseq" }

    /// The recorded limit; 1 for a folder that has none yet (a new folder, or one an older
    /// Letterbox wrote: no client was told a mod-sequence for it). An unreadable number is
    /// reported and counts as none recorded, which only makes clients refetch flags.
    func load(notify: @Sendable (StoreNotice) -> Void) throws(StoreError) -> UInt64 {
        guard let bytes = try POSIXFile.read(path) else { return 1 }
        guard let value = UInt64(String(decoding: bytes, as: UTF8.self).trimmingWhitespace()), value > 0 else {
            notify(StoreNotice(.warning, "ignored letterbox-modseq: not a number"))
            return 1
        }
        return value
    }

    /// Records `limit` durably.
    func store(_ limit: UInt64) throws(StoreError) {
        let temporary = layout.tmp + "/" + MaildirFileName.unique()
        let fd = try POSIXFile.createExclusive(temporary, mode: layout.permissions.file)
        do throws(StoreError) {
            defer { POSIXFile.close(fd) }
            try POSIXFile.writeAll(fd, Array("\(limit)\n".utf8), path: temporary)
            try POSIXFile.sync(fd, path: temporary)
        } catch {
            POSIXFile.remove(temporary)
            throw error
        }
        do throws(StoreError) { try POSIXFile.rename(temporary, path) } catch {
            POSIXFile.remove(temporary)
            throw error
        }
        let root = try POSIXFile.openDirectory(layout.root)
        defer { POSIXFile.close(root) }
        try POSIXFile.sync(root, path: layout.root)
    }

    /// Resumes `index` above every value recorded before and reserves the next block; later
    /// blocks are reserved as the index needs them.
    func resume(_ index: MessageIndex, notify: @escaping @Sendable (StoreNotice) -> Void) throws(StoreError) {
        let base = try load(notify: notify)
        let first = base + MessageIndex.modSeqReservationBlock
        try store(first)
        let file = self
        index.resumeModSeqs(
            from: base,
            reservation: ModSeqReservation(limit: first) { wanted in
                do throws(StoreError) {
                    try file.store(wanted)
                    return wanted
                } catch {
                    notify(StoreNotice(.warning, "could not record mod-sequences in letterbox-modseq: \(error)"))
                    return nil
                }
            })
    }
}
