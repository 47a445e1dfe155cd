import Foundation
import LetterboxIMAP
import LetterboxNet
import TestSupport
import Testing

@testable import LetterboxStore

/// Message bytes that cannot be read until the test opens the gate: a scan that reads them is
/// held in the middle, and where it is held shows where it runs.
private final class GatedSource: MessageBodySource, @unchecked Sendable {
    // @unchecked: `raw` and `gate` are immutable and Sendable.
    let raw: [UInt8]
    let gate = StoreGate(armed: true)

    init(raw: String) { self.raw = Array(raw.utf8) }

    func views(of id: UInt64, size: Int) throws(StoreError) -> MessageViews {
        gate.hold()
        return MessageViews(raw: raw)
    }

    func cachedViews(of id: UInt64) -> MessageViews? { nil }
}

/// SEARCH and SORT that read messages run off the event loop: while one is held reading a
/// message, another session on the same loop is still answered (finding 5 of issue 16).
@Suite(.timeLimit(.minutes(2)))
struct SearchOffTheLoopTests {
    /// A loop no other test uses (its thread lives as long as the process, like every loop).
    static let serverLoop = Result { try EventLoop() }

    @Test(arguments: [
        "SEARCH TEXT needle", "UID SEARCH HEADER Subject needle", "SORT (SUBJECT) UTF-8 ALL",
        "SEARCH RETURN (COUNT) BODY needle",
    ])
    func anotherSessionOnTheSameLoopIsAnsweredWhileAScanReadsMessages(_ command: String) async throws {
        let store = MemoryStore()
        let source = GatedSource(raw: "Subject: a needle\r\n\r\nThe needle.\r\n")
        let message = Message(
            id: store.index.reserveID(), envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]),
            size: source.raw.count, canonicalSize: source.raw.count, source: source)
        store.index.insert(message)
        defer { source.gate.open() }

        let server = IMAPServer(
            configuration: IMAPConfiguration(), store: store, events: ProtocolEvents(logger: .silent, transcript: false)
        )
        // Both sessions are served by one loop of their own (a scan on its thread would hold up
        // both); the clients' ends live on another loop.
        let scanning = try served(by: server, on: Self.serverLoop.get())
        let other = try served(by: server, on: Self.serverLoop.get())
        _ = try await scanning.line()
        _ = try await other.line()
        try await scanning.send("a LOGIN ana pw")
        #expect(try await scanning.line().hasPrefix("a OK"))
        try await scanning.send("b SELECT INBOX")
        while !(try await scanning.line().hasPrefix("b OK")) {}

        try await scanning.send("c \(command)")
        var entered = source.gate.entered.makeAsyncIterator()
        await entered.next()  // the scan is now reading the message, and waits for the gate
        try await other.send("d NOOP")
        #expect(try await other.line() == "d OK NOOP completed", "answered while the scan is still running")
        source.gate.open()
        var lines: [String] = []
        repeat { lines.append(try await scanning.line()) } while lines.last?.hasPrefix("c ") == false
        #expect(lines.last?.hasPrefix("c OK") == true, "\(lines)")
        await scanning.close()
        await other.close()
    }
}
