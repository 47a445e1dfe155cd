import Foundation
import LetterboxStore
import LetterboxThreads
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The envelope log's group commit: concurrent deliveries share one sync, and none is acknowledged
/// before a sync that covers its record has finished.
@Suite("GroupCommit", .timeLimit(.minutes(1)))
struct GroupCommitTests {
    /// What the injected sync saw: records written so far, and the highest count a finished sync covered.
    final class Journal: Sendable {
        let written = Atomic<Int>(0)
        let tickets = Atomic<Int>(0)
        let covered = Atomic<Int>(0)
        let syncs = Atomic<Int>(0)
    }

    @Test(
        "16 concurrent deliveries share the syncs, and each returns only after a sync that covered its record",
        arguments: [false, true])
    func concurrentDeliveriesShareSyncs(startingSyncAtEnter: Bool) async throws {
        let journal = Journal()
        let threads = 16
        let commits = GroupCommit {
            // What this sync covers: every record written before it started.
            let covers = journal.written.load(ordering: .sequentiallyConsistent)
            if journal.syncs.add(1, ordering: .sequentiallyConsistent).oldValue == 0 {
                // Hold the first sync until every thread has its ticket, so the others queue
                // behind it (bounded: the test still ends if a thread never gets there).
                let deadline = Date().addingTimeInterval(30)
                while journal.tickets.load(ordering: .sequentiallyConsistent) < threads, Date() < deadline {
                    usleep(1000)
                }
            }
            var current = journal.covered.load(ordering: .sequentiallyConsistent)
            while current < covers {
                let (exchanged, original) = journal.covered.compareExchange(
                    expected: current, desired: covers, ordering: .sequentiallyConsistent)
                if exchanged { break }
                current = original
            }
        }
        let failures = Mutex<[String]>([])
        try await onThreads(threads) { thread in
            // The record first, then the ticket, as MaildirStore does (append and rename, then enter).
            let record = journal.written.add(1, ordering: .sequentiallyConsistent).newValue
            let ticket = startingSyncAtEnter ? commits.enter(startingSyncOn: .shared) : commits.enter()
            journal.tickets.add(1, ordering: .sequentiallyConsistent)
            do throws(StoreError) {
                try commits.wait(for: ticket)
                let covered = journal.covered.load(ordering: .sequentiallyConsistent)
                if covered < record {
                    failures.withLock {
                        $0.append("thread \(thread): record \(record) acknowledged, sync covered \(covered)")
                    }
                }
            } catch {
                failures.withLock { $0.append("thread \(thread): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(journal.covered.load(ordering: .sequentiallyConsistent) == threads)
        // The first sync covered at least its leader; the second everyone queued behind it.
        #expect(commits.syncCount <= 2, "\(commits.syncCount) syncs for \(threads) deliveries")
        #expect(commits.syncCount == journal.syncs.load(ordering: .sequentiallyConsistent))
    }

    @Test("a lone delivery syncs at once: no waiting to gather a batch")
    func loneDeliverySyncsAtOnce() throws {
        let syncs = Atomic<Int>(0)
        let commits = GroupCommit { syncs.add(1, ordering: .relaxed) }
        try commits.wait(for: commits.enter())
        #expect(syncs.load(ordering: .relaxed) == 1)
        try commits.wait(for: commits.enter())
        #expect(syncs.load(ordering: .relaxed) == 2)
    }

    @Test(
        "a ticket taken with enter(startingSyncOn:) starts its sync at once, before the caller waits, so the caller's own flush overlaps it"
    )
    func syncStartsAtEnter() async throws {
        let syncs = Atomic<Int>(0)
        let commits = GroupCommit { syncs.add(1, ordering: .sequentiallyConsistent) }
        let ticket = commits.enter(startingSyncOn: .shared)
        let deadline = ContinuousClock.now + .seconds(30)
        while syncs.load(ordering: .sequentiallyConsistent) == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(syncs.load(ordering: .sequentiallyConsistent) == 1)
        try commits.wait(for: ticket)
        // The wait found its ticket covered: no sync of its own.
        #expect(commits.syncCount == 1)
    }

    @Test("a failed sync fails every delivery it covered, even after a later sync succeeds", arguments: [false, true])
    func failedSyncFailsItsDeliveries(startingSyncAtEnter: Bool) throws {
        let failing = Atomic<Bool>(true)
        let error = StoreError.system("fdatasync", path: "/log", errno: EIO)
        let commits = GroupCommit { () throws(StoreError) in
            if failing.load(ordering: .relaxed) { throw error }
        }
        let enter = { startingSyncAtEnter ? commits.enter(startingSyncOn: .shared) : commits.enter() }
        let first = enter()
        let second = enter()
        #expect(throws: error) { try commits.wait(for: first) }
        // The same sync covered the second ticket (or, started at enter, a second failing one).
        #expect(throws: error) { try commits.wait(for: second) }
        if !startingSyncAtEnter { #expect(commits.syncCount == 1) }

        failing.store(false, ordering: .relaxed)
        let third = enter()
        try commits.wait(for: third)
        // fsync after a failed fsync may report success for pages the kernel dropped.
        #expect(throws: error) { try commits.wait(for: first) }
    }

    @Test("exclusive work waits for a running sync and holds the next one back", arguments: [false, true])
    func exclusiveWorkDoesNotOverlapASync(startingSyncAtEnter: Bool) async throws {
        let inside = Atomic<Int>(0)
        let overlaps = Atomic<Int>(0)
        @Sendable func enterAndLeave() {
            if inside.add(1, ordering: .sequentiallyConsistent).newValue > 1 {
                overlaps.add(1, ordering: .sequentiallyConsistent)
            }
            usleep(200)
            inside.subtract(1, ordering: .sequentiallyConsistent)
        }
        let commits = GroupCommit { enterAndLeave() }
        try await onThreads(8) { thread in
            for _ in 0..<50 {
                if thread == 0 {
                    try? commits.exclusively { () throws(StoreError) in enterAndLeave() }
                } else {
                    try? commits.wait(
                        for: startingSyncAtEnter ? commits.enter(startingSyncOn: .shared) : commits.enter())
                }
            }
        }
        #expect(overlaps.load(ordering: .sequentiallyConsistent) == 0)
    }
}
