import Foundation
import Letterbox
import Testing

/// What a SEARCH says before its criteria, over TCP in both stores: a CHARSET after
/// `ENABLE UTF8=ACCEPT` is BAD (RFC 6855 §3), and a SEARCH with SAVE answered NO empties `$`
/// while one answered BAD leaves it (RFC 5182 §2.1, Example 5; Dovecot 2.3 answers the same).
@Suite(.timeLimit(.minutes(3))) struct IMAPSearchPreambleTests {
    private func withSession(_ maildir: Bool, _ body: (IMAPScriptClient) async throws -> Void) async throws {
        try await withIMAPCatcher(maildir: maildir) { mail in
            let client = try IMAPScriptClient(port: mail.ports.imap)
            _ = try await client.greeting()
            #expect(try await client.send("LOGIN x y").status == "OK")
            let message = sampleMessage()
            for _ in 0..<3 { _ = try await client.send("APPEND Archive {\(message.utf8.count)+}\r\n\(message)") }
            #expect(try await client.send("SELECT Archive").status == "OK")
            try await body(client)
            await client.close()
        }
    }

    private func uids(_ response: IMAPScriptClient.Response) -> [String] {
        response.untagged.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test(arguments: [false, true])
    func charsetAfterUTF8AcceptIsBad(maildir: Bool) async throws {
        try await withSession(maildir) { client in
            #expect(try await client.send("SEARCH CHARSET UTF-8 ALL").status == "OK", "allowed before ENABLE")
            #expect(try await client.send("ENABLE UTF8=ACCEPT").status == "OK")
            let refused = try await client.send("SEARCH CHARSET UTF-8 ALL")
            #expect(refused.status == "BAD", "\(refused.completion)")
            #expect(refused.untagged.isEmpty)
            #expect(try await client.send("UID SEARCH RETURN (COUNT) CHARSET US-ASCII ALL").status == "BAD")
            #expect(try await client.send("SEARCH CHARSET KOI8-R ALL").status == "BAD", "BAD before BADCHARSET")
            // Without CHARSET the search goes on; SORT's charset is its syntax, not a choice.
            #expect(uids(try await client.send("SEARCH ALL")) == ["* SEARCH 1 2 3"])
            #expect(try await client.send("SORT (ARRIVAL) UTF-8 ALL").status == "OK")
        }
    }

    @Test(arguments: [false, true])
    func searchWithSaveAnsweredNoEmptiesTheSavedResult(maildir: Bool) async throws {
        try await withSession(maildir) { client in
            #expect(try await client.send("SEARCH RETURN (SAVE) 2:3").status == "OK")
            // A BAD leaves `$` as it was (RFC 5182 §2.1).
            #expect(try await client.send("SEARCH RETURN (SAVE) NOSUCHKEY").status == "BAD")
            #expect(uids(try await client.send("FETCH $ (UID)")) == ["* 2 FETCH (UID 2)", "* 3 FETCH (UID 3)"])
            // A NO empties it (Example 5).
            let refused = try await client.send("SEARCH RETURN (SAVE) CHARSET KOI8-R ALL")
            #expect(refused.completion.contains("NO [BADCHARSET"), "\(refused.completion)")
            let after = try await client.send("FETCH $ (UID)")
            #expect(after.status == "OK")
            #expect(after.untagged.isEmpty, "the saved result is empty: \(uids(after))")
            // The same for SORT RETURN (SAVE) (RFC 5267 §3 with RFC 5182).
            #expect(try await client.send("SEARCH RETURN (SAVE) 1").status == "OK")
            #expect(try await client.send("SORT RETURN (SAVE) (ARRIVAL) KOI8-R ALL").status == "NO")
            #expect(try await client.send("FETCH $ (UID)").untagged.isEmpty)
            // A NO without SAVE leaves `$` alone.
            #expect(try await client.send("SEARCH RETURN (SAVE) 1").status == "OK")
            #expect(try await client.send("SEARCH CHARSET KOI8-R ALL").status == "NO")
            #expect(uids(try await client.send("FETCH $ (UID)")) == ["* 1 FETCH (UID 1)"])
        }
    }
}
