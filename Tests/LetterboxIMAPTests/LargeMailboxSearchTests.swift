import LetterboxIMAP
import LetterboxNet
import Synchronization
import TestSupport
import Testing

@testable import LetterboxStore

/// Message bytes read on demand (as from a file), noting the threads that read them.
private final class RecordingSource: MessageBodySource {
    let raw: [UInt8]
    private let readers = Mutex<[UInt]>([])
    var threads: [UInt] { readers.withLock { $0 } }

    init(_ raw: String) { self.raw = Array(raw.utf8) }

    func views(of id: UInt64, size: Int) throws(StoreError) -> MessageViews {
        readers.withLock { $0.append(currentThreadNumber()) }
        return MessageViews(raw: raw)
    }

    func cachedViews(of id: UInt64) -> MessageViews? { nil }
}

/// SEARCH, SORT and THREAD over a mailbox above the size scanned on the event loop
/// (``IMAPSession``'s `inlineScanLimit`, 5,000) build the candidates, number the result and write
/// the response off the loop; the answers are the ones a small mailbox gets, at the edges too.
@Suite(.timeLimit(.minutes(2)))
struct LargeMailboxSearchTests {
    /// A loop no other test uses (its thread lives as long as the process, like every loop).
    static let loop = Result { try EventLoop() }

    /// A script logged in with INBOX selected, holding `count` messages with subjects `0`, `1`, ….
    static func selected(holding count: Int) async throws -> IMAPScript {
        var script = IMAPScript()
        for number in 0..<count {
            try await script.deliver("Subject: \(number % 3)\r\n\r\nbody\r\n")
        }
        _ = await script.send("a LOGIN ana pw")
        _ = await script.send("b SELECT INBOX")
        return script
    }

    @Test(arguments: [4_999, 5_000, 5_001])
    func answersAreThoseOfASmallMailbox(_ count: Int) async throws {
        var script = try await Self.selected(holding: count)
        let all = (1...count).map { " \($0)" }.joined()
        #expect(await script.send("c SEARCH ALL") == ["* SEARCH" + all, "c OK SEARCH completed"])
        #expect(
            await script.send("d UID SEARCH \(count - 1):*") == [
                "* SEARCH \(count - 1) \(count)", "d OK UID SEARCH completed",
            ])
        #expect(await script.send("e SEARCH KEYWORD none") == ["* SEARCH", "e OK SEARCH completed"])
        _ = await script.send("f STORE \(count) +FLAGS (\\Flagged)")
        let modSeq = try #require(script.store.modSeq(of: UInt64(count)))
        let flagged = await script.send("g SEARCH FLAGGED MODSEQ 1")
        #expect(flagged.contains("* SEARCH \(count) (MODSEQ \(modSeq))"), "\(flagged)")
        #expect(await script.send("h SEARCH FLAGGED MODSEQ \(modSeq + 1)").contains("* SEARCH"))
        #expect(
            await script.send("i SORT (ARRIVAL) US-ASCII \(count - 2):*")
                == ["* SORT \(count - 2) \(count - 1) \(count)", "i OK SORT completed"])
        #expect(
            await script.send("j UID SORT (SUBJECT) US-ASCII 1:6")
                == ["* SORT 1 4 2 5 3 6", "j OK UID SORT completed"])
        #expect(
            await script.send("k THREAD ORDEREDSUBJECT US-ASCII 1:4")
                == ["* THREAD (1 4)(2)(3)", "k OK THREAD completed"])
        #expect(
            await script.send("l SEARCH RETURN (COUNT MIN MAX) ALL").first
                == "* ESEARCH (TAG \"l\") MIN 1 MAX \(count) COUNT \(count)")
    }

    /// ESEARCH and ESORT with SAVE and UPDATE (RFC 4731, 5182, 5267) number their result where
    /// the scan ran: the same answers on either side of the limit.
    @Test(arguments: [4_999, 5_001])
    func extendedSearchAndSortAtTheEdges(_ count: Int) async throws {
        var script = try await Self.selected(holding: count)
        #expect(await script.send("c SEARCH RETURN (SAVE) \(count - 2):*") == ["c OK SEARCH completed"])
        #expect(
            await script.send("d FETCH $ (UID)")
                == (count - 2...count).map { "* \($0) FETCH (UID \($0))" } + ["d OK FETCH completed"])
        #expect(
            await script.send("e UID SORT RETURN (ALL COUNT) (SUBJECT) US-ASCII 1:6")
                == ["* ESEARCH (TAG \"e\") UID ALL 1,4,2,5,3,6 COUNT 6", "e OK UID SORT completed"])
        #expect(
            await script.send("f SEARCH RETURN (MIN MAX SAVE) 2:3,\(count)")
                == ["* ESEARCH (TAG \"f\") MIN 2 MAX \(count)", "f OK SEARCH completed"])
        #expect(await script.send("g UID SEARCH $").first == "* SEARCH 2 \(count)")
        #expect(
            await script.send("h SEARCH RETURN (UPDATE COUNT) FLAGGED")
                == ["* ESEARCH (TAG \"h\") COUNT 0", "h OK SEARCH completed"])
        let flagged = await script.send("i STORE \(count) +FLAGS.SILENT (\\Flagged)")
        #expect(flagged.contains("* ESEARCH (TAG \"h\") ADDTO (0 \(count))"), "\(flagged)")
    }

    /// SORT by SIZE reads the messages whose size is not known yet: not on the event loop, even
    /// in a small mailbox.
    @Test func sortBySizeReadsOffTheLoop() async throws {
        let store = MemoryStore()
        let sources = ["Subject: a\r\n\r\nlonger body\r\n", "Subject: b\r\n\r\nb\r\n"].map(RecordingSource.init)
        for source in sources {
            store.index.insert(
                Message(
                    id: store.index.reserveID(), envelope: Envelope(sender: "s@example.com", recipients: ["a@b"]),
                    size: source.raw.count, canonicalSize: nil, source: source))
        }
        let (lines, loopThread) = await Task(executorPreference: try Self.loop.get()) {
            var script = IMAPScript(sharing: store)
            _ = await script.send("a LOGIN ana pw")
            _ = await script.send("b SELECT INBOX")
            return (await script.send("c SORT (SIZE) US-ASCII ALL"), currentThreadNumber())
        }.value
        #expect(lines == ["* SORT 2 1", "c OK SORT completed"])
        let readers = sources.flatMap(\.threads)
        #expect(!readers.isEmpty)
        #expect(!readers.contains(loopThread), "sizes counted on the event loop's thread")
    }
}
