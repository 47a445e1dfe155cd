import Foundation
import LetterboxNet
import LetterboxPOP3
import Synchronization
import TestSupport
import Testing

@testable import LetterboxStore

/// Message bytes read on demand (as from a file), noting the threads that read them.
private final class RecordingSource: MessageBodySource {
    let raw: [UInt8]
    private let readers = Mutex<[UInt]>([])
    var threads: [UInt] { readers.withLock { $0 } }

    init(_ raw: [UInt8]) { self.raw = raw }

    func views(of id: UInt64, size: Int) throws(StoreError) -> MessageViews {
        readers.withLock { $0.append(currentThreadNumber()) }
        return MessageViews(raw: raw)
    }

    func cachedViews(of id: UInt64) -> MessageViews? { nil }
}

/// The maildrop's size in octets (CRLF form) is counted at login from every message whose size is
/// not known yet, which reads its bytes: that happens off the event loop, with the walk. RETR and
/// TOP of a large message check and encode it off the loop too; what they send is unchanged.
@Suite(.timeLimit(.minutes(2)))
struct MaildropSizesOffTheLoopTests {
    /// A loop no other test uses (its thread lives as long as the process, like every loop).
    static let serverLoop = Result { try EventLoop() }

    /// A memory store holding one message of `raw` whose size in CRLF form is not known.
    fileprivate static func store(holding raw: [UInt8]) -> (MemoryStore, RecordingSource) {
        let store = MemoryStore()
        let source = RecordingSource(raw)
        let envelope = Envelope(sender: "s@example.com", recipients: ["ana@example.com"])
        store.index.insert(
            Message(
                id: store.index.reserveID(), envelope: envelope, size: raw.count, canonicalSize: nil, source: source))
        return (store, source)
    }

    static func client(_ store: MemoryStore) throws -> LineClient {
        let server = POP3Server(
            configuration: POP3Configuration(), store: store, events: ProtocolEvents(logger: .silent, transcript: false)
        )
        return try LineClient(serving: { await server.serve($0) }, on: try serverLoop.get())
    }

    @Test func unknownSizesAreCountedOffTheLoopAtLogin() async throws {
        // Bare LFs: 4 lines, 4 octets more in CRLF form.
        let raw = Array("Subject: sizes\n\nline one\nline two\n".utf8)
        let (store, source) = Self.store(holding: raw)
        let loopThread = await Task(executorPreference: try Self.serverLoop.get()) { currentThreadNumber() }.value
        let client = try Self.client(store)
        _ = try await client.line()
        try await client.send("USER ana")
        _ = try await client.line()
        try await client.send("PASS pw")
        #expect(try await client.line().hasSuffix("has 1 messages (\(raw.count + 4) octets)"))
        #expect(!source.threads.isEmpty, "the size was counted from the bytes")
        #expect(!source.threads.contains(loopThread), "the bytes were read on the event loop's thread")
        try await client.send("STAT")
        #expect(try await client.line() == "+OK 1 \(raw.count + 4)")
        try await client.send("LIST")
        #expect(try await client.line() == "+OK 1 messages (\(raw.count + 4) octets)")
        #expect(try await client.line() == "1 \(raw.count + 4)")
        #expect(try await client.line() == ".")
        await client.close()
    }

    /// A message over the limit below which it is encoded on the loop: bare LFs become CRLF, a
    /// line starting with `.` is stuffed, a final CRLF is added; TOP sends the header and N lines.
    @Test func aLargeMessageIsSentAsBeforeWithRETRAndTOP() async throws {
        var text = "Subject: big\n\n.dot first\n"
        while text.utf8.count <= 300 * 1024 { text += "a line of the body that goes on for a while\n" }
        text += "last line without a break"
        let (store, _) = Self.store(holding: Array(text.utf8))
        let client = try Self.client(store)
        _ = try await client.line()
        try await client.send("USER ana")
        _ = try await client.line()
        try await client.send("PASS pw")
        _ = try await client.line()

        try await client.send("RETR 1")
        #expect(try await client.line().hasPrefix("+OK"))
        var lines: [String] = []
        while lines.last != "." { lines.append(try await client.line()) }
        let expected = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasPrefix(".") ? "." + $0 : String($0)
        }
        #expect(lines == expected + ["."])

        try await client.send("TOP 1 1")
        #expect(try await client.line().hasPrefix("+OK"))
        lines = []
        while lines.last != "." { lines.append(try await client.line()) }
        #expect(lines == ["Subject: big", "", "..dot first", "."])
        await client.close()
    }
}
