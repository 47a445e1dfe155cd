import Foundation
import LetterboxIMAP
import LetterboxStore
import Testing

/// A message another session expunged, asked for before this session was told (RFC 5530
/// EXPUNGEISSUED): FETCH answers the messages that exist, COPY copies nothing, and no reply names
/// a server path.
@Suite struct IMAPExpungedMessageTests {
    /// One session on any store; `send` returns the response lines.
    struct Session {
        var session: IMAPSession

        init(_ store: any MessageStore) {
            session = IMAPSession(configuration: IMAPConfiguration(credentials: .anyone), store: store)
        }

        mutating func send(_ text: String) async -> [String] {
            guard case .success(let command) = IMAPParser.parse(Array(text.utf8)) else { return ["unparsable"] }
            let (response, _) = await session.handle(command)
            return String(decoding: response, as: UTF8.self).split(separator: "\r\n").map(String.init)
        }
    }

    private func twoSessions(on store: any MessageStore) async throws -> (reader: Session, expunger: Session) {
        for subject in ["one", "two"] {
            _ = try await store.append(
                Array("Subject: \(subject)\r\n\r\nBody\r\n".utf8),
                envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]))
        }
        var (reader, expunger) = (Session(store), Session(store))
        for index in 0..<2 {
            var session = index == 0 ? reader : expunger
            _ = await session.send("a LOGIN x y")
            _ = await session.send("b SELECT INBOX")
            if index == 0 { reader = session } else { expunger = session }
        }
        _ = await expunger.send("c STORE 1 +FLAGS.SILENT (\\Deleted)")
        _ = await expunger.send("d EXPUNGE")
        return (reader, expunger)
    }

    @Test func maildirFetchOfAnExpungedMessageAnswersTheRestAndExpungeIssued() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-imap-expunged-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var (reader, _) = try await twoSessions(on: try MaildirStore(path: folder))
        let lines = await reader.send("c FETCH 1:2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        #expect(lines.first == "* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {16}")
        #expect(lines.last == "c NO [EXPUNGEISSUED] some of the requested messages no longer exist")
        #expect(!lines.contains { $0.contains(folder) })
        #expect(await reader.send("d NOOP") == ["* 1 EXPUNGE", "d OK NOOP completed"])
    }

    @Test(arguments: [false, true])
    func copyOfAnExpungedMessageCopiesNothing(maildir: Bool) async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-imap-copy-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store: any MessageStore = maildir ? try MaildirStore(path: folder) : MemoryStore()
        var (reader, _) = try await twoSessions(on: store)
        #expect(
            await reader.send("c COPY 1:2 Archive")
                == ["* 1 EXPUNGE", "c NO [EXPUNGEISSUED] some of the requested messages no longer exist"],
            "the EXPUNGE may follow: COPY is not a command by sequence number that forbids it (RFC 3501 §7.4.1)")
        #expect(store.snapshot(of: "Archive", matching: MessageFilter())?.entries.isEmpty == true)
        #expect(await reader.send("d UID COPY 2 Archive").last?.hasPrefix("d OK [COPYUID") == true)
    }
}

/// COPY while another session changes the message's flags: in a Maildir store a flag change
/// renames the file, and COPY must find its current name (issue 17, item 3), never fail with a
/// server path.
@Suite struct IMAPCopyUnderFlagChangesTests {
    @Test func maildirCopyWhileAnotherSessionRenamesTheFile() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-imap-copyrace-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try MaildirStore(path: folder)
        _ = try await store.append(
            Array("Subject: raced\r\n\r\nBody\r\n".utf8),
            envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]))
        var copier = IMAPExpungedMessageTests.Session(store)
        var flagger = IMAPExpungedMessageTests.Session(store)
        for command in ["a LOGIN x y", "b SELECT INBOX"] {
            _ = await copier.send(command)
            _ = await flagger.send(command)
        }
        let rounds = 300
        async let flagging: Void = {
            for round in 0..<rounds {
                _ = await flagger.send("f\(round) STORE 1 \(round % 2 == 0 ? "+" : "-")FLAGS.SILENT (\\Flagged)")
            }
        }()
        var failures: [String] = []
        for round in 0..<rounds {
            let reply = await copier.send("c\(round) COPY 1 Archive").last ?? ""
            if !reply.hasPrefix("c\(round) OK") { failures.append(reply) }
        }
        await flagging
        #expect(failures.isEmpty, "\(failures.count) of \(rounds) failed, e.g. \(failures.first ?? "")")
        #expect(!failures.contains { $0.contains(folder) })
    }
}
