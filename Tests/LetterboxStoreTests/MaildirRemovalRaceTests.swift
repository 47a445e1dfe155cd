import Foundation
import LetterboxStore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A removal unlinks a message's file, then drops its entry. A flag change or a MOVE by another
/// session in between finds the entry but no file: the message is gone (as if expunged first),
/// not a server error (found by `letterbox-bench imapcheck` on the Maildir store).
@Suite("Maildir removal races")
struct MaildirRemovalRaceTests {
    private let raw = Array("From: a@example.com\r\nSubject: race\r\n\r\nbody\r\n".utf8)

    /// Unlinks every file of the Maildir (sub)folder at `path`, as a removal under way has.
    private func unlinkFiles(in path: String) {
        for directory in ["cur", "new"] {
            for name in TemporaryFolder.names(path, directory) { unlink("\(path)/\(directory)/\(name)") }
        }
    }

    @Test("a flag change of a folder message whose file a removal unlinked is no failure")
    func folderFlagChange() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try MaildirStore(path: folder.path)
        _ = try store.createMailbox("Box")
        let (message, _) = try await store.append(raw, to: "Box", flags: MessageFlags(), receivedAt: Date())
        unlinkFiles(in: folder.path + "/.Box")
        let result = store.changeFlags(.add(MessageFlags(["\\Seen", "$k1"])), ids: [message.id])
        #expect(result.failed.isEmpty, "\(result.failed)")
    }

    @Test("a flag change of an INBOX message whose file a removal unlinked is no failure")
    func inboxFlagChange() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try MaildirStore(path: folder.path)
        let message = try await store.append(raw, envelope: Envelope(sender: "a@example.com", recipients: ["b@x"]))
        unlinkFiles(in: folder.path)
        let result = store.changeFlags(.add(MessageFlags(["\\Seen"])), ids: [message.id])
        #expect(result.failed.isEmpty, "\(result.failed)")
    }

    @Test("a MOVE of a message whose file a removal unlinked moves the others and leaves it out")
    func moveLeavesItOut() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try MaildirStore(path: folder.path)
        _ = try store.createMailbox("Box")
        let (gone, _) = try await store.append(raw, to: "Box", flags: MessageFlags(), receivedAt: Date())
        unlinkFiles(in: folder.path + "/.Box")
        let (kept, _) = try await store.append(raw, to: "Box", flags: MessageFlags(), receivedAt: Date())
        let moved = try await store.move(ids: [gone.id, kept.id], to: "Trash")
        #expect(moved.map(\.id) == [kept.id])
    }
}
