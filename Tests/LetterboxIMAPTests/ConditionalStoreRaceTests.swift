import Foundation
import LetterboxIMAP
import Synchronization
import Testing

@testable import LetterboxStore

/// A store whose changes happen on the store's threads, as a Maildir's do, and whose first flag
/// change once armed waits there until the test lets it go: the moment another session can act.
// @unchecked: the semaphore, the atomics and the stream continuation are thread-safe.
private final class PausingStore: ForwardingStore, FileBackedStore, @unchecked Sendable {
    private let resume = DispatchSemaphore(value: 0)
    private let armed = Atomic(false)
    private let pausedContinuation: AsyncStream<Void>.Continuation
    let paused: AsyncStream<Void>

    override init() {
        (paused, pausedContinuation) = AsyncStream.makeStream()
        super.init()
    }

    func pauseNextChange() { armed.store(true, ordering: .sequentiallyConsistent) }
    func letGo() { resume.signal() }

    private func pauseIfArmed() {
        guard armed.exchange(false, ordering: .sequentiallyConsistent) else { return }
        pausedContinuation.yield()
        // Generous: only reached when the test failed before letting it go.
        _ = resume.wait(timeout: .now() + 60)
    }

    override func changeFlags(_ update: FlagUpdate, ids: [UInt64]) -> FlagChangeResult {
        pauseIfArmed()
        return super.changeFlags(update, ids: ids)
    }

    override func changeFlags(_ update: FlagUpdate, ids: [UInt64], unchangedSince: UInt64) -> FlagChangeResult {
        pauseIfArmed()
        return super.changeFlags(update, ids: ids, unchangedSince: unchangedSince)
    }
}

/// STORE (UNCHANGEDSINCE m) from two sessions at once (RFC 7162 §3.1.3): the check of the
/// mod-sequence and the change are one step, so of two sessions that both saw `m`, the one whose
/// change lands second is told MODIFIED and changes nothing, even when the first one's change
/// was under way on the store's threads while the second one checked.
@Suite(.timeLimit(.minutes(2)))
struct ConditionalStoreRaceTests {
    @Test func theSecondOfTwoConditionalStoresIsModified() async throws {
        let store = PausingStore()
        _ = try await store.append(
            Array("Subject: contested\r\n\r\nbody\r\n".utf8),
            envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]))
        var (first, second) = (IMAPExpungedMessageTests.Session(store), IMAPExpungedMessageTests.Session(store))
        var seen: [String] = []
        for index in 0..<2 {
            var session = index == 0 ? first : second
            _ = await session.send("a LOGIN x y")
            _ = await session.send("b SELECT INBOX")
            seen.append(contentsOf: await session.send("c FETCH 1 (MODSEQ)").filter { $0.hasPrefix("* 1 FETCH") })
            if index == 0 { first = session } else { second = session }
        }
        #expect(seen.count == 2 && seen[0] == seen[1], "both sessions saw the same mod-sequence: \(seen)")
        let modSeq = try #require(store.modSeq(of: 1))

        store.pauseNextChange()
        let firstStore = Task { [first] in
            var session = first
            return await session.send("d STORE 1 (UNCHANGEDSINCE \(modSeq)) +FLAGS (\\Flagged)")
        }
        var paused = store.paused.makeAsyncIterator()
        await paused.next()  // the first STORE is on the store's threads, not yet changed
        let secondLines = await second.send("d STORE 1 (UNCHANGEDSINCE \(modSeq)) +FLAGS (\\Answered)")
        #expect(secondLines.last == "d OK STORE completed", "\(secondLines)")
        store.letGo()
        let firstLines = await firstStore.value
        #expect(firstLines.last?.hasPrefix("d OK [MODIFIED 1]") == true, "the first STORE lost the race: \(firstLines)")
        #expect(store.flags(of: 1).sorted == ["\\Answered"], "only the winner's change landed")
    }
}
