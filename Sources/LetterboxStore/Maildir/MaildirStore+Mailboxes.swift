import LetterboxThreads
import Synchronization

#if canImport(FoundationEssentials)
    package import FoundationEssentials
#else
    package import Foundation
#endif

/// Mailboxes in a Maildir store. INBOX is the root folder and holds what SMTP delivered; its UIDs
/// are the message ids (the `,U=` of the file names), so messages cannot be put into INBOX by a
/// client (APPEND, COPY, MOVE into INBOX answer `NO [CANNOT]`). Every other mailbox is a Maildir++
/// subfolder (see ``MaildirFolder``), with its own UIDVALIDITY and UIDs:
/// - APPEND writes the message to the folder's `tmp/`, fsyncs it and renames it into `cur/`, with
///   its flags as info letters and its internal date as the file's modification time;
/// - COPY links (link(2)) the file under a new name (a new id): no bytes are copied;
/// - MOVE renames the file into the target folder under the same name, so a message captured over
///   SMTP keeps its envelope (found in the envelope log by that name) after a restart;
/// - every placement's UID is recorded in the folder's `letterbox-uids` before the call returns.
/// Subscriptions are kept in `letterbox-subscriptions` (one name per line). A new Maildir gets the
/// RFC 6154 folders `.Sent .Drafts .Trash .Junk .Archive` at its first start.
extension MaildirStore {
    private var subscriptionsPath: String { layout.root + "/letterbox-subscriptions" }

    private func folder(_ mailbox: String) -> MaildirFolder {
        MaildirFolder(root: layout.root, mailbox: mailbox, permissions: layout.permissions)
    }

    private static var intoInbox: MailboxError {
        .cannot(
            "INBOX of a Maildir store holds what SMTP delivered (its UIDs are the message ids); put messages into another mailbox"
        )
    }

    /// The IMAP answer to a failed file-system call: what failed, never where (the path is logged).
    static func cannot(_ error: StoreError) -> MailboxError {
        if error.isOutOfSpace { return MailboxError(code: "OVERQUOTA", reason: "not enough disk space") }
        return .cannot("the Maildir store could not do it: \(error.reason)")
    }

    // MARK: Start-up

    /// Reads every Maildir++ subfolder into the index (after INBOX); creates the default folders in
    /// a Maildir that has never had any.
    func loadFolders() throws(StoreError) {
        if try POSIXFile.read(subscriptionsPath) == nil {
            for use in SpecialUse.allCases { try folder(use.defaultName).create(uidValidity: uidValidity) }
            try writeSubscriptions([Mailbox.inbox] + SpecialUse.allCases.map(\.defaultName))
        }
        // What the log and INBOX say is read only once a folder holds a file: most Maildirs have
        // none, and a start-up with 100,000 INBOX messages should not decode the log twice.
        var known: FolderLoadContext?
        func context() throws(StoreError) -> FolderLoadContext {
            if let known { return known }
            let made = try FolderLoadContext(log: layout.log, inbox: index.all.map(\.id))
            known = made
            return made
        }
        var strangers: [(mailbox: String, index: Int)] = []
        var loaded:
            [String: (
                uidValidity: UInt32, nextUID: UInt64, uids: [UInt64: UInt64], found: [(MaildirFolderEntry, UInt64)]
            )] = [:]
        let entries: [String]
        do throws(StoreError) { entries = try POSIXFile.directoryNames(in: layout.root) } catch {
            throw .unusableFolder(layout.root, "cannot list it: \(error.detail)")
        }
        for directory in entries.sorted() {
            guard let mailbox = MaildirFolder.mailbox(directory: directory), Mailbox.problem(with: mailbox) == nil
            else { continue }
            // INBOX is the Maildir itself; a `.INBOX` folder another program made would replace it.
            guard Mailbox.canonical(mailbox) != Mailbox.inbox else {
                notify(StoreNotice(.warning, "ignoring \(directory)/: INBOX is the Maildir folder itself"))
                continue
            }
            let folder = folder(mailbox)
            guard POSIXFile.isDirectory(folder.path + "/cur") else { continue }
            try folder.create(uidValidity: uidValidity)  // cur/ new/ tmp/ and the UID file, if missing
            let (validity, uids, nextUID) = try folder.readUIDs() ?? (uidValidity, [:], 1)
            var found: [(MaildirFolderEntry, UInt64)] = []
            for inNew in [true, false] {
                for file in try POSIXFile.fileNames(in: folder.path + (inNew ? "/new" : "/cur")) {
                    let name = MaildirFileName(parsing: file)
                    _ = try context()
                    var id =
                        known?.envelopes[name.base]?.id ?? known?.copied[name.base]?.id ?? name.letterboxID ?? 0
                    if id == 0 || known?.taken.insert(id).inserted != true {
                        id = 0
                        strangers.append((mailbox, found.count))
                    }
                    found.append(
                        (
                            MaildirFolderEntry(
                                mailbox: mailbox, name: name, inNew: inNew, keywords: known?.keywords[id] ?? []), id
                        ))
                }
            }
            loaded[mailbox] = (validity, nextUID, uids, found)
        }
        // Files without a usable id (another program's, or a copy of another file) get fresh ones.
        var nextID = max(index.nextID, (known?.taken.max() ?? 0) + 1)
        for (mailbox, position) in strangers {
            loaded[mailbox]?.found[position].1 = nextID
            nextID += 1
        }
        var placements: [UInt64: MaildirFolderEntry] = [:]
        var learned: [EnvelopeLog.Record] = []
        for (mailbox, contents) in loaded {
            let folder = folder(mailbox)
            var nextUID = contents.nextUID
            var fresh: [(id: UInt64, uid: UInt64)] = []
            var messages: [(message: Message, uid: UInt64, flags: MessageFlags, captured: Bool)] = []
            for (entry, id) in contents.found {
                let path = folder.path(inNew: entry.inNew, entry.name.name)
                let captured = known?.envelopes[entry.name.base].flatMap { $0.id == id ? $0.envelope : nil }
                let logged = captured ?? known?.copied[entry.name.base].flatMap { $0.id == id ? $0.envelope : nil }
                // Like INBOX, a folder message holds no bytes: its file is read only when the name
                // gives no size or the log no envelope (then the envelope rebuilt from the headers
                // is logged, so the next start reads nothing).
                let message: Message
                if let logged, let size = entry.name.field("S") {
                    message = Message(
                        id: id, envelope: logged, size: Int(size), canonicalSize: entry.name.field("W").map { Int($0) },
                        source: files)
                } else {
                    guard let raw = try? POSIXFile.read(path) else { continue }
                    let modified = POSIXFile.modificationTime(path).map { Date(timeIntervalSince1970: $0) }
                    let envelope = logged ?? Envelope.rebuilt(from: raw, receivedAt: modified ?? Date())
                    if logged == nil { learned.append(.copied(id: id, base: entry.name.base, envelope: envelope)) }
                    message = Message(
                        id: id, envelope: envelope, size: raw.count, canonicalSize: LineEndings.canonicalSize(of: raw),
                        source: files)
                }
                var uid = contents.uids[id] ?? 0
                if uid == 0 {
                    uid = nextUID
                    nextUID += 1
                    fresh.append((id, uid))
                }
                var flags = MaildirFlags.flags(entry.name.flagLetters)
                if !entry.keywords.isEmpty { flags = MessageFlags(flags.sorted + entry.keywords) }
                messages.append((message, uid, flags, captured != nil))
                placements[id] = entry
            }
            try folder.recordUIDs(fresh)
            let specialUse = SpecialUse.allCases.first { $0.defaultName == mailbox }
            index.restoreMailbox(
                mailbox, uidValidity: contents.uidValidity, nextUID: nextUID, specialUse: specialUse, messages: messages
            )
        }
        // Levels above a folder that has no folder of its own (Dovecot makes none) become folders.
        for mailbox in index.mailboxes() where mailbox.name != Mailbox.inbox && loaded[mailbox.name] == nil {
            try folder(mailbox.name).create(uidValidity: mailbox.uidValidity)
        }
        folders.withLock { $0 = placements }
        if !learned.isEmpty {
            try log.append(learned)
            try log.sync()
        }
        if let bytes = try POSIXFile.read(subscriptionsPath) {
            index.restoreSubscriptions(
                Set(String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)))
        }
    }

    private func writeSubscriptions(_ names: [String]) throws(StoreError) {
        let temporary = layout.tmp + "/" + MaildirFileName.unique()
        let fd = try POSIXFile.createExclusive(temporary, mode: layout.permissions.file)
        defer { POSIXFile.close(fd) }
        try POSIXFile.writeAll(fd, Array(names.sorted().map { $0 + "\n" }.joined().utf8), path: temporary)
        try POSIXFile.sync(fd, path: temporary)
        try POSIXFile.rename(temporary, subscriptionsPath)
    }

    // MARK: Mailboxes

    @discardableResult
    package func createMailbox(_ name: String) throws(MailboxError) -> Mailbox {
        if let problem = MaildirFolder.problem(with: name) { throw .cannot(problem) }
        let before = Set(index.mailboxes().map(\.name))
        let created = try index.createMailbox(name)
        for mailbox in index.mailboxes() where !before.contains(mailbox.name) {
            do throws(StoreError) { try folder(mailbox.name).create(uidValidity: mailbox.uidValidity) } catch {
                _ = try? index.deleteMailbox(mailbox.name)
                throw Self.cannot(error)
            }
        }
        return created
    }

    /// The folder is first renamed out of the way (into `tmp/`, one atomic rename(2)), so a
    /// folder that cannot be removed leaves the mailbox as it was and answers NO; its files are
    /// unlinked afterwards.
    @discardableResult
    package func deleteMailbox(_ name: String) throws(MailboxError) -> Int {
        let canonical = Mailbox.canonical(name)
        // Refused before any folder is touched: INBOX, a missing mailbox, one with mailboxes below.
        if let refusal = index.deletionRefusal(canonical) { throw refusal }
        let folder = folder(canonical)
        let doomed = layout.tmp + "/deleted-" + MaildirFileName.unique()
        let onDisk = index.mailbox(named: canonical) != nil && POSIXFile.isDirectory(folder.path)
        if onDisk {
            do throws(StoreError) { try POSIXFile.rename(folder.path, doomed) } catch {
                notify(StoreNotice(.warning, "could not delete a Maildir folder: \(error)"))
                throw Self.cannot(error)
            }
        }
        let removed: [Message]
        do throws(MailboxError) { removed = try index.deleteMailbox(name) } catch {
            if onDisk { try? POSIXFile.rename(doomed, folder.path) }
            throw error
        }
        folders.withLock { folders in for message in removed { folders.removeValue(forKey: message.id) } }
        if onDisk { POSIXFile.removeTree(doomed) }
        try? MaildirFolder.syncDirectory(layout.root)
        return removed.count
    }

    /// The folders are renamed on disk before the index changes hands: a rename(2) that fails
    /// (a name too long for the file system, a permission) undoes those done, leaves the index as
    /// it was and answers NO, so a restart finds the names the clients were told.
    package func renameMailbox(_ name: String, to newName: String) throws(MailboxError) {
        if let problem = MaildirFolder.problem(with: newName) { throw .cannot(problem) }
        let old = Mailbox.canonical(name)
        let moving = index.mailboxes().map(\.name).filter { $0 == old || Mailbox.isInferior($0, of: old) }
        var target = Mailbox.canonical(newName)
        if target.last == Mailbox.delimiter { target.removeLast() }
        for mailbox in moving {
            if let problem = MaildirFolder.problem(with: target + mailbox.dropFirst(old.count)) {
                throw .cannot(problem)
            }
        }
        let before = Set(index.mailboxes().map(\.name))
        try index.renameMailbox(name, to: newName)
        let renamedNames = Set(moving.map { target + $0.dropFirst(old.count) })
        // Levels the rename made above the new name get folders first, then the folders move.
        let levels = index.mailboxes().filter { !before.contains($0.name) && !renamedNames.contains($0.name) }
        var made: [String] = []
        var done: [(from: String, to: String)] = []
        do throws(StoreError) {
            for level in levels {
                let path = folder(level.name).path
                if !POSIXFile.isDirectory(path) { made.append(path) }
                try folder(level.name).create(uidValidity: level.uidValidity)
            }
            for mailbox in moving {
                let (from, to) = (folder(mailbox).path, folder(target + mailbox.dropFirst(old.count)).path)
                guard POSIXFile.isDirectory(from) else { continue }
                try POSIXFile.rename(from, to)
                done.append((from, to))
            }
        } catch {
            notify(StoreNotice(.warning, "could not rename a Maildir folder: \(error)"))
            for (from, to) in done.reversed() { try? POSIXFile.rename(to, from) }
            for path in made.reversed() { POSIXFile.removeTree(path) }
            try? index.renameMailbox(target, to: old)
            for level in levels.reversed() { _ = try? index.deleteMailbox(level.name) }
            throw Self.cannot(error)
        }
        folders.withLock { folders in
            for (id, entry) in folders where moving.contains(entry.mailbox) {
                folders[id]?.mailbox = target + entry.mailbox.dropFirst(old.count)
            }
        }
        for mailbox in index.mailboxes() where mailbox.name != Mailbox.inbox {
            try? folder(mailbox.name).create(uidValidity: mailbox.uidValidity)
        }
        try? MaildirFolder.syncDirectory(layout.root)
    }

    package func setSubscribed(_ name: String, _ subscribed: Bool) throws(MailboxError) {
        try index.setSubscribed(name, subscribed)
        do throws(StoreError) { try writeSubscriptions(Array(index.subscriptions)) } catch { throw Self.cannot(error) }
    }

    /// Checks that `mailbox` can receive messages from a client.
    private func target(_ mailbox: String) throws(MailboxError) -> String {
        let name = Mailbox.canonical(mailbox)
        guard name != Mailbox.inbox else { throw Self.intoInbox }
        guard index.mailbox(named: name) != nil else { throw .tryCreate(name) }
        return name
    }

    // MARK: Messages

    package func append(_ raw: [UInt8], to mailbox: String, flags: MessageFlags, receivedAt: Date) async throws
        -> (message: Message, uid: UInt64)
    {
        let name = try target(mailbox)
        let folder = folder(name)
        let id = reserveFolderID()
        let unique = MaildirFileName.unique()
        let file = MaildirFileName(
            base: "\(unique),S=\(raw.count),U=\(id)", flagLetters: MaildirFlags.letters(for: flags, keeping: nil))
        let keywords = MaildirFlags.keywords(flags)
        let path = folder.path(inNew: false, file.name)
        // Every failure takes the file back: a NO leaves nothing a restart would find.
        try await pool.run { [log] () throws(StoreError) in
            let temporary = folder.path + "/tmp/" + unique
            try Self.writeDurably(raw, to: temporary, mode: self.layout.permissions.file)
            MaildirFolder.setModificationTime(temporary, receivedAt)
            do throws(StoreError) { try POSIXFile.rename(temporary, path) } catch {
                POSIXFile.remove(temporary)
                throw error
            }
            do throws(StoreError) {
                try MaildirFolder.syncDirectory(folder.path + "/cur")
                // Ids handed out here are recorded as used, so a restart never gives them again.
                try log.append([.reserved(below: id + 1)] + (keywords.isEmpty ? [] : [.keywords(id: id, keywords)]))
                try log.sync()
            } catch {
                POSIXFile.remove(path)
                throw error
            }
        }
        folders.withLock { $0[id] = MaildirFolderEntry(mailbox: name, name: file, inNew: false, keywords: keywords) }
        files.cache.insert(MessageViews(raw: raw), id: id)
        let message = Message(
            id: id, envelope: Envelope(sender: "", recipients: [], receivedAt: receivedAt), size: raw.count,
            canonicalSize: LineEndings.canonicalSize(of: raw), source: files)
        let uid: UInt64
        do { uid = try index.place([(message, flags)], in: name)[0] } catch {
            removeFolderFile(of: id)
            throw error
        }
        do { try await pool.run { () throws(StoreError) in try folder.recordUIDs([(id, uid)]) } } catch {
            remove(ids: [id])
            throw error
        }
        return (message, uid)
    }

    /// The path of the file of message `id` when it lives in a folder other than INBOX.
    func folderFilePath(of id: UInt64) -> String? {
        guard let entry = folders.withLock({ $0[id] }) else { return nil }
        return folder(entry.mailbox).path(inNew: entry.inNew, entry.name.name)
    }

    /// Where message `id`'s file is now, wherever it lives.
    private func currentPath(of id: UInt64) -> (path: String, name: MaildirFileName, keywords: [String])? {
        if let entry = files.table.withLock({ $0[id] }) {
            return (layout.path(inNew: entry.inNew, entry.name.name), entry.name, entry.keywords)
        }
        guard let entry = folders.withLock({ $0[id] }) else { return nil }
        return (folder(entry.mailbox).path(inNew: entry.inNew, entry.name.name), entry.name, entry.keywords)
    }

    /// Hard-links message `id`'s file, planned at `path`, to `target`. A flag change that renamed
    /// the file meanwhile (another session's STORE, on another store thread) has put its new name
    /// in the table by the time the link fails: the link is made under that name.
    private func linkCurrentFile(of id: UInt64, planned path: String, to target: String) throws(StoreError) {
        var path = path
        var attempt = 1
        while true {
            do throws(StoreError) {
                return try MaildirFolder.hardLink(path, target)
            } catch {
                guard error.isMissingFile, attempt < 10, let current = currentPath(of: id)?.path, current != path else {
                    throw error
                }
                path = current
                attempt += 1
            }
        }
    }

    package func copy(ids: [UInt64], to mailbox: String) async throws -> [(source: UInt64, uid: UInt64)] {
        let name = try target(mailbox)
        let folder = folder(name)
        var copies: [(source: UInt64, message: Message, flags: MessageFlags, entry: MaildirFolderEntry, from: String)] =
            []
        for id in ids {
            guard let original = index.message(id: id), let (path, source, keywords) = currentPath(of: id) else {
                continue
            }
            let newID = reserveFolderID()
            let file = MaildirFileName(
                base: "\(MaildirFileName.unique()),S=\(original.size),U=\(newID)",
                flagLetters: source.flagLetters ?? "")
            copies.append(
                (
                    id,
                    Message(
                        id: newID, envelope: original.envelope, size: original.size, canonicalSize: nil, source: files),
                    index.flags(of: id),
                    MaildirFolderEntry(mailbox: name, name: file, inNew: false, keywords: keywords), path
                ))
        }
        guard let highest = copies.last?.message.id else { return [] }
        let links = copies.map { ($0.source, $0.from, folder.path(inNew: false, $0.entry.name.name)) }
        // A copy keeps the SMTP envelope of what it was copied from across a restart.
        let copyRecords = copies.flatMap { copy -> [EnvelopeLog.Record] in
            let (id, envelope, keywords) = (copy.message.id, copy.message.envelope, copy.entry.keywords)
            let carried: [EnvelopeLog.Record] =
                Self.carriesEnvelope(envelope) ? [.copied(id: id, base: copy.entry.name.base, envelope: envelope)] : []
            return carried + (keywords.isEmpty ? [] : [.keywords(id: id, keywords)])
        }
        try await pool.run { [log, self] () throws(StoreError) in
            var made: [String] = []
            do throws(StoreError) {
                for (source, from, to) in links {
                    try linkCurrentFile(of: source, planned: from, to: to)
                    made.append(to)
                }
            } catch {
                for path in made { POSIXFile.remove(path) }
                throw error
            }
            do throws(StoreError) {
                try MaildirFolder.syncDirectory(folder.path + "/cur")
                try log.append([.reserved(below: highest + 1)] + copyRecords)
                try log.sync()
            } catch {
                for path in made { POSIXFile.remove(path) }
                throw error
            }
        }
        folders.withLock { folders in
            for copy in copies { folders[copy.message.id] = copy.entry }
        }
        // A COPY that fails leaves no copy behind (RFC 3501 §6.4.7).
        let uids: [UInt64]
        do { uids = try index.place(copies.map { ($0.message, $0.flags) }, in: name) } catch {
            for copy in copies { removeFolderFile(of: copy.message.id) }
            throw error
        }
        let placed = zip(copies, uids).map { (id: $0.message.id, uid: $1) }
        do { try await pool.run { () throws(StoreError) in try folder.recordUIDs(placed) } } catch {
            remove(ids: copies.map(\.message.id))
            throw error
        }
        return Array(zip(copies.map(\.source), uids))
    }

    /// Renames each file into the target folder under both tables' locks (as ``updateFlags(_:ids:)``
    /// renames), so no reader, removal or flag change ever sees a table that disagrees with the
    /// disk; the directories are fsynced afterwards. All of it on a store thread: a rename per
    /// message (`UID MOVE 1:*`) must not hold the caller's event loop.
    package func move(ids: [UInt64], to mailbox: String) async throws -> [(id: UInt64, from: UInt64, to: UInt64)] {
        let name = try target(mailbox)
        let (moved, directories) = try await pool.run { () throws in try self.moveFiles(ids: ids, to: name) }
        let (folder, placed) = (folder(name), moved.map { (id: $0.id, uid: $0.to) })
        try await pool.run { () throws(StoreError) in
            var syncFailure: StoreError?
            for directory in directories {
                do throws(StoreError) { try MaildirFolder.syncDirectory(directory) } catch {
                    syncFailure = syncFailure ?? error
                }
            }
            try folder.recordUIDs(placed)
            if let syncFailure { throw syncFailure }
        }
        return moved
    }

    /// ``move(ids:to:)``'s renames and the index's move into mailbox `name` (canonical, existing);
    /// returns what moved and the directories to fsync.
    private func moveFiles(ids: [UInt64], to name: String) throws -> (
        moved: [(id: UInt64, from: UInt64, to: UInt64)], touched: Set<String>
    ) {
        let folder = folder(name)
        var touched: Set<String> = [folder.path + "/cur", folder.path + "/new"]
        var renamed: [UInt64] = []
        var failure: StoreError?
        files.table.withLock { files in
            folders.withLock { folders in
                // All or nothing (RFC 6851 §3.3 follows COPY): a rename that fails (another program
                // took the file, a permission) puts back those done, and the MOVE answers NO.
                var undo: [(id: UInt64, from: String, to: String, inbox: MaildirEntry?, folder: MaildirFolderEntry?)] =
                    []
                for id in ids {
                    let inbox = files[id]
                    let placed = folders[id]
                    let from: String
                    let entryName: MaildirFileName
                    let inNew: Bool
                    if let inbox {
                        (from, entryName, inNew) = (
                            layout.path(inNew: inbox.inNew, inbox.name.name), inbox.name, inbox.inNew
                        )
                    } else if let placed, placed.mailbox != name {
                        (from, entryName, inNew) = (
                            self.folder(placed.mailbox).path(inNew: placed.inNew, placed.name.name), placed.name,
                            placed.inNew
                        )
                    } else {
                        if placed != nil { renamed.append(id) }  // already there: the index gives it a new UID
                        continue
                    }
                    let to = folder.path(inNew: inNew, entryName.name)
                    do throws(StoreError) { try POSIXFile.rename(from, to) } catch  where error.isMissingFile {
                        // A removal under way unlinked the file (its entry goes next): the message
                        // is gone, not moved; the others move.
                        continue
                    } catch {
                        failure = error
                        break
                    }
                    undo.append((id, from, to, inbox, placed))
                    files[id] = nil
                    folders[id] = MaildirFolderEntry(
                        mailbox: name, name: entryName, inNew: inNew,
                        keywords: inbox?.keywords ?? placed?.keywords ?? [])
                    touched.insert(String(from[..<(from.lastIndex(of: "/") ?? from.endIndex)]))
                    renamed.append(id)
                }
                guard failure != nil else { return }
                for step in undo.reversed() {
                    try? POSIXFile.rename(step.to, step.from)
                    files[step.id] = step.inbox
                    folders[step.id] = step.folder
                }
            }
        }
        if let failure {
            notify(StoreNotice(.warning, "could not move a message file: \(failure)"))
            throw failure
        }
        return (try index.move(ids: renamed, to: name), touched)
    }

    // MARK: Hooks for remove(ids:), changeFlags(_:ids:) and log compaction

    /// Unlinks the file of a removed message that lived in a folder.
    func removeFolderFile(of id: UInt64) {
        guard let entry = folders.withLock({ $0.removeValue(forKey: id) }) else { return }
        POSIXFile.remove(folder(entry.mailbox).path(inNew: entry.inNew, entry.name.name))
    }

    /// Renames a folder message's file for its new system flags; returns a keywords record when its
    /// keywords changed. Throws, changing nothing, when the file cannot be renamed.
    func changeFolderFlags(of id: UInt64, to flags: MessageFlags) throws(StoreError) -> EnvelopeLog.Record? {
        var attempt = 1
        while true {
            guard var entry = folders.withLock({ $0[id] }) else { return nil }
            let folder = folder(entry.mailbox)
            let letters = MaildirFlags.letters(for: flags, keeping: entry.name.flagLetters)
            if letters != (entry.name.flagLetters ?? "") || entry.inNew {
                let renamed = MaildirFileName(base: entry.name.base, flagLetters: letters)
                do throws(StoreError) {
                    try POSIXFile.rename(
                        folder.path(inNew: entry.inNew, entry.name.name), folder.path(inNew: false, renamed.name))
                } catch  where error.isMissingFile {
                    // Another session moved the message meanwhile (its entry changed): look again.
                    // Else a removal under way unlinked the file (its entry goes next): it is
                    // gone, and its flags with it.
                    guard attempt < 5 && !isUnchanged(entry, id: id) else { return nil }
                    attempt += 1
                    continue
                }
                entry.name = renamed
                entry.inNew = false
            }
            let keywords = MaildirFlags.keywords(flags)
            let changed = keywords != entry.keywords
            entry.keywords = keywords
            let final = entry
            // Not brought back if it was expunged while its file was renamed.
            folders.withLock { if $0[id] != nil { $0[id] = final } }
            return changed ? .keywords(id: id, keywords) : nil
        }
    }

    /// Whether message `id` is still in the folder under the file name `entry` gives.
    private func isUnchanged(_ entry: MaildirFolderEntry, id: UInt64) -> Bool {
        folders.withLock { $0[id] }.map { $0.mailbox == entry.mailbox && $0.name == entry.name } ?? false
    }

    /// Whether an envelope is worth logging for a copy: one from SMTP (or rebuilt from headers),
    /// not the empty one of a message a client APPENDed.
    static func carriesEnvelope(_ envelope: Envelope) -> Bool {
        !envelope.sender.isEmpty || !envelope.recipients.isEmpty
    }

    /// The log records a compacted log keeps for folder messages: the envelopes of those captured
    /// over SMTP and of copies (found by file name after a restart; `envelopes` holds them, read
    /// from the index beforehand), and keywords.
    func folderRecords(envelopes: [UInt64: (envelope: Envelope, captured: Bool)]) -> [EnvelopeLog.Record] {
        let entries = folders.withLock { $0 }
        var records: [EnvelopeLog.Record] = []
        for (id, entry) in entries.sorted(by: { $0.key < $1.key }) {
            if let (envelope, captured) = envelopes[id] {
                if captured {
                    records.append(.message(id: id, base: entry.name.base, envelope: envelope))
                } else if Self.carriesEnvelope(envelope) {
                    records.append(.copied(id: id, base: entry.name.base, envelope: envelope))
                }
            }
            if !entry.keywords.isEmpty { records.append(.keywords(id: id, entry.keywords)) }
        }
        return records
    }
}

/// What loading Maildir++ folders needs from the envelope log and INBOX: the ids and envelopes
/// logged per file base name, keywords by id, and the ids already taken.
private struct FolderLoadContext {
    var envelopes: [String: (id: UInt64, envelope: Envelope)] = [:]
    var copied: [String: (id: UInt64, envelope: Envelope)] = [:]
    var keywords: [UInt64: [String]] = [:]
    var taken: Set<UInt64>

    init(log: String, inbox: [UInt64]) throws(StoreError) {
        taken = Set(inbox)
        for record in try EnvelopeLog.read(log).records {
            switch record {
            case .message(let id, let base, let envelope): envelopes[base] = (id, envelope)
            case .copied(let id, let base, let envelope): copied[base] = (id, envelope)
            case .keywords(let id, let words): keywords[id] = words
            case .reserved, .inboxNextUID, .staged: break
            }
        }
    }
}
