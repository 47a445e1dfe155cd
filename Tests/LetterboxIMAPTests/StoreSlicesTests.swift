import LetterboxIMAP
import LetterboxStore
import Synchronization
import Testing

/// `STORE 1:*` over a mailbox of more messages than one slice (``IMAPSession``'s `storeSlice`,
/// 512) answers every message in order, in slices with turns of the event loop between them;
/// given a sink, what it passes on and what it returns make the response it gives without one.
@Suite struct StoreSlicesTests {
    static func store(holding count: Int) async throws -> MemoryStore {
        let store = MemoryStore()
        for number in 1...count {
            _ = try await store.append(
                Array("Subject: \(number)\r\n\r\nbody\r\n".utf8),
                envelope: Envelope(sender: "s@example.com", recipients: ["ana@example.com"]))
        }
        return store
    }

    @Test(arguments: [512, 513, 1_100])
    func everyMessageIsAnsweredInOrder(_ count: Int) async throws {
        let store = try await Self.store(holding: count)
        var script = IMAPScript(sharing: store)
        _ = await script.send("a LOGIN ana x")
        _ = await script.send("b SELECT INBOX")
        let lines = await script.send("c STORE 1:* +FLAGS (\\Flagged)")
        #expect(lines.count == count + 1)
        #expect(lines.dropLast() == (1...count).map { "* \($0) FETCH (FLAGS (\\Flagged \\Recent))" })
        #expect(lines.last == "c OK STORE completed")
        #expect(await script.send("d STORE 1:* -FLAGS.SILENT (\\Flagged)") == ["d OK STORE completed"])
        #expect(store.messages().allSatisfy { store.flags(of: $0.id).isEmpty })
        let conditional = await script.send("e UID STORE 1:* (UNCHANGEDSINCE 1) +FLAGS (\\Seen)")
        #expect(conditional.last?.hasPrefix("e OK [MODIFIED 1:\(count)]") == true, "\(conditional.suffix(1))")
    }

    /// EXPUNGE of more messages than a slice reports and drops them off the loop: the same
    /// responses, highest number first, and the view that remains.
    @Test(arguments: [512, 513, 900])
    func expungeOfManyReportsEachAndKeepsTheRest(_ deleted: Int) async throws {
        let store = try await Self.store(holding: 1_000)
        var script = IMAPScript(sharing: store)
        _ = await script.send("a LOGIN ana x")
        _ = await script.send("b SELECT INBOX")
        _ = await script.send("c STORE 1:\(deleted) +FLAGS.SILENT (\\Deleted)")
        let lines = await script.send("d EXPUNGE")
        #expect(lines.dropLast() == (1...deleted).reversed().map { "* \($0) EXPUNGE" })
        #expect(lines.last == "d OK EXPUNGE completed")
        let left = 1_000 - deleted
        #expect(
            await script.send("e SEARCH ALL") == [
                "* SEARCH" + (1...left).map { " \($0)" }.joined(), "e OK SEARCH completed",
            ])
        #expect(
            await script.send("f UID SEARCH 1:*")
                == ["* SEARCH" + ((deleted + 1)...1_000).map { " \($0)" }.joined(), "f OK UID SEARCH completed"])
        #expect(store.messages().count == left)
        // UID EXPUNGE of part of the deleted; CLOSE expunges the rest without a word.
        _ = await script.send("g STORE 1:* +FLAGS.SILENT (\\Deleted)")
        let some = await script.send("h UID EXPUNGE \(deleted + 1):\(deleted + 2)")
        #expect(some == ["* 2 EXPUNGE", "* 1 EXPUNGE", "h OK EXPUNGE completed"])
        #expect(await script.send("i CLOSE") == ["i OK CLOSE completed"])
        #expect(store.messages().isEmpty)
    }

    /// MOVE of every other message (3 of 6, or 600 of 1,200: beyond a slice, off the loop):
    /// COPYUID, an EXPUNGE per message moved, highest first, and the view that remains.
    @Test(arguments: [6, 1_200])
    func moveOfEveryOtherMessage(_ count: Int) async throws {
        let store = try await Self.store(holding: count)
        var script = IMAPScript(sharing: store)
        _ = await script.send("a LOGIN ana x")
        _ = await script.send("b SELECT INBOX")
        let odd = (1...count).filter { !$0.isMultiple(of: 2) }
        let set = odd.map(String.init).joined(separator: ",")
        let lines = await script.send("c UID MOVE \(set) Archive")
        #expect(lines.first?.hasPrefix("* OK [COPYUID ") == true, "\(lines.prefix(1))")
        #expect(lines.dropFirst().dropLast() == odd.reversed().map { "* \($0) EXPUNGE" })
        #expect(lines.last == "c OK UID MOVE completed")
        let even = (1...count).filter { $0.isMultiple(of: 2) }
        #expect(
            await script.send("d UID SEARCH ALL")
                == ["* SEARCH" + even.map { " \($0)" }.joined(), "d OK UID SEARCH completed"])
        #expect(await script.send("e SEARCH ALL").first == "* SEARCH" + (1...even.count).map { " \($0)" }.joined())
        #expect(store.mailbox(named: "Archive").map { Int($0.nextUID) - 1 } == odd.count)
    }

    /// 8,000 lines of about 45 octets: more than a writer holds before it hands off (256 KiB).
    @Test func aSinkGetsTheSameResponse() async throws {
        var script = IMAPScript(sharing: try await Self.store(holding: 8_000))
        var whole = IMAPScript(sharing: try await Self.store(holding: 8_000))
        _ = await script.send("a LOGIN ana x")
        _ = await script.send("b SELECT INBOX")
        _ = await whole.send("a LOGIN ana x")
        _ = await whole.send("b SELECT INBOX")
        guard case .success(let command) = IMAPParser.parse(Array("c UID STORE 1:* +FLAGS (\\Answered)".utf8)) else {
            Issue.record("STORE does not parse")
            return
        }
        let recorder = FetchStreamingTests.Recorder()
        let (rest, _) = await script.session.handle(command) { piece in
            recorder.pieces.withLock { $0.append(piece) }
            return true
        }
        let (complete, _) = await whole.session.handle(command)
        #expect(!recorder.sizes.isEmpty, "the response went out in pieces")
        let same = recorder.bytes + rest == complete
        #expect(same, "\(recorder.sizes) + \(rest.count) octets, \(complete.count) without a sink")
    }
}
