import Foundation
import LetterboxStore
import Synchronization
import TestSupport
import Testing

/// A MOVE renames files while others read them: no reader may find a message's file missing.
@Suite("Maildir MOVE")
struct MaildirMoveTests {
    @Test("messages being moved stay readable throughout, and are where the index says after a restart")
    func readableWhileMoving() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try placeLargeMessages(in: folder, count: 300)
        var store: MaildirStore? = try MaildirStore(path: folder.path)
        guard let first = store else { return }
        let messages = first.messages()
        let unreadable = Atomic<Int>(0)
        let moving = Atomic<Bool>(true)
        // The reader reads files without a pause while the moves go on: on a thread of its own, not
        // one of Dispatch's few global workers (on Linux, Task.sleep and timers wait through them).
        async let reader: Void = onOwnThread {
            while moving.load(ordering: .relaxed) {
                for message in messages where message.raw.isEmpty { unreadable.add(1, ordering: .relaxed) }
            }
        }
        // Stops the reader however the moves end: a throw awaits it too, as the scope ends.
        defer { moving.store(false, ordering: .relaxed) }
        for message in messages.prefix(150) { _ = try await first.move(ids: [message.id], to: "Archive") }
        moving.store(false, ordering: .relaxed)
        try await reader
        #expect(unreadable.load(ordering: .relaxed) == 0, "no read found a moved file missing")
        store = nil

        let second = try MaildirStore(path: folder.path)
        #expect(second.snapshot(of: "Archive", matching: MessageFilter())?.entries.count == 150)
        #expect(second.snapshot(of: "INBOX", matching: MessageFilter())?.entries.count == 150)
    }
}
