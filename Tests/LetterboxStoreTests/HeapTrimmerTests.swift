import LetterboxStore
import Synchronization
import Testing

/// Freed mail gives its memory back: a bulk removal schedules one heap trim, off the caller.
@Suite struct HeapTrimmerTests {
    /// A trimmer that counts its trims instead of trimming.
    private static func countingTrimmer(threshold: Int) -> (HeapTrimmer, Atomic<Int>.Handle) {
        let handle = Atomic<Int>.Handle()
        return (HeapTrimmer(threshold: threshold, delay: .milliseconds(10), trim: { handle.increment() }), handle)
    }

    private static func waitFor(_ condition: () -> Bool) async throws {
        for _ in 0..<1000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func aBulkDeleteTrimsTheHeapOnce() async throws {
        let (trimmer, trims) = Self.countingTrimmer(threshold: 1 << 20)
        let store = MemoryStore(retention: .unlimited, trimmer: trimmer)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 10 << 10)
        for _ in 0..<200 {
            _ = try await store.append(body, envelope: Envelope(sender: "a@example.com", recipients: []))
        }
        #expect(trimmer.trims == 0)
        #expect(store.removeAll() == 200)
        try await Self.waitFor { trimmer.trims == 1 }
        #expect(trimmer.trims == 1)
        #expect(trims.value == 1)
    }

    @Test func retentionThatRemovesEnoughTrimsToo() async throws {
        let (trimmer, _) = Self.countingTrimmer(threshold: 1 << 20)
        let store = MemoryStore(retention: RetentionPolicy(maxMessages: 10), trimmer: trimmer)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 10 << 10)
        for _ in 0..<300 {
            _ = try await store.append(body, envelope: Envelope(sender: "a@example.com", recipients: []))
        }
        try await Self.waitFor { trimmer.trims >= 1 }
        #expect(trimmer.trims >= 1)
    }

    @Test func removalsBelowTheThresholdDoNotTrimUntilTheyAddUp() async throws {
        let (trimmer, _) = Self.countingTrimmer(threshold: 100 << 10)
        trimmer.noteFreed(bytes: 60 << 10)
        // Nothing is pending yet, so nothing can have run.
        #expect(trimmer.trims == 0)
        trimmer.noteFreed(bytes: 60 << 10)
        try await Self.waitFor { trimmer.trims == 1 }
        #expect(trimmer.trims == 1)
    }
}

extension Atomic where Value == Int {
    /// A shareable counter.
    final class Handle: Sendable {
        private let atomic = Atomic<Int>(0)
        func increment() { atomic.add(1, ordering: .relaxed) }
        var value: Int { atomic.load(ordering: .relaxed) }
    }
}
