import LetterboxThreads
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a message's file is now, and its keywords (the part of its flags a file name cannot hold).
struct MaildirEntry: Sendable {
    /// The file's name and folder, what ``MaildirTable`` keeps for every message.
    struct Location: Sendable {
        var name: MaildirFileName
        var inNew: Bool
    }

    var location: Location
    var keywords: [String]

    var name: MaildirFileName {
        get { location.name }
        set { location.name = newValue }
    }

    var inNew: Bool {
        get { location.inNew }
        set { location.inNew = newValue }
    }

    init(name: MaildirFileName, inNew: Bool, keywords: [String]) {
        self.init(Location(name: name, inNew: inNew), keywords: keywords)
    }

    init(_ location: Location, keywords: [String]) {
        self.location = location
        self.keywords = keywords
    }
}

/// The files of a Maildir's messages by id, and the reading of their bytes on demand: the
/// ``MessageBodySource`` of every ``Message`` a ``MaildirStore`` makes.
///
/// A read looks the file's current name up (flag changes rename files), reads it with openat(2)
/// from the open `new/` or `cur/` folder, and keeps the result in a bounded ``MessageViewCache``.
/// A file that another program renamed is found by its base name; one that was removed reads as
/// ``StoreError`` (`No such file or directory`), which the interfaces answer with a protocol error.
///
/// Thread-safety: every method may be called from any thread; the table is behind a mutex.
final class MaildirFiles: MessageBodySource {
    let layout: MaildirLayout
    let table: SpinningMutex<MaildirTable>
    let cache = MessageViewCache()
    /// Open `new/` and `cur/`, for openat(2) and the fsync of `new/` after renames into it.
    let newDirectory: Int32
    let curDirectory: Int32
    /// Where the file of a message that left INBOX (an IMAP MOVE into a Maildir++ folder) is now.
    private let elsewhere = Mutex<(@Sendable (UInt64) -> String?)?>(nil)

    init(layout: MaildirLayout, entries: MaildirTable = MaildirTable()) throws(StoreError) {
        self.layout = layout
        newDirectory = try POSIXFile.openDirectory(layout.new)
        do throws(StoreError) { curDirectory = try POSIXFile.openDirectory(layout.cur) } catch {
            POSIXFile.close(newDirectory)
            throw error
        }
        table = SpinningMutex(entries)
    }

    deinit {
        POSIXFile.close(newDirectory)
        POSIXFile.close(curDirectory)
    }

    /// Sets how the file of a message no longer in the table is found (the store's folder table).
    func locateElsewhere(_ lookup: @escaping @Sendable (UInt64) -> String?) {
        elsewhere.withLock { $0 = lookup }
    }

    func cachedViews(of id: UInt64) -> MessageViews? { cache.views(of: id) }

    func views(of id: UInt64, size: Int) throws(StoreError) -> MessageViews {
        if let cached = cache.views(of: id) { return cached }
        let views = MessageViews(raw: try read(id, size: size))
        cache.insert(views, id: id)
        return views
    }

    /// The bytes of message `id`'s file. Tries the name in the table, then once more (a flag change
    /// may have renamed it in between), then looks for its base name in both folders.
    private func read(_ id: UInt64, size: Int) throws(StoreError) -> [UInt8] {
        var path = layout.root
        for _ in 0..<2 {
            guard let entry = table.withLock({ $0[id] }) else { break }
            path = layout.path(inNew: entry.inNew, entry.name.name)
            if let (bytes, _) = try POSIXFile.read(
                in: entry.inNew ? newDirectory : curDirectory, entry.name.name, path: path, expectedSize: size)
            {
                return bytes
            }
            guard table.withLock({ $0[id]?.name.name }) != entry.name.name else {
                // Not renamed by this store: another program moved or removed it.
                if let (directory, moved) = locate(entry.name.base) {
                    table.withLock { table in
                        table[id]?.name = moved
                        table[id]?.inNew = directory == layout.new
                    }
                    if let bytes = try POSIXFile.read(directory + "/" + moved.name) { return bytes }
                }
                break
            }
        }
        if table.withLock({ $0[id] }) == nil, let lookup = elsewhere.withLock({ $0 }) {
            // Another session may rename the file (a flag change, a MOVE) between the lookup and
            // the open: it changes the folder table under the same lock as the rename, so a
            // second lookup finds where it went. Only a path that stays the same is a missing file
            // (a few tries at most, whatever the renames).
            var tried: String?
            for _ in 0..<Self.lookupsAfterRename {
                guard let moved = lookup(id), moved != tried else { break }
                path = moved
                if let bytes = try POSIXFile.read(moved) { return bytes }
                tried = moved
            }
        }
        throw .system("open", path: path, errno: ENOENT)
    }

    /// How many times a folder message's path is looked up while its file keeps moving.
    static let lookupsAfterRename = 4

    /// The folder and name of the file with this base name, wherever another reader moved it
    /// (a rare, slow path: it lists the folders).
    func locate(_ base: String) -> (String, MaildirFileName)? {
        for directory in [layout.cur, layout.new] {
            guard let names = try? POSIXFile.fileNames(in: directory) else { continue }
            for name in names {
                let parsed = MaildirFileName(parsing: name)
                if parsed.base == base { return (directory, parsed) }
            }
        }
        return nil
    }
}
