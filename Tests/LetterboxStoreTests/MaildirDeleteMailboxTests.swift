import Foundation
import LetterboxStore
import Testing

/// DELETE of a mailbox the store must refuse (it has mailboxes below it) is refused before any
/// folder is touched: no rename out of the way and back, which a failing disk could leave half done.
@Suite struct MaildirDeleteMailboxTests {
    @Test func aRefusedDeleteTouchesNoFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try MaildirStore(path: folder.path)
        try store.createMailbox("Projects/2024")
        // A rename in the Maildir's root would set its modification time to now.
        let past = Date(timeIntervalSince1970: 946_684_800)
        try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: folder.path)

        #expect(throws: MailboxError.self) { try store.deleteMailbox("Projects") }
        do { try store.deleteMailbox("Projects") } catch { #expect(error.code == "HASCHILDREN") }
        let modified = try FileManager.default.attributesOfItem(atPath: folder.path)[.modificationDate] as? Date
        #expect(modified == past, "the root folder was changed: \(String(describing: modified))")
        #expect(store.mailbox(named: "Projects") != nil && store.mailbox(named: "Projects/2024") != nil)
        #expect(try store.deleteMailbox("Projects/2024") == 0)
        #expect(try store.deleteMailbox("Projects") == 0)
    }
}
