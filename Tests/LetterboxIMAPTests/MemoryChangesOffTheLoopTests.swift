import LetterboxNet
import Synchronization
import TestSupport
import Testing

@testable import LetterboxStore

/// A memory store that notes the threads its flag changes and removals run on.
// @unchecked: as its superclass; the threads are behind a Mutex.
private final class RecordingStore: ForwardingStore, @unchecked Sendable {
    private let calls = Mutex<[UInt]>([])
    var threads: [UInt] { calls.withLock { $0 } }

    override func changeFlags(_ update: FlagUpdate, ids: [UInt64]) -> FlagChangeResult {
        calls.withLock { $0.append(currentThreadNumber()) }
        return super.changeFlags(update, ids: ids)
    }

    override func changeFlags(_ update: FlagUpdate, ids: [UInt64], unchangedSince: UInt64) -> FlagChangeResult {
        calls.withLock { $0.append(currentThreadNumber()) }
        return super.changeFlags(update, ids: ids, unchangedSince: unchangedSince)
    }

    override func removeEach(ids: [UInt64]) -> RemovalResult {
        calls.withLock { $0.append(currentThreadNumber()) }
        return super.removeEach(ids: ids)
    }

    override func deleteMailbox(_ name: String) throws(MailboxError) -> Int {
        calls.withLock { $0.append(currentThreadNumber()) }
        return try super.deleteMailbox(name)
    }

    override func renameMailbox(_ name: String, to newName: String) throws(MailboxError) {
        calls.withLock { $0.append(currentThreadNumber()) }
        try super.renameMailbox(name, to: newName)
    }
}

/// A store that only changes memory changes a few messages at once, but `STORE 1:*`, EXPUNGE or a
/// POP3 QUIT over many (a pass over each id, and a sort of them for the observers) on an indexing
/// thread, not on the caller's event loop; the results are those of the direct calls.
@Suite(.timeLimit(.minutes(2)))
struct MemoryChangesOffTheLoopTests {
    /// A loop no other test uses (its thread lives as long as the process, like every loop).
    static let loop = Result { try EventLoop() }

    fileprivate static func store(holding count: Int) async throws -> RecordingStore {
        let store = RecordingStore()
        for number in 0..<count {
            _ = try await store.append(
                Array("Subject: \(number)\r\n\r\nbody\r\n".utf8),
                envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]))
        }
        return store
    }

    /// DELETE and RENAME relabel or remove every message of a mailbox (a Maildir unlinks or moves
    /// its files): never on the loop, and errors come back as the direct calls throw them.
    @Test func deletingAndRenamingAMailboxLeaveTheLoop() async throws {
        let store = try await Self.store(holding: 0)
        _ = try store.createMailbox("Old")
        let message = try await store.append(Array("a\r\n".utf8), envelope: Envelope(sender: "", recipients: []))
        _ = try await store.copy(ids: [message.id], to: "Old")
        let (refusal, removed, loopThread) = try await Task(executorPreference: Self.loop.get()) {
            try await store.renameMailboxOffTheLoop("Old", to: "New")
            var refusal: MailboxError?
            do throws(MailboxError) { try await store.deleteMailboxOffTheLoop("INBOX") } catch { refusal = error }
            return (refusal, try await store.deleteMailboxOffTheLoop("New"), currentThreadNumber())
        }.value
        #expect(removed == 1)
        #expect(refusal?.code == "CANNOT", "\(String(describing: refusal))")
        #expect(store.mailbox(named: "New") == nil && store.mailbox(named: "Old") == nil)
        #expect(store.threads.count == 3)
        #expect(!store.threads.contains(loopThread), "a mailbox changed on the event loop's thread")
    }

    @Test(arguments: [3, 300])
    func changesOfManyMessagesLeaveTheLoop(_ count: Int) async throws {
        let store = try await Self.store(holding: count)
        let ids = store.messages().map(\.id)
        let seen = FlagUpdate.add(MessageFlags([MessageFlags.seen]))
        let (changed, conditional, removed, loopThread) = try await Task(executorPreference: Self.loop.get()) {
            let changed = await store.changeFlagsOffTheLoop(seen, ids: ids)
            let conditional = await store.changeFlagsOffTheLoop(
                .add(MessageFlags([MessageFlags.flagged])), ids: ids, unchangedSince: UInt64.max)
            let removed = await store.removeEachOffTheLoop(ids: ids + [UInt64(count + 100)])
            return (changed, conditional, removed, currentThreadNumber())
        }.value
        #expect(changed.changed.count == count)
        #expect(changed.changed.values.allSatisfy { $0.contains(MessageFlags.seen) })
        #expect(conditional.changed.count == count && conditional.modified.isEmpty)
        #expect(removed.removed.sorted() == ids && removed.kept.isEmpty)
        #expect(store.messages().isEmpty)
        #expect(store.threads.count == 3)
        if count > 256 {
            #expect(!store.threads.contains(loopThread), "changed on the event loop's thread")
        } else {
            #expect(store.threads.allSatisfy { $0 == loopThread }, "a few are changed at once, without a hop")
        }
    }
}
