#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a store could not open, keep or change a message.
///
/// A struct with static members rather than an enum, so new reasons can be added without breaking
/// anyone's `switch`. The description names the path and the operating system's reason, e.g.
/// `cannot write to /var/mail/letterbox/tmp: Read-only file system (errno 30)`.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unusableFolder, io, corrupt
    }
    private let code: Code
    /// The file or folder concerned.
    public let path: String
    /// What went wrong, including the failing system call and `errno` text where there is one.
    public let detail: String

    private init(_ code: Code, path: String, detail: String) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    /// The store's folder cannot be created, read or written (missing permission, read-only file
    /// system, not a directory). Thrown when a store opens, before anything listens.
    public static func unusableFolder(_ path: String, _ reason: String) -> StoreError {
        StoreError(.unusableFolder, path: path, detail: "cannot use \(path) as a mail store: \(reason)")
    }

    /// A system call on `path` failed (a full disk, an I/O error).
    public static func system(_ call: String, path: String, errno code: Int32) -> StoreError {
        StoreError(.io, path: path, detail: "\(call) \(path) failed: \(Self.reason(code))")
    }

    /// A file's content is not what the store wrote.
    public static func corrupt(_ path: String, _ reason: String) -> StoreError {
        StoreError(.corrupt, path: path, detail: "\(path): \(reason)")
    }

    /// `strerror` text with the number, e.g. `No space left on device (errno 28)`.
    static func reason(_ code: Int32) -> String { "\(String(cString: strerror(code))) (errno \(code))" }

    /// True for the errors ``unusableFolder(_:_:)`` makes.
    public var isUnusableFolder: Bool { code == .unusableFolder }

    public var description: String { detail }
}
