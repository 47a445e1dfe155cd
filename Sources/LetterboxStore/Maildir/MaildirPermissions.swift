#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The modes a Maildir store gives the folders and files it creates, taken from the Maildir's root
/// folder as Dovecot takes them: folders get the root's permission bits, files the same without
/// the execute bits. The owner always has read and write (and search on folders).
///
/// A root that does not exist yet is created private (`0700`) unless the folder it is created in is
/// group-writable: then it gets that folder's group bits too (`/data` at `0775` gives `0770`,
/// files `0660`). So a volume shared by a group, as OpenShift runs images (an arbitrary uid in
/// group 0, volumes group 0 and `g=u`), stays usable by the next uid of that group, while a
/// Maildir made in an ordinary home folder stays private. Others never get bits the root lacks.
///
/// The modes are applied with fchmod/chmod after creation where the process's umask could have
/// taken bits away (a umask of `022` would otherwise drop the group's write bit).
struct MaildirPermissions: Sendable, Equatable {
    /// For files: `0600` plus the root's read and write bits of group and others.
    let file: mode_t
    /// For folders: `0700` plus the root's bits of group and others.
    let directory: mode_t

    /// Only the owner: `0600` files, `0700` folders.
    static let ownerOnly = MaildirPermissions(directory: 0o700)

    /// The permissions for a root folder whose mode is `rootMode`.
    init(directory rootMode: mode_t) {
        directory = 0o700 | (rootMode & 0o077)
        file = 0o600 | (rootMode & 0o066)
    }

    /// The permissions of the existing folder `root`, or, if it does not exist yet, the ones to
    /// create it with: its group bits from the nearest existing folder above it when that one is
    /// group-writable.
    static func forRoot(_ root: String) -> MaildirPermissions {
        var info = stat()
        if stat(root, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            return MaildirPermissions(directory: info.st_mode)
        }
        var parent = root
        while true {
            guard let slash = parent.lastIndex(of: "/") else {
                parent = "."
                break
            }
            parent = slash == parent.startIndex ? "/" : String(parent[..<slash])
            if parent == "/" || stat(parent, &info) == 0 { break }
        }
        guard stat(parent, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_mode & 0o020 != 0 else {
            return .ownerOnly
        }
        return MaildirPermissions(directory: info.st_mode & 0o070)
    }
}
