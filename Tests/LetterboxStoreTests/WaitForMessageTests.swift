import LetterboxStore
import TestSupport
import Testing

@Suite("MemoryStore.waitForMessage", .timeLimit(.minutes(1)))
struct WaitForMessageTests {
    @Test("a message stored before the wait began is returned at once, the oldest match first")
    func alreadyStored() async throws {
        let store = MemoryStore()
        _ = try await store.append(
            mail(to: "bob@example.com"), envelope: envelope("s@example.com", ["bob@example.com"]))
        let match = try await store.append(mail(subject: "first"), envelope: envelope())
        _ = try await store.append(mail(subject: "second"), envelope: envelope())
        // The long timeout would make the test hang if the stored message were not found.
        let found = try await finishing("wait for a stored message") {
            await store.waitForMessage(matching: MessageFilter(to: "ana@"), timeout: .seconds(60))
        }
        #expect(found?.id == match.id)
    }

    @Test(
        "a wait whose timeout passes before its scan still answers for the stored messages (timeout 0: is one here now?)"
    )
    func zeroTimeoutFindsStored() async throws {
        let store = MemoryStore()
        _ = try await store.append(mail(subject: "first"), envelope: envelope())
        let match = try await store.append(mail(subject: "second"), envelope: envelope())
        // Before the fix the timer often ended the wait before its scan ran, or while it ran:
        // `GET /messages/wait?since=1&timeout=0` answered 408 in 6 of 20 runs of a test.
        for round in 0..<200 {
            let found = await store.waitForMessage(matching: MessageFilter(subject: "second"), timeout: .zero)
            #expect(found?.id == match.id, "round \(round)")
        }
        // More waits at once than scans may run (the rest queue for theirs): each still scans.
        let founds = await withTaskGroup(of: Message?.self) { group in
            for _ in 0..<(4 * MessageIndex.maxConcurrentWaitScans + 3) {
                group.addTask { await store.waitForMessage(matching: MessageFilter(subject: "second"), timeout: .zero) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(founds.allSatisfy { $0?.id == match.id })
        #expect(await store.waitForMessage(matching: MessageFilter(subject: "third"), timeout: .zero) == nil)
    }

    @Test("a wait is woken by a later matching append, not by other messages")
    func wokenByAppend() async throws {
        let store = MemoryStore()
        let waiter = Task {
            await store.waitForMessage(matching: MessageFilter(to: "late@example.com"), timeout: .seconds(60))
        }
        // Only orders the append after the wait has probably begun; the result is the same either way.
        try await Task.sleep(for: .milliseconds(50))
        _ = try await store.append(mail(), envelope: envelope("s@example.com", ["other@example.com"]))
        let expected = try await store.append(mail(), envelope: envelope("s@example.com", ["late@example.com"]))
        let found = try await finishing("wait woken by append") { await waiter.value }
        #expect(found?.id == expected.id)
    }

    @Test("a wait with nothing matching returns nil when its timeout passes")
    func timesOut() async throws {
        let store = MemoryStore()
        _ = try await store.append(mail(), envelope: envelope())
        let found = try await finishing("wait with a 0.1 s timeout") {
            await store.waitForMessage(matching: MessageFilter(to: "nobody@example.com"), timeout: .milliseconds(100))
        }
        #expect(found == nil)
        // A message arriving after the timeout does not disturb the finished wait.
        _ = try await store.append(mail(), envelope: envelope("s@example.com", ["nobody@example.com"]))
    }

    @Test("cancelling the waiting task ends the wait with nil, long before its timeout")
    func cancelled() async throws {
        let store = MemoryStore()
        let waiter = Task {
            await store.waitForMessage(matching: MessageFilter(subject: "never"), timeout: .seconds(3600))
        }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        let found = try await finishing("cancelled wait") { await waiter.value }
        #expect(found == nil)
    }

    @Test("a wait in an already cancelled task returns nil instead of waiting")
    func cancelledBeforeWaiting() async throws {
        let store = MemoryStore()
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await store.waitForMessage(matching: MessageFilter(subject: "never"), timeout: .seconds(3600))
        }
        let found = try await finishing("wait in a cancelled task") { await waiter.value }
        #expect(found == nil)
    }

    @Test("many concurrent waiters with different filters each get their own message")
    func manyWaiters() async throws {
        let store = MemoryStore()
        let count = 50
        let results = try await withThrowingTaskGroup(of: (Int, Message?).self) { group in
            for index in 0..<count {
                group.addTask {
                    let filter = MessageFilter(to: "user\(index)@example.com")
                    return (index, await store.waitForMessage(matching: filter, timeout: .seconds(60)))
                }
            }
            // Some waiters may start after their message arrived: both cases must find it.
            group.addTask {
                try await Task.sleep(for: .milliseconds(20))
                for index in (0..<count).reversed() {
                    _ = try await store.append(
                        mail(to: "user\(index)@example.com", subject: "for \(index)"),
                        envelope: envelope("s@example.com", ["user\(index)@example.com"]))
                }
                return (-1, nil)
            }
            var results: [Int: Message?] = [:]
            for try await (index, message) in group where index >= 0 { results[index] = message }
            return results
        }
        #expect(results.count == count)
        for index in 0..<count {
            #expect(results[index]??.subject == "for \(index)")
        }
    }

    @Test("sinceID lets a waiter ignore messages it has already seen")
    func sinceID() async throws {
        let store = MemoryStore()
        let old = try await store.append(mail(), envelope: envelope())
        let waiter = Task {
            await store.waitForMessage(matching: MessageFilter(to: "ana@", sinceID: old.id), timeout: .seconds(60))
        }
        try await Task.sleep(for: .milliseconds(20))
        let new = try await store.append(mail(), envelope: envelope())
        let found = try await finishing("wait with sinceID") { await waiter.value }
        #expect(found?.id == new.id)
    }
}
