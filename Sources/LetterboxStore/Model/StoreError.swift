#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a store could not open, keep or change a message.
///
/// A struct with static members rather than an enum, so new reasons can be added without breaking
/// anyone's `switch`. The description names the path and the operating system's reason, e.g.
/// `cannot write to /var/mail/letterbox/tmp: Read-only file system (errno 30)`: it is for the
/// server's log. Replies to clients use ``reason``, which says what failed but not where.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unusableFolder, io, corrupt
    }
    private let code: Code
    /// The file or folder concerned.
    public let path: String
    /// What went wrong, including the failing system call and `errno` text where there is one.
    public let detail: String
    /// ``detail`` without any path, for clients.
    public let reason: String
    /// The `errno` of the failing system call; nil when the error is not a system call's.
    public let errorNumber: Int32?

    private init(_ code: Code, path: String, detail: String, reason: String, errorNumber: Int32? = nil) {
        self.code = code
        self.path = path
        self.detail = detail
        self.reason = reason
        self.errorNumber = errorNumber
    }

    /// The store's folder cannot be created, read or written (missing permission, read-only file
    /// system, not a directory). Thrown when a store opens, before anything listens.
    public static func unusableFolder(_ path: String, _ reason: String) -> StoreError {
        StoreError(
            .unusableFolder, path: path, detail: "cannot use \(path) as a mail store: \(reason)",
            reason: "the mail store's folder cannot be used")
    }

    /// A system call on `path` failed (a full disk, an I/O error); `target` is the second path of
    /// a call that has two (rename, link).
    public static func system(_ call: String, path: String, target: String? = nil, errno code: Int32) -> StoreError {
        StoreError(
            .io, path: path, detail: "\(call) \(path)\(target.map { " to \($0)" } ?? "") failed: \(Self.reason(code))",
            reason: "\(call) failed: \(Self.reason(code))", errorNumber: code)
    }

    /// A file's content is not what the store wrote.
    public static func corrupt(_ path: String, _ reason: String) -> StoreError {
        StoreError(.corrupt, path: path, detail: "\(path): \(reason)", reason: "a stored file is damaged")
    }

    /// `strerror` text with the number, e.g. `No space left on device (errno 28)`.
    static func reason(_ code: Int32) -> String { "\(String(cString: strerror(code))) (errno \(code))" }

    /// True for the errors ``unusableFolder(_:_:)`` makes.
    public var isUnusableFolder: Bool { code == .unusableFolder }

    /// True when the disk or the user's quota is full (ENOSPC, EDQUOT): the client may retry once
    /// space is freed. Protocols answer with their own code for it: SMTP `452 4.3.1`, IMAP
    /// `[OVERQUOTA]` (RFC 5530 §3), HTTP 507.
    public var isOutOfSpace: Bool { errorNumber == ENOSPC || errorNumber == EDQUOT }

    /// True when the file was not found (another program removed it).
    public var isMissingFile: Bool { errorNumber == ENOENT }

    public var description: String { detail }
}
