import Foundation
import Letterbox

/// Runs `body` with a catcher that serves IMAP only, on a memory store or, with `maildir`, on a
/// Maildir store in a fresh temporary folder that is removed afterwards: for IMAP tests that
/// must hold in both stores.
func withIMAPCatcher<Result>(
    maildir: Bool, _ body: (MailCatcher) async throws -> Result
) async throws -> Result {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("letterbox-imap-\(getpid())-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await withCatcher(
        {
            $0.smtpPort = nil; $0.pop3Port = nil; $0.httpPort = nil
            if maildir { $0.storage = .maildir(folder) }
        }, body)
}
