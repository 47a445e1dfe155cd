import LetterboxStore
import Testing

@Suite("MemoryStore", .timeLimit(.minutes(1)))
struct MemoryStoreTests {
    @Test("append assigns increasing ids and keeps the bytes and envelope; messages are oldest first")
    func appendAndList() async throws {
        let store = MemoryStore()
        let first = try await store.append(mail(subject: "one"), envelope: envelope("a@example.com"))
        let second = try await store.append(mail(subject: "two"), envelope: envelope("b@example.com"))
        let third = try await store.append(mail(subject: "three"), envelope: envelope("c@example.com"))
        #expect(first.id < second.id && second.id < third.id)
        #expect(store.messages().map(\.id) == [first.id, second.id, third.id])
        #expect(store.messages().map(\.subject) == ["one", "two", "three"])
        #expect(store.message(id: second.id)?.raw == mail(subject: "two"))
        #expect(store.message(id: second.id)?.envelope.sender == "b@example.com")
        #expect(store.message(id: 999) == nil)
    }

    @Test("concurrent appends get distinct ids and are all listed in id order")
    func concurrentAppends() async throws {
        let store = MemoryStore()
        let ids = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for index in 0..<100 {
                group.addTask { try await store.append(mail(subject: "m\(index)"), envelope: envelope()).id }
            }
            var ids: [UInt64] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids).count == 100)
        #expect(store.messages().map(\.id) == ids.sorted())
    }

    @Test("remove(ids:) counts only what it removed, and the rest stays in order")
    func remove() async throws {
        let store = MemoryStore()
        var ids: [UInt64] = []
        for index in 0..<4 { ids.append(try await store.append(mail(subject: "\(index)"), envelope: envelope()).id) }
        #expect(store.remove(ids: [ids[1], ids[3], 999]) == 2)
        #expect(store.messages().map(\.id) == [ids[0], ids[2]])
        #expect(store.message(id: ids[1]) == nil)
        #expect(store.remove(ids: [ids[1]]) == 0)
        #expect(store.removeAll() == 2)
        #expect(store.messages().isEmpty)
        // Ids are never reused after removal.
        let next = try await store.append(mail(), envelope: envelope())
        #expect(next.id > ids[3])
    }

    /// messages, bytes, received.
    private func counts(_ store: MemoryStore) -> [Int] {
        let statistics = store.statistics
        return [statistics.messages, statistics.bytes, statistics.received]
    }

    @Test("statistics count messages and bytes stored now, and messages received since start")
    func statistics() async throws {
        let store = MemoryStore()
        #expect(counts(store) == [0, 0, 0])
        let small = try await store.append(Array(repeating: 0x41, count: 10), envelope: envelope())
        _ = try await store.append(Array(repeating: 0x42, count: 20), envelope: envelope())
        #expect(counts(store) == [2, 30, 2])
        store.remove(ids: [small.id])
        #expect(counts(store) == [1, 20, 2])
        store.removeAll()
        #expect(counts(store) == [0, 0, 2])
    }

    @Test("changes() publishes added and removed once each, in order; a removal of nothing publishes nothing")
    func changes() async throws {
        let store = MemoryStore()
        let changes = store.changes()
        let first = try await store.append(mail(), envelope: envelope())
        let second = try await store.append(mail(), envelope: envelope())
        store.remove(ids: [first.id])
        store.remove(ids: [999])
        let third = try await store.append(mail(), envelope: envelope())
        store.removeAll()
        #expect(
            try await firstChanges(5, of: changes) == [
                .added(first.id), .added(second.id), .removed([first.id]), .added(third.id),
                .removed([second.id, third.id]),
            ])
    }

    @Test("every observer gets every change; one that starts later sees only later changes")
    func severalObservers() async throws {
        let store = MemoryStore()
        let early = store.changes()
        let first = try await store.append(mail(), envelope: envelope())
        let late = store.changes()
        let second = try await store.append(mail(), envelope: envelope())
        #expect(try await firstChanges(2, of: early) == [.added(first.id), .added(second.id)])
        #expect(try await firstChanges(1, of: late) == [.added(second.id)])
    }
}
