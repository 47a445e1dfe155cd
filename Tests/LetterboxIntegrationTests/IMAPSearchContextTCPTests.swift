import Foundation
import Letterbox
import LetterboxStore
import Testing

/// CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4) over TCP, in the memory and the Maildir store:
/// a session keeps live results while other sessions, concurrently, store flags, append,
/// deliver and expunge; its results, rebuilt from ADDTO and REMOVEFROM alone, always equal a
/// fresh search. An idling session hears of a new message in its live search too.
@Suite(.timeLimit(.minutes(3))) struct IMAPSearchContextTCPTests {
    typealias Session = IMAPCondStoreTests.Session

    private func withStore(_ maildir: Bool, _ body: (MailCatcher) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-context-tcp-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withCatcher({ if maildir { $0.storage = .maildir(folder) } }, body)
    }

    private func deliver(_ mail: MailCatcher, _ subject: String) async throws {
        _ = try await mail.store.append(
            Array(sampleMessage(subject: subject).utf8),
            envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]))
    }

    /// The UIDs of `* ESEARCH (TAG "t") UID …` lines for `tag` applied to `result`: REMOVEFROM
    /// takes UIDs out, ADDTO puts them in (at their positions for a SORT); ALL sets it.
    static func apply(_ lines: [String], tag: String, to result: inout [UInt64]) {
        for line in lines where line.hasPrefix("* ESEARCH (TAG \"\(tag)\") UID") {
            let words = line.split(separator: " ").map(String.init)
            var index = 4
            while index < words.count {
                switch words[index] {
                case "ALL":
                    result = uids(words[index + 1])
                    index += 2
                case "REMOVEFROM", "ADDTO":
                    // `(position set)` pairs up to the closing parenthesis.
                    var position = index + 1
                    while position + 1 < words.count {
                        let place = Int(words[position].trimmingCharacters(in: CharacterSet(charactersIn: "("))) ?? 0
                        let set = uids(words[position + 1].trimmingCharacters(in: CharacterSet(charactersIn: ")")))
                        if words[index] == "REMOVEFROM" {
                            result.removeAll { set.contains($0) }
                        } else if place == 0 {
                            result = (result + set).sorted()
                        } else {
                            result.insert(contentsOf: set, at: min(place - 1, result.count))
                        }
                        let closes = words[position + 1].hasSuffix(")")
                        position += 2
                        if closes { break }
                    }
                    index = position
                default: index += 1
                }
            }
        }
    }

    static func uids(_ set: String) -> [UInt64] {
        set.split(separator: ",").flatMap { part -> [UInt64] in
            let bounds = part.split(separator: ":").compactMap { UInt64($0) }
            guard let low = bounds.first else { return [] }
            let high = bounds.last ?? low
            return low <= high ? Array(low...high) : Array((high...low).reversed())
        }
    }

    /// The UIDs of a fresh `UID SEARCH`/`UID SORT` answered with ESEARCH ALL.
    static func fresh(_ session: Session, _ command: String) async throws -> [UInt64] {
        let lines = try await session.run(command)
        var result: [UInt64] = []
        for line in lines where line.hasPrefix("* ESEARCH") {
            if let all = line.components(separatedBy: " ALL ").last, line.contains(" ALL ") {
                result = uids(String(all.split(separator: " ").first ?? ""))
            }
        }
        return result
    }

    @Test(arguments: [false, true]) func liveResultsFollowConcurrentSessions(maildir: Bool) async throws {
        try await withStore(maildir) { mail in
            for number in 1...6 { try await deliver(mail, "Message \(number)") }
            let watcher = try await Session(mail)
            _ = try await watcher.run("SELECT INBOX")
            // Tags are t3 and t4 (LOGIN t1, SELECT t2).
            var unseen: [UInt64] = []
            var sorted: [UInt64] = []
            Self.apply(try await watcher.run("UID SEARCH RETURN (ALL UPDATE) UNSEEN"), tag: "t3", to: &unseen)
            Self.apply(
                try await watcher.run("UID SORT RETURN (ALL UPDATE) (REVERSE SUBJECT) UTF-8 UNDELETED"), tag: "t4",
                to: &sorted)
            #expect(unseen == Array(1...6))
            #expect(sorted == Array((1...6).reversed()))
            // Three other sessions change the mailbox at the same time, over and over.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<3 {
                    group.addTask {
                        let other = try await Session(mail)
                        _ = try await other.run("SELECT INBOX")
                        for round in 0..<8 {
                            let uid = (worker * 8 + round) % 6 + 1
                            _ = try await other.run(
                                "UID STORE \(uid) \(round % 2 == 0 ? "+" : "-")FLAGS.SILENT (\\Seen)")
                            if round % 3 == worker {
                                _ = try await other.run(
                                    "APPEND INBOX {\(sampleMessage(subject: "w\(worker)r\(round)").utf8.count)+}\r\n"
                                        + sampleMessage(subject: "w\(worker)r\(round)"))
                            }
                            if round == 5 {
                                _ = try await other.run("UID STORE \(7 + worker) +FLAGS.SILENT (\\Deleted)")
                                _ = try await other.run("UID EXPUNGE \(7 + worker)")
                            }
                        }
                        await other.close()
                    }
                }
                group.addTask {
                    for round in 0..<4 { try await deliver(mail, "Delivered \(round)") }
                }
                // The watcher keeps asking meanwhile; its updates come with each answer.
                for _ in 0..<10 {
                    let lines = try await watcher.run("NOOP")
                    Self.apply(lines, tag: "t3", to: &unseen)
                    Self.apply(lines, tag: "t4", to: &sorted)
                }
                try await group.waitForAll()
            }
            let lines = try await watcher.run("NOOP")
            Self.apply(lines, tag: "t3", to: &unseen)
            Self.apply(lines, tag: "t4", to: &sorted)
            // Built from updates alone: 4 deliveries and 8 appends came, at most 3 messages went.
            #expect(sorted.count > 6)
            #expect(unseen == (try await Self.fresh(watcher, "UID SEARCH RETURN (ALL) UNSEEN")))
            #expect(
                sorted == (try await Self.fresh(watcher, "UID SORT RETURN (ALL) (REVERSE SUBJECT) UTF-8 UNDELETED")))
            await watcher.close()
        }
    }

    @Test(arguments: [false, true]) func anIdlingSessionHearsOfNewMatches(maildir: Bool) async throws {
        try await withStore(maildir) { mail in
            try await deliver(mail, "first")
            let watcher = try await Session(mail)
            _ = try await watcher.run("SELECT INBOX")
            #expect(
                try await watcher.run("UID SEARCH RETURN (COUNT UPDATE) SUBJECT urgent") == [
                    "* ESEARCH (TAG \"t3\") UID COUNT 0", "OK UID SEARCH completed",
                ])
            try await watcher.client.send("t4 IDLE\r\n")
            #expect(try await watcher.client.line() == "+ idling")
            try await deliver(mail, "not this one")
            try await deliver(mail, "urgent: this one")
            var lines: [String] = []
            while !lines.contains(where: { $0.hasPrefix("* ESEARCH") }) {
                lines.append(try await watcher.client.line())
            }
            #expect(lines.last == "* ESEARCH (TAG \"t3\") UID ADDTO (0 3)")
            try await watcher.client.send("DONE\r\n")
            while try await watcher.client.line() != "t4 OK IDLE terminated" {}
            await watcher.close()
        }
    }
}
