import Foundation
import Letterbox
import LetterboxStore
import Testing

/// INBOX's UIDNEXT is greater than every UID it ever gave, and changes only when mail arrives
/// (RFC 3501 §2.3.1.1): not when its last messages are expunged, and in a Maildir store not
/// across a restart either, though the store reserves ids ahead and reloads only the messages
/// still there.
@Suite(.timeLimit(.minutes(3))) struct IMAPUIDNextRestartTests {
    private func uidNext(_ client: IMAPScriptClient) async throws -> String {
        let status = try await client.send("STATUS INBOX (UIDNEXT)").untagged.map {
            String(decoding: $0, as: UTF8.self)
        }
        return status.first ?? "no STATUS"
    }

    private func session(_ mail: MailCatcher) async throws -> IMAPScriptClient {
        let client = try IMAPScriptClient(port: mail.ports.imap)
        _ = try await client.greeting()
        #expect(try await client.send("LOGIN x y").status == "OK")
        return client
    }

    private func capture(_ mail: MailCatcher, _ subject: String) async throws {
        _ = try await mail.store.append(
            Array(sampleMessage(subject: subject).utf8),
            envelope: Envelope(sender: "s@example.com", recipients: ["bo@example.com"]))
    }

    @Test(arguments: [false, true])
    func uidNextStaysWhenTheLastMessagesGoAndAcrossARestart(maildir: Bool) async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-uidnext-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configure: (inout Configuration) -> Void = {
            $0.smtpPort = nil; $0.pop3Port = nil; $0.httpPort = nil
            if maildir { $0.storage = .maildir(folder) }
        }
        try await withCatcher(configure) { mail in
            for number in 1...3 { try await capture(mail, "message \(number)") }
            let client = try await session(mail)
            #expect(try await uidNext(client) == "* STATUS INBOX (UIDNEXT 4)")
            _ = try await client.send("SELECT INBOX")
            #expect(try await client.send("UID STORE 2:3 +FLAGS.SILENT (\\Deleted)").status == "OK")
            #expect(try await client.send("EXPUNGE").status == "OK")
            #expect(try await uidNext(client) == "* STATUS INBOX (UIDNEXT 4)", "expunging changes no UIDNEXT")
            await client.close()
        }
        guard maildir else { return }
        try await withCatcher(configure) { mail in
            let client = try await session(mail)
            #expect(try await uidNext(client) == "* STATUS INBOX (UIDNEXT 4)", "the same after a restart")
            try await capture(mail, "after the restart")
            let select = try await client.send("SELECT INBOX").untagged.map { String(decoding: $0, as: UTF8.self) }
            let fetched = try await client.send("FETCH 2 (UID)").untagged.map { String(decoding: $0, as: UTF8.self) }
            let uid = UInt64(fetched.first?.split(separator: " ").last?.dropLast() ?? "") ?? 0
            #expect(uid >= 4, "the new message's UID is not below the UIDNEXT announced: \(fetched)")
            #expect(select.contains("* OK [UIDNEXT \(uid + 1)] predicted next UID"), "\(select)")
            await client.close()
        }
        // Every message expunged, the newest included: the next start still knows how far UIDs went.
        let emptied = try await withCatcher(configure) { mail in
            let client = try await session(mail)
            _ = try await client.send("SELECT INBOX")
            #expect(try await client.send("UID STORE 1:* +FLAGS.SILENT (\\Deleted)").status == "OK")
            #expect(try await client.send("EXPUNGE").status == "OK")
            let result = try await uidNext(client)
            await client.close()
            return result
        }
        try await withCatcher(configure) { mail in
            let client = try await session(mail)
            #expect(try await uidNext(client) == emptied, "UIDNEXT of the emptied INBOX after a restart")
            await client.close()
        }
    }
}
