import Foundation
import LetterboxStore
import Synchronization

/// The sample messages in `Fixtures/messages/` at the package root.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // LetterboxStoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Fixtures/messages")

    /// The raw bytes of a fixture message.
    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// A message written with `\n` in the test source and CRLF on the wire.
func crlf(_ text: String) -> [UInt8] {
    Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
}

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

/// Thrown when something that should finish promptly did not finish within the guard time.
struct DidNotFinish: Error, CustomStringConvertible {
    let what: String
    let limit: Duration
    var description: String { "\(what) did not finish within \(limit)" }
}

/// Runs `body` and returns its result, or throws ``DidNotFinish`` after `limit` (the body is left
/// running then, so a bug that ignores cancellation fails the test instead of hanging it).
func finishing<T: Sendable>(
    _ what: String, within limit: Duration = .seconds(10), _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let gate = Gate<T>()
    return try await withCheckedThrowingContinuation { continuation in
        gate.set(continuation)
        Task {
            do { gate.finish(.success(try await body())) } catch { gate.finish(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: limit)
            gate.finish(.failure(DidNotFinish(what: what, limit: limit)))
        }
    }
}

/// A continuation resumed by whichever of two tasks finishes first.
private final class Gate<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    func finish(_ result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
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
