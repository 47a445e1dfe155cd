import Foundation
import LetterboxThreads
import Synchronization
import TestSupport
import Testing

@testable import LetterboxStore

/// How often waits scan the stored messages (issue #16: abandoned long polls queued full scans
/// ahead of well-behaved reads). A wait scans the store at most once, and not at all when its
/// client left before the scan could start; after that it checks only arrivals.
@Suite("Wait scans", .timeLimit(.minutes(1)))
struct WaitScanTests {
    /// An index of `count` captured messages whose waits match on a private one-thread pool.
    private func index(holding count: Int, pool: BlockingPool) -> MessageIndex {
        let index = MessageIndex(waitPool: pool)
        for _ in 0..<count {
            index.insert(Message(id: index.reserveID(), raw: mail(subject: "stored"), envelope: envelope()))
        }
        return index
    }

    /// Holds the pool's only thread until ``release()``.
    private final class Gate: Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        func hold(_ pool: BlockingPool) { pool.submit { [semaphore] in semaphore.wait() } }
        func release() { semaphore.signal() }
    }

    /// Returns once every job submitted to `pool` before the call has finished (it has one thread).
    private func drain(_ pool: BlockingPool) async {
        await pool.perform {}
    }

    private func eventually(_ what: String, _ condition: @escaping @Sendable () -> Bool) async throws {
        try await finishing(what) {
            while !condition() { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    @Test("waits whose clients left before their scan could start never scan the store")
    func abandonedWaitsDoNotScan() async throws {
        let pool = BlockingPool(maxThreads: 1)
        let index = index(holding: 200, pool: pool)
        let gate = Gate()
        gate.hold(pool)
        let abandoned = (0..<20).map { _ in
            Task {
                await index.waitForMessages(MessageWait(MessageFilter(to: "nobody@example.com"), timeout: .seconds(60)))
            }
        }
        try await eventually("20 waits registered") { index.waiterCount == 20 }
        for wait in abandoned { wait.cancel() }
        for wait in abandoned { #expect(await wait.value.isEmpty) }
        #expect(index.waiterCount == 0)
        gate.release()
        await drain(pool)
        #expect(index.waitScans == 0)
    }

    @Test("after its one scan a wait checks only arrivals, and the matching arrival wakes it")
    func arrivalsAreCheckedWithoutRescanning() async throws {
        let pool = BlockingPool(maxThreads: 1)
        let index = index(holding: 50, pool: pool)
        let wait = Task {
            await index.waitForMessages(MessageWait(MessageFilter(to: "late@example.com"), timeout: .seconds(60)))
        }
        try await eventually("the wait scanned the store") { index.waitScans == 1 }
        for _ in 0..<5 {
            index.insert(Message(id: index.reserveID(), raw: mail(subject: "other"), envelope: envelope()))
        }
        let late = Message(
            id: index.reserveID(), raw: mail(to: "late@example.com", subject: "late"),
            envelope: envelope("s@example.com", ["late@example.com"]))
        index.insert(late)
        let found = try await finishing("the wait woken by its arrival") { await wait.value }
        #expect(found.map(\.id) == [late.id])
        #expect(index.waitScans == 1)
    }

    @Test("no more than two waits scan the store at once; the others queue and scan in turn")
    func scansAreBounded() async throws {
        let pool = BlockingPool(maxThreads: 1)
        let index = index(holding: 100, pool: pool)
        let gate = Gate()
        gate.hold(pool)
        let waits = (0..<6).map { number in
            Task {
                await index.waitForMessages(
                    MessageWait(MessageFilter(to: "nobody\(number)@example.com"), timeout: .seconds(60)))
            }
        }
        try await eventually("6 waits registered") { index.waiterCount == 6 }
        #expect(index.waitScansInFlight == MessageIndex.maxConcurrentWaitScans)
        gate.release()
        // Each scan frees its place when it ends, letting the next queued one start.
        try await eventually("every wait scanned once") { index.waitScans == 6 && index.waitScansInFlight == 0 }
        for wait in waits { wait.cancel() }
        for wait in waits { #expect(await wait.value.isEmpty) }
    }

    @Test("a scan running when its client leaves stops at the next slice instead of matching every message")
    func runningScanStops() async throws {
        let pool = BlockingPool(maxThreads: 1)
        let index = index(holding: 1000, pool: pool)
        let checked = Mutex(0)
        let started = DispatchSemaphore(value: 0)
        let resume = DispatchSemaphore(value: 0)
        let predicate: @Sendable (Message) -> Bool = { _ in
            let first = checked.withLock { count in
                count += 1
                return count == 1
            }
            if first {
                started.signal()
                resume.wait()
            }
            return false
        }
        let wait = Task { await index.waitForMessages(MessageWait(timeout: .seconds(60), where: predicate)) }
        try await onOwnThread { started.wait() }
        wait.cancel()
        #expect(await wait.value.isEmpty)
        resume.signal()
        await drain(pool)
        #expect(checked.withLock { $0 } <= MessageIndex.scanSlice)
    }
}
