import LetterboxNet
import LetterboxPOP3
import LetterboxStore
import Testing

/// LIST and UIDL without an argument are made line by line as they are sent, in slices with
/// turns of the event loop between them (issue 16): over more lines than one slice, with
/// messages marked deleted, the listing is whole, in order, and ends with the terminating dot.
@Suite(.timeLimit(.minutes(2)))
struct POP3ListingTests {
    @Test func aListingOfMoreThanOneSliceIsWholeAndSkipsDeletedMessages() async throws {
        let store = MemoryStore()
        let count = 1_300
        var ids: [UInt64] = []
        for number in 1...count {
            let message = try await store.append(
                Array("Subject: m\(number)\r\n\r\nbody\r\n".utf8),
                envelope: Envelope(sender: "s@example.com", recipients: ["ana@example.com"]))
            ids.append(message.id)
        }
        let server = POP3Server(
            configuration: POP3Configuration(), store: store, events: ProtocolEvents(logger: .silent, transcript: false)
        )
        let client = try LineClient(serving: { await server.serve($0) }, on: try EventLoopGroup.shared.get().next())
        _ = try await client.line()
        try await client.send("USER ana")
        _ = try await client.line()
        try await client.send("PASS pw")
        _ = try await client.line()
        for number in [2, 700] {
            try await client.send("DELE \(number)")
            _ = try await client.line()
        }
        let live = (1...count).filter { ![2, 700].contains($0) }
        let size = store.message(id: ids[0])?.canonicalSize ?? 0

        try await client.send("STAT")
        let stat = try await client.line()
        #expect(stat.hasPrefix("+OK \(live.count) "), "\(stat)")
        try await client.send("LIST")
        #expect(try await client.line().hasPrefix("+OK \(live.count) messages"))
        var listed: [String] = []
        while case let line = try await client.line(), line != "." { listed.append(line) }
        #expect(listed.count == live.count)
        #expect(listed.first == "1 \(size)")
        #expect(listed.map { Int($0.split(separator: " ")[0]) ?? 0 } == live)

        try await client.send("UIDL")
        #expect(try await client.line() == "+OK unique-id listing follows")
        var uids: [String] = []
        while case let line = try await client.line(), line != "." { uids.append(line) }
        #expect(uids == live.map { "\($0) \(store.uidValidity)-\(ids[$0 - 1])" })
        try await client.send("RSET")
        #expect(try await client.line().hasPrefix("+OK maildrop has \(count) messages"))
        try await client.send("QUIT")
        _ = try await client.line()
        await client.close()
    }
}
