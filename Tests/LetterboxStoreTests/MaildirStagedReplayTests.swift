import Foundation
import LetterboxStore
import Testing

/// With `--maildir-fsync always` a delivery is acknowledged once its bytes and its log records are
/// durable, before its rename into `new/` is: a restart must finish a rename that a power loss
/// undid, and must never show a staged file whose bytes did not all reach the disk.
@Suite("Maildir staged deliveries", .timeLimit(.minutes(1)))
struct MaildirStagedReplayTests {
    /// Delivers one message, then puts its file back in `tmp/` under its temporary name, as a
    /// power loss after the 250 but before the rename reached the disk would leave it.
    static func deliverAndUndoRename(_ folder: String, raw: [UInt8]) async throws -> (id: UInt64, temporary: String) {
        let store = try await MaildirStore.open(at: folder, fsync: .always)
        let message = try await store.append(raw, envelope: envelope("s@example.com", ["r@example.com"]))
        let names = TemporaryFolder.names(folder, "new")
        try #require(names.count == 1)
        let name = names[0]
        let unique = String(name.split(separator: ",")[0])
        try FileManager.default.moveItem(atPath: "\(folder)/new/\(name)", toPath: "\(folder)/tmp/\(unique)")
        return (message.id, "\(folder)/tmp/\(unique)")
    }

    @Test("an acknowledged delivery whose rename was lost is renamed into new/ at the restart, same id and bytes")
    func lostRenameIsFinished() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let raw = mail(subject: "staged")
        let (id, _) = try await Self.deliverAndUndoRename(folder.path, raw: raw)

        let notices = NoticeCollector()
        let reopened = try MaildirStore(path: folder.path, notices: notices.handler)
        let messages = reopened.messages()
        #expect(messages.map(\.id) == [id])
        #expect(messages.first?.raw == raw)
        #expect(messages.first?.envelope.recipients == ["r@example.com"])
        #expect(TemporaryFolder.names(folder.path, "tmp") == [])
        #expect(TemporaryFolder.names(folder.path, "new").count == 1)
        #expect(notices.warnings == [])
    }

    @Test("a staged file whose bytes are incomplete or changed is removed at the restart, never shown")
    func incompleteStagedFileIsDiscarded() async throws {
        for damage in ["cut short", "changed byte"] {
            let folder = try TemporaryFolder(damage)
            defer { folder.remove() }
            let raw = mail(subject: "partial")
            let (_, temporary) = try await Self.deliverAndUndoRename(folder.path, raw: raw)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: temporary)))
            if damage == "cut short" { bytes.removeLast(10) } else { bytes[bytes.count / 2] ^= 0x20 }
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))

            let reopened = try MaildirStore(path: folder.path)
            #expect(reopened.messages().isEmpty, "\(damage)")
            #expect(TemporaryFolder.names(folder.path, "tmp") == [], "\(damage)")
            #expect(TemporaryFolder.names(folder.path, "new") == [], "\(damage)")
        }
    }
}
