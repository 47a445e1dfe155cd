import Foundation
import LetterboxIMAP
import Synchronization
import Testing

@testable import LetterboxStore

/// A store that counts mailbox walks (``snapshot(of:matching:)``) and lists changes only when
/// `listsChanges`: with it, sessions bring their view up to date from what changed; without it,
/// by walking the mailbox, as every session did before.
// @unchecked: the counter is atomic; `listsChanges` is a `let`.
private final class CountingStore: ForwardingStore, @unchecked Sendable {
    let listsChanges: Bool
    private let walkCount = Atomic(0)

    init(listsChanges: Bool) {
        self.listsChanges = listsChanges
        super.init()
    }

    var walks: Int { walkCount.load(ordering: .sequentiallyConsistent) }

    override func snapshot(of mailbox: String, matching filter: MessageFilter) -> StoreSnapshot? {
        walkCount.add(1, ordering: .sequentiallyConsistent)
        return super.snapshot(of: mailbox, matching: filter)
    }

    override func updates(of mailbox: String, since: UInt64, matching filter: MessageFilter) -> MailboxUpdates? {
        listsChanges ? base.updates(of: mailbox, since: since, matching: filter) : nil
    }

    func deliver(_ subject: String, to recipient: String = "bo@example.com") async throws {
        _ = try await append(
            Array("Subject: \(subject)\r\n\r\nbody\r\n".utf8),
            envelope: Envelope(sender: "s@example.com", recipients: [recipient]))
    }
}

/// One session on a store, commands in, response lines out.
private struct Client {
    var session: IMAPSession

    init(_ store: any MessageStore) {
        session = IMAPSession(configuration: IMAPConfiguration(), store: store)
    }

    mutating func send(_ text: String) async -> [String] {
        switch IMAPParser.parse(Array(text.utf8)) {
        case .failure(let error): return ["\(error.tag ?? "*") BAD \(error.reason)"]
        case .success(let command):
            let (response, _) = await session.handle(command)
            return String(decoding: response, as: UTF8.self).split(separator: "\r\n").map(String.init)
        }
    }

    /// What IDLE would send now.
    mutating func idleUpdates() async -> [String] {
        String(decoding: await session.idleAndSearchUpdates(), as: UTF8.self).split(separator: "\r\n").map(String.init)
    }
}

/// Bringing a selected mailbox up to date costs what changed, not what the mailbox holds
/// (issue 16: 500 idling sessions on an INBOX of 10,000 messages made 500 walks per delivery):
/// the session asks the store what changed since it last looked, and walks the mailbox only
/// when the store cannot say. Both ways give the same responses.
@Suite struct IncrementalSyncTests {
    @Test func deliveriesFlagChangesAndExpungesReachASessionWithoutAWalk() async throws {
        let store = CountingStore(listsChanges: true)
        for number in 1...50 { try await store.deliver("m\(number)") }
        var watcher = Client(store)
        var other = Client(store)
        _ = await watcher.send("a LOGIN ana pw")
        _ = await other.send("a LOGIN bo pw")
        _ = await watcher.send("b SELECT INBOX")
        _ = await other.send("b SELECT INBOX")
        let walksAfterSelect = store.walks

        try await store.deliver("new")
        let idle = await watcher.idleUpdates()
        #expect(idle == ["* 51 EXISTS", "* 51 RECENT"])
        _ = await other.send("c STORE 2 +FLAGS (\\Seen $Label)")
        _ = await other.send("d STORE 3 +FLAGS (\\Deleted)")
        _ = await other.send("e EXPUNGE")
        #expect(
            await watcher.send("f NOOP") == [
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label)",
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label \\*)] flags permitted",
                "* 3 EXPUNGE", "* 2 FETCH (FLAGS (\\Seen \\Recent $Label))", "f OK NOOP completed",
            ])
        #expect(store.walks == walksAfterSelect, "no mailbox walk after SELECT")
    }

    @Test func expungesHeldBackDuringFetchBySequenceNumberComeLater() async throws {
        let store = CountingStore(listsChanges: true)
        for number in 1...5 { try await store.deliver("m\(number)") }
        var watcher = Client(store)
        var other = Client(store)
        _ = await watcher.send("a LOGIN ana pw")
        _ = await other.send("a LOGIN bo pw")
        _ = await watcher.send("b SELECT INBOX")
        _ = await other.send("b SELECT INBOX")
        _ = await other.send("c STORE 4 +FLAGS (\\Deleted)")
        _ = await other.send("d EXPUNGE")
        // RFC 3501 §7.4.1: no EXPUNGE during FETCH by sequence number; the flags may change.
        let fetched = await watcher.send("e FETCH 5 (FLAGS)")
        #expect(!fetched.contains { $0.hasSuffix("EXPUNGE") }, "\(fetched)")
        #expect(await watcher.send("f NOOP") == ["* 4 EXPUNGE", "f OK NOOP completed"])
    }

    @Test func aSessionWalksWhenTheLogNoLongerReachesBack() async throws {
        let store = CountingStore(listsChanges: true)
        let count = MailboxChangeLog.mostListed + 10
        for number in 1...count { try await store.deliver("m\(number)") }
        var watcher = Client(store)
        var other = Client(store)
        _ = await watcher.send("a LOGIN ana pw")
        _ = await other.send("a LOGIN bo pw")
        _ = await watcher.send("b SELECT INBOX")
        _ = await other.send("b SELECT INBOX")
        let walksAfterSelect = store.walks

        _ = await other.send("c STORE 1:* +FLAGS.SILENT (\\Flagged)")
        let updates = await watcher.send("d NOOP")
        #expect(updates.count == count + 1, "a FETCH for every message, then the tagged OK")
        #expect(updates.first == "* 1 FETCH (FLAGS (\\Flagged \\Recent))")
        #expect(store.walks == walksAfterSelect + 1, "more changed than the log lists: one walk")
    }

    @Test func aMailboxRenamedInPlaceOfTheSelectedOneIsWalked() async throws {
        let store = CountingStore(listsChanges: true)
        var watcher = Client(store)
        var other = Client(store)
        _ = await watcher.send("a LOGIN ana pw")
        _ = await other.send("a LOGIN bo pw")
        for name in ["A", "B"] { _ = await other.send("b CREATE \(name)") }
        _ = await other.send("c APPEND A {3+}\r\nx\r\n")
        _ = await watcher.send("d SELECT A")
        _ = await other.send("e RENAME A C")
        _ = await other.send("f RENAME B A")
        let walksBefore = store.walks
        // The new A is empty: its log must not answer for the old one.
        #expect(await watcher.send("g NOOP") == ["* 1 EXPUNGE", "g OK NOOP completed"])
        #expect(store.walks == walksBefore + 1)
    }

    /// Sessions (some CONDSTORE, QRESYNC or IMAP4rev2, one EXAMINE, one filtered to a recipient)
    /// and random deliveries, flag changes, expunges, moves and copies, seeded: every session says
    /// exactly what it says when it walks the mailbox every time.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func updatesFromChangesEqualUpdatesFromWalks(seed: UInt64) async throws {
        let incremental = try await transcript(seed: seed, listsChanges: true)
        let walked = try await transcript(seed: seed, listsChanges: false)
        #expect(incremental.count == walked.count)
        for (position, (left, right)) in zip(incremental, walked).enumerated() where left != right {
            Issue.record("seed \(seed), line \(position): \(left) ≠ \(right)")
            break
        }
    }

    private func transcript(seed: UInt64, listsChanges: Bool) async throws -> [String] {
        var random = SplitMix(seed: seed)
        let store = CountingStore(listsChanges: listsChanges)
        _ = try store.createMailbox("Other")
        for number in 1...20 { try await store.deliver("m\(number)", to: number % 3 == 0 ? "ana@x.org" : "bo@x.org") }
        let setups = [
            ["LOGIN bo pw", "SELECT INBOX"], ["LOGIN ana@x.org pw", "SELECT INBOX"],
            ["LOGIN bo pw", "ENABLE CONDSTORE", "SELECT INBOX"],
            ["LOGIN bo pw", "ENABLE QRESYNC", "SELECT INBOX"], ["LOGIN bo pw", "ENABLE IMAP4rev2", "SELECT INBOX"],
            ["LOGIN bo pw", "EXAMINE INBOX"], ["LOGIN bo pw", "SELECT Other"],
        ]
        var clients: [Client] = []
        var lines: [String] = []
        for (number, setup) in setups.enumerated() {
            var client = Client(store)
            for command in setup { lines += await client.send("s\(number) \(command)").map { "\(number): \($0)" } }
            clients.append(client)
        }
        let keywords = ["$A", "$B", "$C", "\\Seen", "\\Flagged", "\\Deleted"]
        for step in 0..<300 {
            let number = Int(random.next() % UInt64(clients.count))
            let keyword = keywords[Int(random.next() % UInt64(keywords.count))]
            let low = 1 + random.next() % 8
            let range = "\(low):\(low + random.next() % 4)"
            let command: String
            switch random.next() % 14 {
            case 0, 1:
                try await store.deliver("d\(step)", to: random.next() % 2 == 0 ? "ana@x.org" : "bo@x.org")
                continue
            case 2: command = "NOOP"
            case 3: command = "FETCH \(range) (FLAGS)"
            case 4: command = "UID FETCH 1:* (FLAGS)"
            case 5: command = "STORE \(range) +FLAGS (\(keyword))"
            case 6: command = "STORE \(range) -FLAGS (\(keyword))"
            case 7: command = "UID STORE \(range) +FLAGS.SILENT (\(keyword))"
            case 8: command = "EXPUNGE"
            case 9: command = "MOVE \(range) Other"
            case 10: command = "COPY \(range) INBOX"
            case 11: command = "SEARCH \(keyword == "\\Seen" ? "SEEN" : "ALL")"
            case 12:
                lines += await clients[number].idleUpdates().map { "\(number): \($0)" }
                continue
            default: command = "UID MOVE \(range) INBOX"
            }
            lines += await clients[number].send("t\(step) \(command)").map { "\(number): \($0)" }
        }
        for number in clients.indices { lines += await clients[number].send("z NOOP").map { "\(number): \($0)" } }
        // UIDVALIDITY is the store's making time: not the same in both runs.
        let validities = store.mailboxes().map { String($0.uidValidity) }
        return lines.map { line in
            validities.reduce(line) { $0.replacingOccurrences(of: $1, with: "V") }
        }
    }
}

/// A small seeded generator (SplitMix64), so a failing run can be replayed.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
