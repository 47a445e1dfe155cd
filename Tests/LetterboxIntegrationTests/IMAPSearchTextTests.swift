import Foundation
import Letterbox
import Testing

/// SEARCH over header and body text as a user means it (RFC 3501 §6.4.4): header keys match
/// decoded text, BODY and TEXT every text part decoded, addresses with their comments left out.
@Suite(.timeLimit(.minutes(3))) struct IMAPSearchTextTests {
    private func command(_ client: LineClient, _ tag: String, _ text: String) async throws -> [String] {
        try await client.command(tag, text)
    }

    /// Delivers `messages` and returns a session with INBOX selected.
    private func session(_ mail: MailCatcher, _ messages: [String]) async throws -> LineClient {
        for message in messages {
            #expect(
                try await MaildirIntegrationTests.deliver(message, to: ["bo@example.com"], port: mail.ports.smtp) == 250
            )
        }
        let client = try LineClient(port: mail.ports.imap)
        _ = try await client.line()
        _ = try await command(client, "a", "LOGIN u p")
        #expect(try await command(client, "b", "SELECT INBOX").contains("* \(messages.count) EXISTS"))
        return client
    }

    private func search(_ client: LineClient, _ key: String) async throws -> String? {
        let lines = try await command(client, "s", key)
        #expect(lines.last?.hasPrefix("s OK") == true, "\(key): \(lines)")
        return lines.first { $0.hasPrefix("* SEARCH") }
    }

    @Test func headerKeysMatchDecodedTextOnly() async throws {
        try await withCatcher { mail in
            let client = try await session(
                mail,
                [
                    "From: =?utf-8?q?J=C3=B6rg?= <joerg@example.com>\r\nTo: bo@example.com\r\n"
                        + "Subject: =?utf-8?q?=C3=84pfel?=\r\nX-Note: =?utf-8?b?w4RwZmVs?=\r\n\r\nBody\r\n"
                ])
            #expect(try await search(client, "SEARCH SUBJECT \"utf\"") == "* SEARCH")
            #expect(try await search(client, "SEARCH SUBJECT \"q?=C3\"") == "* SEARCH")
            #expect(try await search(client, "SEARCH FROM \"utf-8\"") == "* SEARCH")
            #expect(try await search(client, "SEARCH HEADER X-Note \"w4Rw\"") == "* SEARCH")
            #expect(try await search(client, "SEARCH TEXT \"utf-8\"") == "* SEARCH")
            #expect(try await search(client, "SEARCH SUBJECT pfel") == "* SEARCH 1")
            #expect(try await search(client, "SEARCH CHARSET UTF-8 SUBJECT {6+}\r\näpfel") == "* SEARCH 1")
            #expect(try await search(client, "SEARCH CHARSET UTF-8 FROM {5+}\r\njörg") == "* SEARCH 1")
            #expect(try await search(client, "SEARCH CHARSET UTF-8 HEADER X-Note {6+}\r\nÄPFEL") == "* SEARCH 1")
            await client.close()
        }
    }

    @Test func bodyKeysSearchEveryTextPartDecoded() async throws {
        let message = """
            From: ana@example.com\r
            To: bo@example.com\r
            Subject: parts\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="outer"\r
            \r
            --outer\r
            Content-Type: multipart/alternative; boundary="inner"\r
            \r
            --inner\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            The plain alternative.\r
            --inner\r
            Content-Type: text/html; charset=utf-8\r
            Content-Transfer-Encoding: base64\r
            \r
            \(Data("<p>Only in <b>htmlword</b> überall</p>".utf8).base64EncodedString())\r
            --inner--\r
            --outer\r
            Content-Type: text/plain; charset=iso-8859-1; name="notes.txt"\r
            Content-Disposition: attachment; filename="notes.txt"\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            attach=E9word in a file\r
            --outer\r
            Content-Type: message/rfc822\r
            \r
            From: cy@example.com\r
            Subject: forwarded\r
            \r
            The forwardedword body.\r
            --outer--\r

            """
        try await withCatcher { mail in
            let client = try await session(mail, [message, sampleMessage(subject: "other")])
            #expect(try await search(client, "SEARCH BODY htmlword") == "* SEARCH 1")
            #expect(try await search(client, "SEARCH CHARSET UTF-8 BODY {8+}\r\nÜberall") == "* SEARCH 1")
            #expect(try await search(client, "SEARCH CHARSET UTF-8 BODY {12+}\r\nattachéword") == "* SEARCH 1")
            #expect(try await search(client, "SEARCH BODY forwardedword") == "* SEARCH 1")
            #expect(try await search(client, "SEARCH TEXT htmlword") == "* SEARCH 1")
            #expect(try await search(client, "SEARCH TEXT forwardedword") == "* SEARCH 1")
            #expect(try await search(client, "SEARCH BODY \"plain alternative\"") == "* SEARCH 1")
            #expect(try await search(client, "SEARCH BODY \"Body text\"") == "* SEARCH 2")
            await client.close()
        }
    }

    @Test func addressesWithCommentsInEnvelopeAndSearch() async throws {
        try await withCatcher { mail in
            let client = try await session(
                mail,
                [
                    "From: user@domain.example (Real Name)\r\nTo: user-from(comment)@domain.org\r\nSubject: c\r\n\r\nx\r\n"
                ])
            // The comment of a bare address names it in ENVELOPE, as Dovecot 2.3.19 does.
            let fetch = try await command(client, "f", "FETCH 1 (ENVELOPE)")
            #expect(fetch.first?.contains("((\"Real Name\" NIL \"user\" \"domain.example\"))") == true, "\(fetch)")
            #expect(try await search(client, "SEARCH TO user-from@domain.org") == "* SEARCH 1")
            #expect(try await search(client, "SEARCH FROM \"Real Name\"") == "* SEARCH 1")
            await client.close()
        }
    }
}
