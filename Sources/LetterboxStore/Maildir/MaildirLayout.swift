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

/// Where a Maildir keeps its files (https://cr.yp.to/proto/maildir.html): a message is written
/// to `tmp/`, then renamed into `new/`; a reader that has seen it moves it to `cur/` and records
/// its flags in the name's info suffix (`:2,FRS`).
///
/// INBOX is the root folder. Further IMAP mailboxes are meant to map to Maildir++ subfolders
/// (`.Name/`, hierarchy separated by `.`, each with its own `cur/ new/ tmp/`), the layout Dovecot
/// and Courier read; the store's own files at the root are plain files named `letterbox-*`, so a
/// Maildir++ reader never takes them for a folder (folders start with a dot) or a message (messages
/// live only in `cur/` and `new/`).
struct MaildirLayout: Sendable {
    let root: String
    /// The modes of the folders and files the store creates (see ``MaildirPermissions``).
    var permissions = MaildirPermissions.ownerOnly

    init(root: String) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
    }

    var tmp: String { root + "/tmp" }
    var new: String { root + "/new" }
    var cur: String { root + "/cur" }
    /// The envelope log, see ``EnvelopeLog``.
    var log: String { root + "/letterbox-envelopes.log" }
    /// The store's UIDVALIDITY, decimal, written once when the folder is first used.
    var uidValidity: String { root + "/letterbox-uidvalidity" }

    func path(inNew: Bool, _ name: String) -> String { (inNew ? new : cur) + "/" + name }
}

/// A Maildir file name, split into the part that names the message for good (``base``) and the
/// flag letters of the info suffix, which change by rename.
///
/// Letterbox's own names are `<seconds>.M<microseconds>P<pid>Q<counter>.<host>,S=<size>,W=<size>,U=<id>`:
/// the unique name of the Maildir convention, the exact size (`,S=`) and the size with CRLF line
/// endings (`,W=`, the Maildir++ fields Dovecot writes and reads instead of calling stat or reading
/// the file), and the Letterbox id (`,U=`), so a message keeps its id even if its log record is lost.
struct MaildirFileName: Hashable, Sendable {
    /// Everything before the first `:`; readers keep it when they rename to change flags.
    let base: String
    /// The letters after `:2,` (maybe empty), or nil when the name has no `:2,` info (a message in `new/`).
    let flagLetters: String?

    init(base: String, flagLetters: String?) {
        self.base = base
        self.flagLetters = flagLetters
    }

    init(parsing name: String) {
        let utf8 = name.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else {
            self.init(base: name, flagLetters: nil)
            return
        }
        let info = name[utf8.index(after: colon)...]
        self.init(base: String(name[..<colon]), flagLetters: info.hasPrefix("2,") ? String(info.dropFirst(2)) : nil)
    }

    /// The name on disk.
    var name: String { flagLetters.map { base + ":2," + $0 } ?? base }

    /// The value of a `,KEY=value` field of the base name (`S` size, `U` Letterbox id), read from
    /// the end, where Letterbox and Dovecot put them.
    func field(_ key: Character) -> UInt64? {
        guard let key = key.asciiValue else { return nil }
        // Native strings are contiguous UTF-8: no copy (start-up reads three fields of every name).
        if let value = base.utf8.withContiguousStorageIfAvailable({ Self.field(key, in: $0) }) { return value }
        return Array(base.utf8).withUnsafeBufferPointer { Self.field(key, in: $0) }
    }

    private static func field(_ key: UInt8, in utf8: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var end = utf8.count
        var index = utf8.count - 1
        while index > 0 {
            if utf8[index] == UInt8(ascii: ",") {
                if index + 2 < end, utf8[index + 1] == key, utf8[index + 2] == UInt8(ascii: "=") {
                    var value: UInt64 = 0
                    for byte in utf8[(index + 3)..<end] {
                        guard byte >= 48 && byte <= 57 else { return nil }
                        let (times, overflow) = value.multipliedReportingOverflow(by: 10)
                        let (sum, carry) = times.addingReportingOverflow(UInt64(byte - 48))
                        guard !overflow && !carry else { return nil }
                        value = sum
                    }
                    return end > index + 3 ? value : nil
                }
                end = index
            }
            index -= 1
        }
        return nil
    }

    /// The id Letterbox wrote into the name, if it did.
    var letterboxID: UInt64? { field("U") }

    private static let counter = Atomic<UInt64>(0)

    /// A fresh unique name for a file in `tmp/`: time, microseconds, process id, a per-process
    /// counter and the host name, with `/` and `:` in the host escaped as the convention asks.
    static func unique() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let count = counter.add(1, ordering: .relaxed).newValue
        return "\(now.tv_sec).M\(now.tv_nsec / 1000)P\(getpid())Q\(count).\(host)"
    }

    private static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let escaped = name.replacing("/", with: "\\057").replacing(":", with: "\\072").replacing(",", with: "\\054")
        return escaped.isEmpty ? "localhost" : escaped
    }()

    /// The final name of a delivered message.
    static func delivered(unique: String, size: Int, canonicalSize: Int, id: UInt64) -> MaildirFileName {
        MaildirFileName(base: "\(unique),S=\(size),W=\(canonicalSize),U=\(id)", flagLetters: nil)
    }
}

/// IMAP system flags as Maildir info letters: `D` draft, `F` flagged, `R` replied (answered),
/// `S` seen, `T` trashed (deleted); `P` (passed) and lowercase keyword letters of other programs
/// are kept as found. Letters are written in ASCII order, as the convention requires.
enum MaildirFlags {
    private static let letters: [(letter: Character, flag: String)] = [
        ("D", MessageFlags.draft), ("F", MessageFlags.flagged), ("R", MessageFlags.answered),
        ("S", MessageFlags.seen), ("T", MessageFlags.deleted),
    ]

    /// The system flags the letters stand for.
    static func flags(_ letters: String?) -> MessageFlags {
        guard let letters else { return MessageFlags() }
        return MessageFlags(Self.letters.filter { letters.contains($0.letter) }.map(\.flag))
    }

    /// The letters for `flags`' system flags, plus any letters of `existing` Letterbox does not own.
    static func letters(for flags: MessageFlags, keeping existing: String?) -> String {
        let owned = Set(letters.map(\.letter))
        var result = Set((existing ?? "").filter { !owned.contains($0) })
        for (letter, flag) in letters where flags.contains(flag) { result.insert(letter) }
        return String(result.sorted())
    }

    /// The keywords of `flags`: everything that is not a system flag.
    static func keywords(_ flags: MessageFlags) -> [String] {
        flags.sorted.filter { !$0.hasPrefix("\\") }
    }
}
