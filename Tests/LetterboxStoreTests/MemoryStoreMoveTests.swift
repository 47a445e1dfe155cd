import Foundation
import LetterboxStore
import LetterboxThreads
import Synchronization
import Testing

/// Copies and moves of many messages in a memory store (RENAME INBOX, `UID MOVE 1:*`) cost what
/// the store holds, so they run on an indexing thread, not on the caller's event loop; a few
/// messages are moved at once. The source's members are found by binary search.
@Suite("Moving many messages in a memory store", .serialized)
struct MemoryStoreMoveTests {
    private let envelope = Envelope(sender: "s@example.com", recipients: ["ana@example.com"])

    private func filled(_ count: Int) async throws -> (MemoryStore, [UInt64]) {
        let store = MemoryStore()
        var ids: [UInt64] = []
        for number in 0..<count {
            ids.append(try await store.append(Array("Subject: \(number)\r\n\r\n".utf8), envelope: envelope).id)
        }
        return (store, ids)
    }

    /// Holds both indexing threads until `release` is signalled.
    private func occupyIndexing() -> DispatchSemaphore {
        let release = DispatchSemaphore(value: 0)
        for _ in 0..<2 { BlockingPool.indexing.submit { release.wait() } }
        return release
    }

    @Test("a move of many messages waits for an indexing thread; a move of a few does not")
    func manyGoOffTheCallersThread() async throws {
        let (store, ids) = try await filled(600)
        let release = occupyIndexing()
        let done = Mutex(false)
        let many = Task {
            defer { done.withLock { $0 = true } }
            return try await store.move(ids: Array(ids[100..<400]), to: "Archive")
        }
        // A few move at once, with the indexing threads busy.
        let few = try await store.move(ids: [ids[0], ids[1]], to: "Junk")
        #expect(few.map(\.to) == [1, 2])
        try await Task.sleep(for: .milliseconds(200))
        #expect(!done.withLock { $0 }, "300 messages were moved on the caller's thread")
        release.signal()
        release.signal()
        let moved = try await many.value
        #expect(moved.map(\.id) == Array(ids[100..<400]))
        #expect(moved.map(\.to) == Array(1...300))
        #expect(
            store.snapshot(of: "INBOX", matching: MessageFilter())?.entries.map(\.message.id)
                == Array(ids[2..<100] + ids[400...]))
        #expect(store.snapshot(of: "Archive", matching: MessageFilter())?.entries.map(\.uid) == Array(1...300))
    }

    @Test("moves leave every mailbox's members in UID order with the right messages")
    func membersStayRight() async throws {
        let (store, ids) = try await filled(40)
        // Scattered ones, a run, and a move within the same mailbox.
        _ = try await store.move(ids: [ids[3], ids[7], ids[8], ids[9], ids[30]], to: "Archive")
        _ = try await store.move(ids: [ids[5], ids[6]], to: "INBOX")
        _ = try await store.move(ids: [ids[8]], to: "Archive")
        let inbox = try #require(store.snapshot(of: "INBOX", matching: MessageFilter())?.entries)
        let expected = ids.enumerated().filter { ![3, 5, 6, 7, 8, 9, 30].contains($0.offset) }.map(\.element)
        #expect(inbox.map(\.message.id) == expected + [ids[5], ids[6]])
        #expect(inbox.map(\.uid) == inbox.map(\.uid).sorted())
        let archive = try #require(store.snapshot(of: "Archive", matching: MessageFilter())?.entries)
        #expect(archive.map(\.message.id) == [ids[3], ids[7], ids[9], ids[30], ids[8]])
        #expect(archive.map(\.uid) == [1, 2, 4, 5, 6])
    }
}
