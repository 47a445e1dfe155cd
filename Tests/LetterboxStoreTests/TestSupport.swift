import Foundation
import LetterboxStore
import TestSupport

/// A small message with the given headers and a one-line body.
func mail(from: String = "sender@example.com", to: String = "ana@example.com", subject: String = "Hello") -> [UInt8] {
    crlf("From: \(from)\nTo: \(to)\nSubject: \(subject)\n\nBody.\n")
}

/// An envelope from `sender` to `recipients`.
func envelope(_ sender: String = "sender@example.com", _ recipients: [String] = ["ana@example.com"]) -> Envelope {
    Envelope(sender: sender, recipients: recipients, helo: "client.example", peer: "127.0.0.1:50000")
}

/// The first `count` changes a stream yields; ``DidNotFinish`` if fewer arrive within the guard time.
func firstChanges(_ count: Int, of stream: AsyncStream<StoreChange>) async throws -> [StoreChange] {
    try await finishing("\(count) store changes") {
        var seen: [StoreChange] = []
        for await change in stream {
            seen.append(change)
            if seen.count == count { break }
        }
        return seen
    }
}

/// A Maildir at `folder` holding `count` messages another program placed in `new/`, each bigger
/// than the store's read cache can keep many of, so a pass over their bodies reads files.
func placeLargeMessages(in folder: TemporaryFolder, count: Int) throws {
    do { _ = try MaildirStore(path: folder.path) }
    let body = String(repeating: "A line of body text to make the file big.\r\n", count: 2000)
    for number in 0..<count {
        try Data("Subject: message \(number)\r\n\r\n\(body)".utf8)
            .write(to: URL(fileURLWithPath: "\(folder.path)/new/placed\(number).host"))
    }
}
