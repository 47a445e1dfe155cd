import LetterboxIMAP
import LetterboxStore
import Testing

/// A UID set is looked up by binary search in the session's view (UIDs ascend with sequence
/// numbers), not by a pass over it: the messages named are the ones a pass finds, gaps, `*`,
/// reversed and overlapping ranges included.
@Suite struct UIDSetLookupTests {
    /// UIDs 1…60 with every seventh and 20…24 expunged.
    static func script() async throws -> (IMAPScript, [UInt64]) {
        let store = MemoryStore()
        for number in 1...60 {
            _ = try await store.append(
                Array("Subject: \(number)\r\n\r\nbody\r\n".utf8),
                envelope: Envelope(sender: "s@example.com", recipients: ["ana@example.com"]))
        }
        let gone = (1...60).filter { $0.isMultiple(of: 7) || (20...24).contains($0) }.map(UInt64.init)
        store.remove(ids: gone)
        var script = IMAPScript(sharing: store)
        _ = await script.send("a LOGIN ana x")
        _ = await script.send("b EXAMINE INBOX")
        return (script, (1...60).map(UInt64.init).filter { !gone.contains($0) })
    }

    @Test(arguments: [
        ("1:*", [(1, 60)]), ("*", [(60, 60)]), ("5", [(5, 5)]), ("7", [(7, 7)]), ("9:3", [(3, 9)]),
        ("100:200", []), ("100:*", [(60, 100)]), ("*:58", [(58, 60)]), ("20:24", [(20, 24)]),
        ("1,3,5:9,58:*,2:4", [(1, 9), (58, 60)]), ("19:25,40,41,42", [(19, 25), (40, 42)]),
    ])
    func aSetNamesTheMessagesAPassFinds(_ set: String, _ ranges: [(Int, Int)]) async throws {
        var (script, uids) = try await Self.script()
        let expected = uids.enumerated().filter { _, uid in
            ranges.contains { UInt64($0.0)...UInt64($0.1) ~= uid }
        }.map { "* \($0.offset + 1) FETCH (UID \($0.element))" }
        #expect(await script.send("c UID FETCH \(set) (UID)") == expected + ["c OK UID FETCH completed"])
    }
}
