import LetterboxIMAP
import LetterboxStore
import Synchronization
import Testing

/// A large FETCH goes to the connection in bounded pieces as it is built, never whole.
@Suite struct FetchStreamingTests {
    /// What a sink was given: each piece's size, in order, and the bytes.
    final class Recorder: Sendable {
        let pieces = Mutex<[[UInt8]]>([])
        var sizes: [Int] { pieces.withLock { $0.map(\.count) } }
        var bytes: [UInt8] { pieces.withLock { $0.flatMap { $0 } } }
    }

    @Test("UID FETCH 1:* BODY[] of 300 × 10 KiB goes out in pieces of at most 256 KiB and one message")
    func largeFetchIsWrittenInBoundedPieces() async throws {
        let store = MemoryStore()
        let body = String(repeating: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n", count: 155)
        for number in 1...300 {
            _ = try await store.append(
                Array("Subject: \(number)\r\n\r\n\(body)".utf8),
                envelope: Envelope(sender: "s@example.com", recipients: ["ana@example.com"]))
        }
        let messageSize = try #require(store.message(id: 1)).size
        var script = IMAPScript(sharing: store)
        _ = await script.send("a LOGIN ana x")
        _ = await script.send("b EXAMINE INBOX")
        guard case .success(let fetch) = IMAPParser.parse(Array("c UID FETCH 1:* BODY[]".utf8)) else {
            Issue.record("FETCH does not parse")
            return
        }
        let recorder = Recorder()
        let (rest, _) = await script.session.handle(fetch) { piece in
            recorder.pieces.withLock { $0.append(piece) }
            return true
        }
        let bound = 256 * 1024 + messageSize + 100
        #expect(recorder.sizes.count > 10, "\(recorder.sizes)")
        #expect(recorder.sizes.allSatisfy { $0 <= bound }, "\(recorder.sizes)")
        #expect(rest.count <= bound)
        // The pieces and the rest are the response the session gives without a sink.
        var whole = IMAPScript(sharing: store)
        _ = await whole.send("a LOGIN ana x")
        _ = await whole.send("b EXAMINE INBOX")
        let (complete, _) = await whole.session.handle(fetch)
        #expect(recorder.bytes + rest == complete)
        #expect(String(decoding: rest.suffix(30), as: UTF8.self).hasSuffix("c OK UID FETCH completed\r\n"))
    }
}
