import Foundation
import LetterboxHTTP
import LetterboxStore
import Testing

@Suite("Inspection API: IMAP mailboxes")
struct HTTPMailboxTests {
    let store: MemoryStore
    let router: HTTPRouter

    /// Three captured messages (ids 1–3); 1 moved to Archive, 2 copied to Archive (id 4), and one
    /// message appended to Sent (id 5).
    init() async throws {
        store = try await Fixtures.store()
        router = HTTPRouter(store: store)
        _ = try await store.move(ids: [1], to: "Archive")
        _ = try await store.copy(ids: [2], to: "Archive")
        _ = try await store.append(
            Array("Subject: saved\r\n\r\nx\r\n".utf8), to: "Sent", flags: MessageFlags(), receivedAt: Date())
    }

    private func ids(_ target: String) async throws -> [Int] {
        let response = try await router.get(target)
        #expect(response.status == .ok)
        return try #require(try response.jsonBody() as? [[String: Any]]).compactMap { $0["id"] as? Int }
    }

    @Test("by default the captured messages are listed wherever they are; mailbox= looks into one")
    func defaultAndFilter() async throws {
        #expect(try await ids("/messages.json") == [1, 2, 3])
        #expect(try await ids("/messages.json?mailbox=Archive") == [1, 4])
        #expect(try await ids("/messages.json?mailbox=inbox") == [2, 3])
        #expect(try await ids("/messages.json?mailbox=Sent") == [5])
        #expect(try await ids("/messages.json?mailbox=*") == [1, 2, 3, 4, 5])
        #expect(try await ids("/messages.json?mailbox=Nowhere") == [])
    }

    @Test("the JSON says which mailbox a message is in and whether it was captured")
    func fields() async throws {
        let response = try await router.get("/messages.json?mailbox=*")
        let array = try #require(try response.jsonBody() as? [[String: Any]])
        #expect(array.map { $0["mailbox"] as? String } == ["Archive", "INBOX", "INBOX", "Archive", "Sent"])
        #expect(array.map { $0["captured"] as? Bool } == [true, true, true, false, false])
        let one = try #require(try await router.get("/messages/4.json").jsonBody() as? [String: Any])
        #expect(one["mailbox"] as? String == "Archive")
    }

    @Test("a wait without mailbox= is not satisfied by an appended message")
    func waitIgnoresAppends() async throws {
        let fresh = MemoryStore()
        let router = HTTPRouter(store: fresh)
        _ = try await fresh.append(
            Array("Subject: draft\r\n\r\nx\r\n".utf8), to: "Drafts", flags: MessageFlags(), receivedAt: Date())
        #expect(try await router.get("/messages/wait?timeout=0.1").status == .requestTimeout)
        #expect(try await router.get("/messages/wait?timeout=0.1&mailbox=Drafts").status == .ok)
    }
}
