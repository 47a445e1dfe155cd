import Foundation
import LetterboxStore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The modes of what a Maildir store creates follow the Maildir's root (as Dovecot's do), and a
/// root made in a group-writable folder is shared with that group (an OpenShift volume: an
/// arbitrary uid in group 0, `g=u`), whatever the umask.
@Suite("Maildir permissions", .timeLimit(.minutes(1)))
struct MaildirPermissionsTests {
    static func mode(_ path: String) -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return info.st_mode & 0o7777
    }

    /// Every folder and file under `root`, with its mode.
    static func modes(under root: String) -> [(String, mode_t)] {
        let names = FileManager.default.subpaths(atPath: root) ?? []
        return names.map { ($0, mode("\(root)/\($0)")) }
    }

    /// A store at `root` that received one SMTP message and has a folder with an APPENDed message.
    static func populate(_ root: String) async throws {
        let store = try await MaildirStore.open(at: root)
        _ = try await store.append(mail(subject: "shared"), envelope: envelope())
        try store.createMailbox("Projects")
        _ = try await store.append(mail(subject: "kept"), to: "Projects", flags: MessageFlags(), receivedAt: Date())
    }

    @Test("a Maildir made in a group-writable folder is group-readable and -writable throughout, despite umask 022")
    func sharedWithTheGroupOfAGroupWritableParent() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        chmod(folder.path, 0o775)
        let root = folder.path + "/maildir"
        let previous = umask(0o022)
        defer { umask(previous) }
        try await Self.populate(root)

        #expect(Self.mode(root) == 0o770)
        let modes = Self.modes(under: root)
        #expect(modes.count > 10, "\(modes)")
        for (name, mode) in modes {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: "\(root)/\(name)", isDirectory: &isDirectory)
            #expect(mode == (isDirectory.boolValue ? 0o770 : 0o660), "\(name): \(String(mode, radix: 8))")
        }
    }

    @Test("a Maildir made in a folder only its owner writes stays private: 0700 folders, 0600 files")
    func privateInAnOrdinaryFolder() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        chmod(folder.path, 0o755)
        let root = folder.path + "/maildir"
        try await Self.populate(root)

        #expect(Self.mode(root) == 0o700)
        for (name, mode) in Self.modes(under: root) {
            #expect(mode & 0o077 == 0, "\(name): \(String(mode, radix: 8))")
        }
    }

    @Test("an existing root's mode decides: a root chmodded 0750 gets 0750 folders and 0640 files")
    func existingRootDecides() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let root = folder.path + "/maildir"
        mkdir(root, 0o700)
        chmod(root, 0o750)
        try await Self.populate(root)

        #expect(Self.mode(root) == 0o750)
        for (name, mode) in Self.modes(under: root) {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: "\(root)/\(name)", isDirectory: &isDirectory)
            #expect(mode == (isDirectory.boolValue ? 0o750 : 0o640), "\(name): \(String(mode, radix: 8))")
        }
    }
}
