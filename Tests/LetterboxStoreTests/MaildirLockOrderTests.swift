import Dispatch
import Foundation
import LetterboxStore
import TestSupport
import Testing

/// Content filters read message files while flag changes and removals rename and unlink them:
/// neither may wait for the other forever.
@Suite("Maildir lock order")
struct MaildirLockOrderTests {
    @Test("subject filters over unread bodies finish while flags change and messages are removed")
    func filtersBesideFlagChanges() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try placeLargeMessages(in: folder, count: 300)
        let store = try MaildirStore(path: folder.path)
        let ids = store.messages().map(\.id)
        #expect(ids.count == 300)
        // Threads of their own: a deadlock there must take neither the test's executor nor
        // Dispatch's few shared threads with it.
        try await finishing("filters beside flag changes and removals", within: .seconds(120)) {
            async let filters: Void = onOwnThread {
                for _ in 0..<4 { _ = store.snapshot(matching: MessageFilter(subject: "no such subject")) }
            }
            async let changes: Void = onOwnThread {
                for round in 0..<400 {
                    let flags = MessageFlags(["\\Seen"])
                    store.updateFlags(round % 2 == 0 ? .add(flags) : .remove(flags), ids: [ids[round % 250]])
                    if round % 8 == 0 { store.remove(ids: [ids[250 + round / 8]]) }
                }
            }
            _ = try await (filters, changes)
        }
        #expect(store.messages().count == 250)
    }
}
