import Foundation
import LetterboxIMAP
import LetterboxStore
import Testing

@Suite struct IMAPParserTests {
    private func parse(_ text: String) -> Result<TaggedCommand, IMAPParseError> { IMAPParser.parse(Array(text.utf8)) }

    private func command(_ text: String) -> IMAPCommand? { try? parse(text).get().command }

    @Test func loginWithAtomsQuotedStringsAndLiterals() {
        #expect(command("a1 LOGIN ana secret") == .login(user: "ana", password: "secret"))
        #expect(
            command("a1 login \"ana@example.com\" \"se\\\"cret\\\\\"")
                == .login(user: "ana@example.com", password: "se\"cret\\"))
        #expect(command("a1 LOGIN {3}\r\nana {6+}\r\nsecret") == .login(user: "ana", password: "secret"))
    }

    @Test func fetchMacrosAndItems() {
        let all = SequenceSet(ranges: [(.number(1), .last)])
        #expect(command("t FETCH 1:* ALL") == .fetch(all, [.flags, .internalDate, .rfc822Size, .envelope], uid: false))
        #expect(
            command("t UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From Subject)] BODY[1.2.MIME] BODY[TEXT]<0.100>)")
                == .fetch(
                    all,
                    [
                        .uid, .flags,
                        .bodySection(
                            BodySection(text: .headerFields(["From", "Subject"], not: false)), partial: nil, peek: true),
                        .bodySection(BodySection(part: [1, 2], text: .mime), partial: nil, peek: false),
                        .bodySection(BodySection(text: .text), partial: 0...99, peek: false),
                    ], uid: true))
        #expect(
            command("t FETCH 2 BODY[]")
                == .fetch(
                    SequenceSet(ranges: [(.number(2), .number(2))]),
                    [.bodySection(BodySection(), partial: nil, peek: false)], uid: false))
    }

    @Test func sequenceSetsWithStarAndReversedRanges() {
        guard case .fetch(let set, _, _, _) = command("t FETCH 5:2,7,*:9 FLAGS") else {
            Issue.record("not parsed"); return
        }
        #expect(set.contains(3, largest: 20) && set.contains(7, largest: 20) && set.contains(15, largest: 20))
        #expect(!set.contains(6, largest: 20) && !set.contains(8, largest: 20))
    }

    @Test func storeForms() {
        let one = SequenceSet(ranges: [(.number(1), .number(1))])
        #expect(
            command("s STORE 1 +FLAGS.SILENT (\\Seen \\deleted)")
                == .store(one, .add, MessageFlags(["\\Seen", "\\Deleted"]), silent: true, uid: false))
        #expect(
            command("s UID STORE 1 -FLAGS $Label")
                == .store(one, .remove, MessageFlags(["$Label"]), silent: false, uid: true))
        #expect(command("s STORE 1 FLAGS ()") == .store(one, .replace, MessageFlags(), silent: false, uid: false))
    }

    @Test func searchKeysNestWithOrNotAndParentheses() {
        #expect(
            command("s SEARCH CHARSET UTF-8 OR FROM ana (NOT SEEN LARGER 100) UID 3:*")
                == .search(
                    .and([
                        .or(.header("FROM", "ana"), .and([.not(.flag("\\Seen", set: true)), .larger(100)])),
                        .uid(SequenceSet(ranges: [(.number(3), .last)])),
                    ]), uid: false))
        #expect(
            command("s SEARCH SINCE 1-Feb-2024")
                == .search(.since(SearchDate(year: 2024, month: 2, day: 1)), uid: false))
        #expect(command("s SEARCH HEADER X-Test \"\"") == .search(.header("X-Test", ""), uid: false))
    }

    @Test func badInputGivesAReasonAndTheTag() {
        for (text, reason) in [
            ("a1 FROB", "unknown command FROB"), ("a1 FETCH 0 FLAGS", "sequence numbers start at 1"),
            ("a1 FETCH 1 (FLAGS", "expected ')'"), ("a1 SEARCH CHARSET KOI8-R NONSENSE", "NONSENSE"),
            ("a1 LOGIN \"unterminated", "unterminated quoted string"),
            ("a1 FETCH 1 BODY[9.HEADERX]", "unknown section"),
            ("a1 LOGIN {10}\r\nshort", "literal shorter than announced"),
            ("a1 SEARCH SINCE 31-Foo-2024", "invalid date"),
        ] {
            guard case .failure(let error) = parse(text) else { Issue.record("\(text) was accepted"); continue }
            #expect(error.tag == "a1")
            #expect(error.reason.contains(reason), "\(text): \(error.reason)")
        }
        guard case .failure(let untagged) = parse("") else { Issue.record("empty line accepted"); return }
        #expect(untagged.tag == nil)
    }

    /// A well-formed SEARCH or SORT in an unknown charset parses, to be answered NO (RFC 3501 §6.4.4).
    /// Found by the imap-session fuzz target: a tag of octets above 0x7F was answered with U+FFFD
    /// in their place, a tag the client never sent.
    @Test func aTagWithEightBitOctetsIsRefusedUntagged() throws {
        for line: [UInt8] in [
            [0xFF, 0xFF, 0x68] + Array(" LOGOUT".utf8), Array("a".utf8) + [0xC3, 0xA4] + Array(" NOOP".utf8),
        ] {
            guard case .failure(let error) = IMAPParser.parse(line) else {
                Issue.record("parsed \(line)")
                continue
            }
            #expect(error.tag == nil)
        }
    }

    @Test func unknownSearchCharsetParsesAsBadCharset() {
        #expect(command("a1 SEARCH CHARSET KOI8-R ALL") == .badCharset("KOI8-R"))
        #expect(command("a1 UID SORT (DATE) iso-8859-5 SUBJECT x") == .badCharset("ISO-8859-5"))
        #expect(command("a1 SEARCH CHARSET us-ascii ALL") == .search(.all, uid: false))
    }

    @Test func deepNestingIsRefused() {
        let deep = "a SEARCH " + String(repeating: "(", count: 200) + "ALL" + String(repeating: ")", count: 200)
        guard case .failure(let error) = parse(deep) else { Issue.record("accepted"); return }
        #expect(error.reason.contains("nested too deeply"))
    }

    @Test func mailboxCommands() {
        #expect(command("a CREATE Drafts") == .create("Drafts"))
        #expect(command("a RENAME \"Old name\" New") == .rename("Old name", to: "New"))
        #expect(
            command("a UID MOVE 1:* Trash")
                == .move(SequenceSet(ranges: [(.number(1), .last)]), mailbox: "Trash", uid: true))
        #expect(
            command("a COPY 2 Archive")
                == .copy(SequenceSet(ranges: [(.number(2), .number(2))]), mailbox: "Archive", uid: false))
    }

    @Test func appendWithFlagsDateAndLiteralPlus() {
        let parsed = command("a APPEND Sent (\\Seen $Work) \" 7-Feb-2024 10:00:00 +0100\" {5+}\r\nHello")
        guard case .append(let mailbox, let flags, let date, let message) = parsed else {
            Issue.record("not an APPEND: \(String(describing: parsed))")
            return
        }
        #expect(mailbox == "Sent")
        #expect(flags == MessageFlags(["\\Seen", "$Work"]))
        #expect(date == Date(timeIntervalSince1970: 1_707_296_400))
        #expect(message == Array("Hello".utf8))
        #expect(
            command("a APPEND Sent {2}\r\nHi")
                == .append(mailbox: "Sent", flags: MessageFlags(), date: nil, message: Array("Hi".utf8)))
        guard case .failure(let error) = parse("a APPEND Sent \"31-Foo-2024 10:00:00 +0100\" {2}\r\nHi") else {
            Issue.record("accepted a bad date")
            return
        }
        #expect(error.reason.contains("invalid date-time"))
    }
}
