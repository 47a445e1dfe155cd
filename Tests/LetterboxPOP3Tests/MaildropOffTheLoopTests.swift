import Foundation
import LetterboxNet
import LetterboxPOP3
import TestSupport
import Testing

@testable import LetterboxStore

/// A memory store whose message lists wait for the test to open a gate once it is armed: where
/// such a walk is held shows where it runs.
// @unchecked: `base` and `gate` are Sendable `let`s.
private final class GatedListStore: IndexedStore, @unchecked Sendable {
    let base = MemoryStore()
    let gate = StoreGate()

    var index: MessageIndex { base.index }

    func messages(matching filter: MessageFilter) -> [Message] {
        gate.hold()
        return base.messages(matching: filter)
    }

    func append(_ raw: [UInt8], envelope: Envelope) async throws -> Message {
        try await base.append(raw, envelope: envelope)
    }
    func remove(ids: [UInt64]) -> Int { base.remove(ids: ids) }
    func changeFlags(_ update: FlagUpdate, ids: [UInt64]) -> FlagChangeResult { base.changeFlags(update, ids: ids) }
    var uidValidity: UInt32 { base.uidValidity }
    func createMailbox(_ name: String) throws(MailboxError) -> Mailbox { try base.createMailbox(name) }
    func deleteMailbox(_ name: String) throws(MailboxError) -> Int { try base.deleteMailbox(name) }
    func renameMailbox(_ name: String, to newName: String) throws(MailboxError) {
        try base.renameMailbox(name, to: newName)
    }
    func append(_ raw: [UInt8], to mailbox: String, flags: MessageFlags, receivedAt: Date) async throws
        -> (message: Message, uid: UInt64)
    {
        try await base.append(raw, to: mailbox, flags: flags, receivedAt: receivedAt)
    }
    func copy(ids: [UInt64], to mailbox: String) async throws -> [(source: UInt64, uid: UInt64)] {
        try await base.copy(ids: ids, to: mailbox)
    }
    func move(ids: [UInt64], to mailbox: String) async throws -> [(id: UInt64, from: UInt64, to: UInt64)] {
        try await base.move(ids: ids, to: mailbox)
    }
}

/// Opening the maildrop at login walks every message the login may see, which grows with the
/// store: it runs off the event loop, so while one login's walk is held, another session on the
/// same loop is still answered (issue 16: no work whose cost grows with the store on the loop).
// Serialized: each case holds a thread of the process-wide indexing pool (two threads) at its
// gate; cases side by side would hold them all and stall every other test's SELECT and login.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct MaildropOffTheLoopTests {
    /// A loop no other test uses (its thread lives as long as the process, like every loop).
    static let serverLoop = Result { try EventLoop() }

    @Test(arguments: ["PASS pw", "AUTH PLAIN AGFuYQBwdw=="])
    func anotherSessionOnTheSameLoopIsAnsweredWhileAMaildropOpens(_ login: String) async throws {
        let store = GatedListStore()
        _ = try await store.append(
            Array("Subject: held\r\n\r\nbody\r\n".utf8),
            envelope: Envelope(sender: "s@example.com", recipients: ["ana@example.com"]))
        defer { store.gate.open() }
        let server = POP3Server(
            configuration: POP3Configuration(), store: store, events: ProtocolEvents(logger: .silent, transcript: false)
        )
        let loop = try Self.serverLoop.get()
        let loggingIn = try LineClient(serving: { await server.serve($0) }, on: loop)
        let other = try LineClient(serving: { await server.serve($0) }, on: loop)
        _ = try await loggingIn.line()
        _ = try await other.line()
        try await loggingIn.send("USER ana")
        #expect(try await loggingIn.line() == "+OK send PASS")

        store.gate.arm()
        try await loggingIn.send(login)
        var entered = store.gate.entered.makeAsyncIterator()
        await entered.next()  // the maildrop is being listed, and waits for the gate
        try await other.send("CAPA")
        #expect(try await other.line() == "+OK Capability list follows", "answered while the maildrop is still opening")
        store.gate.open()
        let opened = try await loggingIn.line()
        #expect(opened.hasPrefix("+OK") && opened.hasSuffix("has 1 messages (23 octets)"), "\(opened)")
        try await loggingIn.send("QUIT")
        #expect(try await loggingIn.line().hasPrefix("+OK"))
        await loggingIn.close()
        await other.close()
    }
}

/// A client connection whose other end `serve` drives on `loop`; lines out, lines in.
struct LineClient {
    /// How long a read waits for the server: long enough that only the answer ends it. On CI's
    /// loaded 2-core machine a task (the session serving it is one) has waited more than 10 s to
    /// run, within reach of the 30 s this was.
    static let idleTimeout = Duration.seconds(120)

    let connection: Connection

    init(serving serve: @escaping @Sendable (Connection) async -> Void, on loop: EventLoop) throws {
        let pair = try SocketPair()
        let serverFD = pair.left
        Task(executorPreference: loop) {
            guard let connection = try? Connection(fd: serverFD, loop: loop, idleTimeout: .seconds(60)) else { return }
            await serve(connection)
            await connection.close()
        }
        let clientLoop = try EventLoopGroup.shared.get().next()
        connection = try Connection(fd: pair.right, loop: clientLoop, idleTimeout: Self.idleTimeout)
    }

    func send(_ line: String) async throws {
        connection.write(line + "\r\n")
        try await connection.flush()
    }

    func line() async throws -> String {
        String(decoding: try await connection.readLine(maxLength: 1 << 20), as: UTF8.self)
    }

    func close() async { await connection.close() }
}
