import LetterboxIMAP
import LetterboxStore
import Testing

/// The RFC 7162 grammar (§7): SELECT/EXAMINE parameters, FETCH and STORE modifiers, the MODSEQ
/// fetch item and search key; malformed forms are BAD.
@Suite struct IMAPCondStoreParserTests {
    private func command(_ text: String) -> IMAPCommand? { try? IMAPParser.parse(Array(text.utf8)).get().command }

    private func set(_ ranges: [(UInt64, UInt64?)]) -> SequenceSet {
        SequenceSet(ranges: ranges.map { (.number($0.0), $0.1.map { .number($0) } ?? .last) })
    }

    @Test func selectParameters() {
        #expect(command("a SELECT INBOX") == .select("INBOX", SelectParameters()))
        #expect(command("a SELECT INBOX (CONDSTORE)") == .select("INBOX", SelectParameters(condStore: true)))
        #expect(
            command("a EXAMINE INBOX (QRESYNC (67890007 90060115194045000))")
                == .examine(
                    "INBOX",
                    SelectParameters(
                        qresync: QResyncParameters(uidValidity: 67_890_007, modSeq: 90_060_115_194_045_000))))
        let full = QResyncParameters(
            uidValidity: 67_890_007, modSeq: 20, knownUIDs: set([(41, 41), (43, 211)]),
            sequenceMatch: .init(sequences: set([(1, 3)]), uids: set([(5, 5), (9, 10)])))
        #expect(
            command("a SELECT INBOX (QRESYNC (67890007 20 41,43:211 (1:3 5,9:10)))")
                == .select("INBOX", SelectParameters(qresync: full)))
        for bad in [
            "a SELECT INBOX ()", "a SELECT INBOX (FOO)", "a SELECT INBOX (QRESYNC (0 20))",
            "a SELECT INBOX (QRESYNC (1 0))", "a SELECT INBOX (QRESYNC (1 99999999999999999999))",
        ] {
            #expect(command(bad) == nil, "\(bad)")
        }
    }

    @Test func fetchAndStoreModifiers() {
        let all = set([(1, nil)])
        #expect(command("a FETCH 1:* (FLAGS MODSEQ)") == .fetch(all, [.flags, .modSeq], uid: false))
        #expect(
            command("a FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)")
                == .fetch(all, [.flags], uid: false, modifiers: FetchModifiers(changedSince: 12345)))
        #expect(
            command("a UID FETCH 1:* FLAGS (CHANGEDSINCE 7 VANISHED)")
                == .fetch(all, [.uid, .flags], uid: true, modifiers: FetchModifiers(changedSince: 7, vanished: true)))
        // VANISHED only in UID FETCH with CHANGEDSINCE (RFC 7162 §3.2.6); CHANGEDSINCE 0 is not a value.
        for bad in [
            "a FETCH 1 FLAGS (CHANGEDSINCE 7 VANISHED)", "a UID FETCH 1 FLAGS (VANISHED)",
            "a FETCH 1 FLAGS (CHANGEDSINCE 0)",
        ] {
            #expect(command(bad) == nil, "\(bad)")
        }
        #expect(
            command("a STORE 1 (UNCHANGEDSINCE 0) +FLAGS.SILENT (\\Seen)")
                == .store(set([(1, 1)]), .add, MessageFlags(["\\Seen"]), silent: true, uid: false, unchangedSince: 0))
        #expect(command("a STORE 1 (FOO 1) +FLAGS (\\Seen)") == nil)
    }

    @Test func modSeqSearchKey() {
        #expect(command("a SEARCH MODSEQ 620162338") == .search(.modSeq(620_162_338), uid: false))
        #expect(
            command("a UID SEARCH OR NOT MODSEQ \"/flags/\\\\draft\" all 620162338 DELETED")
                == .search(.or(.not(.modSeq(620_162_338)), .flag("\\Deleted", set: true)), uid: true))
        #expect(command("a SEARCH MODSEQ \"/flags/\\\\draft\" everyone 1") == nil)
    }
}
