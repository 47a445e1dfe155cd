import Foundation
import LetterboxIMAP
import LetterboxNet
import TestSupport
import Testing

@testable import LetterboxStore

/// A store whose mailbox snapshots wait for the test to open a gate once it is armed: where such
/// a walk of every message is held shows where it runs.
// @unchecked: as its superclass; the gate is Sendable.
private final class GatedSnapshotStore: ForwardingStore, @unchecked Sendable {
    let gate = StoreGate()

    override func snapshot(of mailbox: String, matching filter: MessageFilter) -> StoreSnapshot? {
        gate.hold()
        return super.snapshot(of: mailbox, matching: filter)
    }

    func deliver(_ subject: String) async throws {
        _ = try await append(
            Array("Subject: \(subject)\r\n\r\nbody\r\n".utf8),
            envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]))
    }
}

/// SELECT, EXAMINE, STATUS, LIST-STATUS and bringing the selected mailbox up to date after a
/// change (before or after a command, and in IDLE) walk every message of a mailbox, which grows
/// with the store: they run off the event loop, so while one is held, another session on the
/// same loop is still answered, and the held command ends with the response it would have had
/// (issue 16: no work whose cost grows with the store on the loop).
// Serialized: each case holds a thread of the process-wide indexing pool (two threads) at its
// gate; cases side by side would hold them all and stall every other test's SELECT and login.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SnapshotsOffTheLoopTests {
    /// A loop no other test uses (its thread lives as long as the process, like every loop).
    static let serverLoop = Result { try EventLoop() }

    /// Sessions on one loop of their own, the first logged in (and with `select`, INBOX selected).
    private func sessions(_ store: GatedSnapshotStore, select: Bool) async throws -> (SameLoopClient, SameLoopClient) {
        let server = IMAPServer(
            configuration: IMAPConfiguration(), store: store, events: ProtocolEvents(logger: .silent, transcript: false)
        )
        let held = try served(by: server, on: Self.serverLoop.get())
        let other = try served(by: server, on: Self.serverLoop.get())
        _ = try await held.line()
        _ = try await other.line()
        try await held.send("a LOGIN ana pw")
        _ = try await held.response(tag: "a")
        if select {
            try await held.send("b SELECT INBOX")
            _ = try await held.response(tag: "b")
        }
        return (held, other)
    }

    /// Waits until the store is held in a snapshot, then checks the other session is answered.
    private func otherIsAnswered(_ store: GatedSnapshotStore, _ other: SameLoopClient) async throws {
        var entered = store.gate.entered.makeAsyncIterator()
        await entered.next()  // the walk is now held, and waits for the gate
        try await other.send("d NOOP")
        #expect(try await other.line() == "d OK NOOP completed", "answered while the walk is still held")
    }

    @Test(arguments: [
        ("SELECT INBOX", "* 1 EXISTS"), ("EXAMINE INBOX", "* 1 EXISTS"),
        ("STATUS INBOX (MESSAGES UNSEEN)", "* STATUS INBOX (MESSAGES 1 UNSEEN 1)"),
        ("LIST \"\" \"INBOX\" RETURN (STATUS (MESSAGES))", "* STATUS INBOX (MESSAGES 1)"),
    ])
    func aMailboxWalkDoesNotHoldTheLoop(_ command: String, _ expected: String) async throws {
        let store = GatedSnapshotStore()
        try await store.deliver("one")
        defer { store.gate.open() }
        let (held, other) = try await sessions(store, select: false)

        store.gate.arm()
        try await held.send("c \(command)")
        try await otherIsAnswered(store, other)
        store.gate.open()
        let lines = try await held.response(tag: "c")
        #expect(lines.last?.hasPrefix("c OK") == true, "\(lines)")
        #expect(lines.contains(expected), "\(lines)")
        await held.close()
        await other.close()
    }

    @Test(arguments: ["NOOP", "UID FETCH 1:* (FLAGS)"])
    func bringingTheSelectedMailboxUpToDateDoesNotHoldTheLoop(_ command: String) async throws {
        let store = GatedSnapshotStore()
        try await store.deliver("one")
        defer { store.gate.open() }
        let (held, other) = try await sessions(store, select: true)

        try await store.deliver("two")
        store.gate.arm()
        try await held.send("c \(command)")
        try await otherIsAnswered(store, other)
        store.gate.open()
        let lines = try await held.response(tag: "c")
        #expect(lines.last?.hasPrefix("c OK") == true, "\(lines)")
        #expect(lines.contains("* 2 EXISTS"), "\(lines)")
        await held.close()
        await other.close()
    }

    @Test func anUpdateDuringIdleDoesNotHoldTheLoop() async throws {
        let store = GatedSnapshotStore()
        try await store.deliver("one")
        defer { store.gate.open() }
        let (held, other) = try await sessions(store, select: true)
        try await held.send("c IDLE")
        #expect(try await held.line() == "+ idling")

        store.gate.arm()
        try await store.deliver("two")
        try await otherIsAnswered(store, other)
        store.gate.open()
        #expect(try await held.line() == "* 2 EXISTS")
        try await held.send("DONE")
        let lines = try await held.response(tag: "c")
        #expect(lines.last == "c OK IDLE terminated", "\(lines)")
        await held.close()
        await other.close()
    }
}
