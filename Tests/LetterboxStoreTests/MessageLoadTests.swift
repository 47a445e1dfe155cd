import Foundation
import LetterboxStore
import Synchronization
import Testing

@Suite("Reading a stored message off the event loop")
struct MessageLoadTests {
    /// A body source whose reads block until the test lets them go (or a minute passes).
    final class BlockingSource: MessageBodySource {
        let started = Atomic(0)
        let released = Atomic(false)
        let releasedInTime = Atomic(true)
        let bytes: [UInt8]

        init(bytes: [UInt8]) { self.bytes = bytes }

        func cachedViews(of id: UInt64) -> MessageViews? { nil }

        func views(of id: UInt64, size: Int) throws(StoreError) -> MessageViews {
            started.add(1, ordering: .sequentiallyConsistent)
            let deadline = Date().addingTimeInterval(60)
            while !released.load(ordering: .sequentiallyConsistent) {
                guard Date() < deadline else {
                    releasedInTime.store(false, ordering: .sequentiallyConsistent)
                    break
                }
                usleep(1000)
            }
            return MessageViews(raw: bytes)
        }
    }

    @Test("load() waits for a slow file read without holding a thread of Swift's cooperative pool")
    func slowReadsDoNotHoldTheCooperativePool() async throws {
        let bytes = Array("Subject: slow\r\n\r\nbody\r\n".utf8)
        let source = BlockingSource(bytes: bytes)
        // More readers than the cooperative pool has threads: read on them, they would leave no
        // thread for this test to release them with, and the reads would time out.
        let readers = ProcessInfo.processInfo.activeProcessorCount + 2
        let messages = (1...readers).map {
            Message(
                id: UInt64($0), envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]),
                size: bytes.count, canonicalSize: nil, source: source)
        }
        try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for message in messages { group.addTask { try await message.load().raw } }
            let deadline = Date().addingTimeInterval(60)
            // The store reads on 4 threads of its own; the other readers wait for them.
            while source.started.load(ordering: .sequentiallyConsistent) < min(readers, 4), Date() < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            source.released.store(true, ordering: .sequentiallyConsistent)
            for try await raw in group { #expect(raw == bytes) }
        }
        let releasedInTime = source.releasedInTime.load(ordering: .sequentiallyConsistent)
        #expect(releasedInTime, "a read held a cooperative thread")
    }
}
