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

/// A message in a mailbox other than INBOX: which Maildir++ subfolder holds its file, and where.
struct MaildirFolderEntry: Sendable {
    var mailbox: String
    var name: MaildirFileName
    var inNew: Bool
    var keywords: [String]
}

/// A mailbox other than INBOX on disk: a Maildir++ subfolder of the store's root (`Archive/2024`
/// → `.Archive.2024/`, with `cur/ new/ tmp/`), the layout Dovecot and Courier read. Its UIDs live in
/// `letterbox-uids` inside it: a first line `letterbox-uids 1 <UIDVALIDITY>`, then one `<id> <uid>`
/// line per message placed there, appended and fdatasynced before the client hears the UID. The
/// next UID is above every UID the file ever recorded, so UIDs are never reused.
struct MaildirFolder: Sendable {
    let root: String
    let mailbox: String
    /// The modes its folders and files get: the store root's (see ``MaildirPermissions``).
    var permissions = MaildirPermissions.ownerOnly

    init(root: String, mailbox: String, permissions: MaildirPermissions = .ownerOnly) {
        self.root = root
        self.mailbox = mailbox
        self.permissions = permissions
    }

    /// Why `mailbox` cannot be a Maildir++ folder name (`.` separates levels on disk), or nil.
    static func problem(with mailbox: String) -> String? {
        if mailbox.contains(".") {
            return "mailbox names in a Maildir store cannot contain \".\" (Maildir++ separates levels with it)"
        }
        // The folder is `.` + the levels joined by `.`: one directory entry, at most NAME_MAX octets.
        if mailbox.utf8.count + 1 > maxDirectoryName {
            return "mailbox names in a Maildir store are at most \(maxDirectoryName - 1) octets"
        }
        return nil
    }

    /// NAME_MAX of Linux and macOS file systems (ext4, xfs, tmpfs, APFS).
    static let maxDirectoryName = 255

    /// The mailbox a root entry such as `.Archive.2024` names, or nil for anything else.
    static func mailbox(directory name: String) -> String? {
        guard name.hasPrefix("."), name.count > 1, name != ".." else { return nil }
        let levels = name.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard !levels.contains(where: \.isEmpty) else { return nil }
        return levels.joined(separator: "/")
    }

    var path: String {
        root + "/." + mailbox.split(separator: "/", omittingEmptySubsequences: false).joined(separator: ".")
    }
    var uidsPath: String { path + "/letterbox-uids" }
    func path(inNew: Bool, _ name: String) -> String { path + (inNew ? "/new/" : "/cur/") + name }

    /// Creates the folder, its `cur/ new/ tmp/` and its UID file (if missing), durably.
    func create(uidValidity: UInt32) throws(StoreError) {
        try POSIXFile.makeDirectory(path, mode: permissions.directory)
        for sub in ["cur", "new", "tmp"] { try POSIXFile.makeDirectory(path + "/" + sub, mode: permissions.directory) }
        if (try POSIXFile.read(uidsPath)) == nil {
            let temporary = path + "/tmp/" + MaildirFileName.unique()
            let fd = try POSIXFile.createExclusive(temporary, mode: permissions.file)
            defer { POSIXFile.close(fd) }
            try POSIXFile.writeAll(fd, Array("letterbox-uids 1 \(uidValidity)\n".utf8), path: temporary)
            try POSIXFile.sync(fd, path: temporary)
            try POSIXFile.rename(temporary, uidsPath)
        }
        try Self.syncDirectory(path)
        try Self.syncDirectory(root)
    }

    /// The UIDVALIDITY, each message's UID by id, and the next UID; nil when there is no UID file.
    func readUIDs() throws(StoreError) -> (uidValidity: UInt32, uids: [UInt64: UInt64], nextUID: UInt64)? {
        guard let bytes = try POSIXFile.read(uidsPath) else { return nil }
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        guard let header = lines.first?.split(separator: " "), header.count == 3, header[0] == "letterbox-uids",
            let validity = UInt32(header[2])
        else { return nil }
        lines.removeFirst()
        var uids: [UInt64: UInt64] = [:]
        var highest: UInt64 = 0
        for line in lines {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let id = UInt64(fields[0]), let uid = UInt64(fields[1]) else { continue }
            uids[id] = uid
            highest = max(highest, uid)
        }
        return (validity, uids, highest + 1)
    }

    /// Records the UIDs of messages placed here, durably (one write, one fdatasync).
    func recordUIDs(_ placed: [(id: UInt64, uid: UInt64)]) throws(StoreError) {
        guard !placed.isEmpty else { return }
        let fd = try POSIXFile.openForAppending(uidsPath)
        defer { POSIXFile.close(fd) }
        try POSIXFile.writeAll(fd, Array(placed.map { "\($0.id) \($0.uid)\n" }.joined().utf8), path: uidsPath)
        try POSIXFile.syncData(fd, path: uidsPath)
    }

    static func syncDirectory(_ path: String) throws(StoreError) {
        let fd = try POSIXFile.openDirectory(path)
        defer { POSIXFile.close(fd) }
        try POSIXFile.sync(fd, path: path)
    }

    /// A second name for a file (link(2)): a COPY costs no data, only a directory entry.
    static func hardLink(_ from: String, _ to: String) throws(StoreError) {
        guard link(from, to) == 0 else { throw .system("link", path: to, errno: errno) }
    }

    /// Sets a file's modification time (a message's internal date survives a restart as its mtime).
    static func setModificationTime(_ path: String, _ date: Date) {
        let seconds = date.timeIntervalSince1970
        var times = [
            timeval(tv_sec: time_t(seconds), tv_usec: 0), timeval(tv_sec: time_t(seconds), tv_usec: 0),
        ]
        _ = utimes(path, &times)
    }
}
