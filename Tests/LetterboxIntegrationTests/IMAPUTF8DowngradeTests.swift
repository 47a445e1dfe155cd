import Foundation
import Letterbox
import Testing

/// A message whose header is raw UTF-8 (RFC 6532): a client that did not `ENABLE UTF8=ACCEPT`
/// gets ENVELOPE and BODYSTRUCTURE in ASCII, text as RFC 2047 encoded words and a non-ASCII
/// address as an empty group naming it (RFC 6855 §7, RFC 6857 §3.1); one that enabled it gets
/// the UTF-8 as written. Over TCP, in both stores.
@Suite(.timeLimit(.minutes(3))) struct IMAPUTF8DowngradeTests {
    static let message = [
        "From: Jörg Müller <joerg@example.org>",
        "To: Zoë <zoë@exämple.org>, plain@example.org",
        "Subject: Grüße aus Köln",
        "Message-ID: <a@example.org>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Description: Bücher",
        "",
        "Hallo",
        "",
    ].joined(separator: "\r\n")

    @Test(arguments: [false, true])
    func envelopeAndBodyStructureAreASCIIUnlessUTF8IsEnabled(maildir: Bool) async throws {
        try await withIMAPCatcher(maildir: maildir) { mail in
            let client = try IMAPScriptClient(port: mail.ports.imap)
            _ = try await client.greeting()
            #expect(try await client.send("LOGIN x y").status == "OK")
            let octets = Array(Self.message.utf8)
            #expect(try await client.send(Array("APPEND Archive {\(octets.count)+}\r\n".utf8) + octets).status == "OK")
            #expect(try await client.send("SELECT Archive").status == "OK")

            let legacy = try await client.send("FETCH 1 (ENVELOPE BODYSTRUCTURE)")
            let line = try #require(legacy.untagged.first)
            #expect(line.allSatisfy { $0 < 0x80 }, "7-bit only: \(String(decoding: line, as: UTF8.self))")
            #expect(
                String(decoding: line, as: UTF8.self)
                    == "* 1 FETCH (ENVELOPE (NIL \"=?utf-8?b?R3LDvMOfZQ==?= aus =?utf-8?b?S8O2bG4=?=\""
                    + " ((\"=?utf-8?b?SsO2cmcgTcO8bGxlcg==?=\" NIL \"joerg\" \"example.org\"))"
                    + " ((\"=?utf-8?b?SsO2cmcgTcO8bGxlcg==?=\" NIL \"joerg\" \"example.org\"))"
                    + " ((\"=?utf-8?b?SsO2cmcgTcO8bGxlcg==?=\" NIL \"joerg\" \"example.org\"))"
                    + " ((NIL NIL \"=?utf-8?b?Wm/DqyA8em/Dq0BleMOkbXBsZS5vcmc+?=\" NIL)(NIL NIL NIL NIL)"
                    + "(NIL NIL \"plain\" \"example.org\")) NIL NIL NIL \"<a@example.org>\")"
                    + " BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL \"=?utf-8?b?QsO8Y2hlcg==?=\""
                    + " \"7BIT\" 7 1 NIL NIL NIL NIL))")

            #expect(try await client.send("ENABLE UTF8=ACCEPT").status == "OK")
            let modern = try #require(try await client.send("FETCH 1 (ENVELOPE)").untagged.first)
            let text = String(decoding: modern, as: UTF8.self)
            #expect(text.contains("{17}\r\nGrüße aus Köln"), "\(text)")
            #expect(text.contains("(({4}\r\nZoë NIL {4}\r\nzoë {12}\r\nexämple.org)("), "\(text)")
        }
    }
}
