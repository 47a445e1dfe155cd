import Foundation
import Synchronization
import Testing

@testable import LetterboxStore

/// A folder message's file is found through the folder table, then opened. Another session's
/// flag change or MOVE may rename it in between (it changes the table under the same lock as
/// the rename): the read must follow it, not answer that the message cannot be read (found by
/// `letterbox-bench imapcheck --store maildir`: `NO some messages could not be read: open failed`
/// for a message that was only renamed).
@Suite("Maildir reads that race a rename")
struct MaildirReadAfterRenameTests {
    @Test("a file renamed between the lookup of its path and the open is read where it went")
    func renamedBetweenLookupAndOpen() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for directory in ["cur", "new", "tmp", ".Box", ".Box/cur", ".Box/new", ".Box/tmp"] {
            try FileManager.default.createDirectory(
                atPath: "\(folder.path)/\(directory)", withIntermediateDirectories: true)
        }
        let files = try MaildirFiles(layout: MaildirLayout(root: folder.path))
        let base = "\(folder.path)/.Box/cur/1733000000.M1P1Q1.host,S=5,W=5,U=7"
        let renamed = base + ":2,S"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: renamed))
        // The first lookup is the path before the rename (the file is no longer there); the
        // table changed with the rename, so the next lookup gives the new one.
        let lookups = Mutex(0)
        files.locateElsewhere { _ in
            lookups.withLock { count in
                count += 1
                return count == 1 ? base + ":2," : renamed
            }
        }
        let views = try files.views(of: 7, size: 5)
        #expect(views.raw == Array("hello".utf8))
        #expect(lookups.withLock { $0 } == 2)
    }

    @Test("a file that stays missing where the table says is still a missing file, after one more lookup")
    func missingStaysMissing() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for directory in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(
                atPath: "\(folder.path)/\(directory)", withIntermediateDirectories: true)
        }
        let files = try MaildirFiles(layout: MaildirLayout(root: folder.path))
        let lookups = Mutex(0)
        files.locateElsewhere { _ in
            lookups.withLock { $0 += 1 }
            return "\(folder.path)/.Box/cur/gone:2,"
        }
        #expect(throws: StoreError.self) { try files.views(of: 7, size: 5) }
        #expect(lookups.withLock { $0 } == 2)
    }
}
