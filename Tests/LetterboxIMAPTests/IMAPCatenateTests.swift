import Foundation
import LetterboxIMAP
import LetterboxStore
import Testing

/// CATENATE (RFC 4469) transcripts: a message joined from literals and IMAP URLs (RFC 5092) to
/// messages and parts on this server, relative and absolute; `NO [BADURL …]` for what the login
/// may not read or that is gone, `NO [TOOBIG]` past the literal limit, and MULTIAPPEND all or none.
@Suite struct IMAPCatenateTests {
    static let plain = "From: a@example.com\r\nSubject: one\r\n\r\nbody one\r\n"
    static let multipart =
        "From: a@example.com\r\nSubject: two\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
        + "--XX\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n--XX\r\nContent-Type: text/plain\r\n\r\nsecond part\r\n"
        + "--XX--\r\n"

    /// A session with both messages in INBOX, INBOX selected; and INBOX's UIDVALIDITY.
    private func selected(maxLiteralSize: Int = 32 * 1024 * 1024) async throws -> (IMAPScript, String) {
        var script = IMAPScript()
        script.session = IMAPSession(
            configuration: IMAPConfiguration(maxLiteralSize: maxLiteralSize), store: script.store)
        try await script.deliver(Self.plain)
        try await script.deliver(Self.multipart)
        _ = await script.send("a LOGIN x y")
        let select = await script.send("b SELECT INBOX")
        let line = select.first { $0.contains("[UIDVALIDITY ") } ?? ""
        let validity = line.split(separator: " ").dropFirst(3).first.map(String.init) ?? ""
        return (script, validity.replacingOccurrences(of: "]", with: ""))
    }

    private static func text(_ value: String) -> String { "TEXT {\(value.utf8.count)+}\r\n\(value)" }

    @Test func joinsLiteralsAndURLsToMessagesAndParts() async throws {
        var (script, validity) = try await selected()
        let header = "From: b@example.com\r\nSubject: joined\r\n\r\n"
        #expect(
            await script.send(
                "c APPEND INBOX CATENATE (\(Self.text(header)) URL \"/INBOX;UIDVALIDITY=\(validity)/;UID=2/;SECTION=1\""
                    + " \(Self.text("\r\n--\r\n")) URL \";UID=1/;SECTION=TEXT\")") == [
                    "* 3 EXISTS", "* 3 RECENT", "c OK [APPENDUID \(validity) 3] APPEND completed",
                ])
        let joined = header + "first part" + "\r\n--\r\n" + "body one\r\n"
        #expect(
            await script.send("d FETCH 3 BODY.PEEK[]") == [
                "* 3 FETCH (BODY[] {\(joined.utf8.count)}", "From: b@example.com", "Subject: joined", "", "first part",
                "--", "body one", ")", "d OK FETCH completed",
            ])
        // An absolute URL naming this login, a whole message, a partial range (RFC 5092 §3).
        #expect(
            await script.send(
                "e APPEND INBOX CATENATE (URL \"imap://x@localhost/INBOX/;UID=1\" URL \";UID=1/;SECTION=TEXT/;PARTIAL=5.5\")"
            ).last == "e OK [APPENDUID \(validity) 4] APPEND completed")
        #expect(
            await script.send("f FETCH 4 BODY.PEEK[TEXT]") == [
                "* 4 FETCH (BODY[TEXT] {15}", "body one", "one", ")", "f OK FETCH completed",
            ])
        #expect(await script.send("g CAPABILITY").first?.contains(" CATENATE") == true)
    }

    @Test func badURLsAreRefusedAndNothingIsAppended() async throws {
        var (script, validity) = try await selected()
        let refusals = [
            "\"/INBOX;UIDVALIDITY=\(validity)9/;UID=1\"": "UIDVALIDITY",
            "\"/INBOX/;UID=9\"": "no message with UID 9",
            "\"/Nowhere/;UID=1\"": "no such mailbox",
            "\"imap://someone@localhost/INBOX/;UID=1\"": "another user",
            "\"/INBOX/;UID=1/;URLAUTH=anonymous\"": "not an IMAP URL",
            "\"/INBOX/;UID=2/;SECTION=7\"": "no such part",
            "\"/INBOX/;UID=2/;SECTION=1]x\"": "section",
            "\"http://example.com/x\"": "not an IMAP URL",
        ]
        for (url, reason) in refusals {
            let response = await script.send("c APPEND INBOX CATENATE (\(Self.text("x")) URL \(url))")
            #expect(response.count == 1 && response[0].hasPrefix("c NO [BADURL ") && response[0].contains(reason))
        }
        // MULTIAPPEND: the second message's bad URL keeps the first out too (RFC 3502 §3).
        let response = await script.send("d APPEND INBOX CATENATE (URL \";UID=1\") CATENATE (URL \";UID=5\")")
        #expect(response.first?.hasPrefix("d NO [BADURL ;UID=5]") == true)
        #expect(
            await script.send("e STATUS INBOX (MESSAGES)") == ["* STATUS INBOX (MESSAGES 2)", "e OK STATUS completed"])
        #expect(
            await script.send("f APPEND INBOX CATENATE (URL \";UID=1\") CATENATE (URL \";UID=2/;SECTION=2\")").last
                == "f OK [APPENDUID \(validity) 3:4] APPEND completed")
    }

    @Test func theJoinedMessageIsBoundedLikeAnAppend() async throws {
        var (script, _) = try await selected(maxLiteralSize: 60)
        let response = await script.send("c APPEND INBOX CATENATE (URL \";UID=1\" URL \";UID=1\")")
        #expect(response == ["c NO [TOOBIG] the joined message exceeds 60 octets"])
        #expect(await script.send("d UNSELECT").last == "d OK UNSELECT completed")
        // Without a selected mailbox a URL must name one.
        #expect(
            await script.send("e APPEND INBOX CATENATE (URL \";UID=1\")").first?.hasPrefix("e NO [BADURL ;UID=1]")
                == true)
    }

    @Test func mailboxNamesInURLsArePercentEncodedUTF8() async throws {
        var (script, _) = try await selected()
        _ = await script.send("c CREATE Entw&APw-rfe")
        _ = await script.send("d COPY 1 Entw&APw-rfe")
        #expect(
            await script.send(
                "e APPEND INBOX CATENATE (URL \"/Entw%C3%BCrfe/;UID=1/;SECTION=HEADER.FIELDS%20(SUBJECT)\")"
            )
            .last?.hasPrefix("e OK [APPENDUID") == true)
        #expect(
            await script.send("f FETCH 3 BODY.PEEK[]") == [
                "* 3 FETCH (BODY[] {16}", "Subject: one", "", ")", "f OK FETCH completed",
            ])
    }

    @Test func theParserReadsCatenateParts() {
        let parsed = IMAPParser.parse(Array("a APPEND Box (\\Seen) CATENATE (TEXT {2}\r\nhi URL \";UID=3\")".utf8))
        guard case .success(let command) = parsed, case .extendedAppend(let mailbox, let messages) = command.command
        else {
            Issue.record("not parsed: \(parsed)")
            return
        }
        #expect(mailbox == "Box" && messages.count == 1)
        #expect(messages.first?.catenate == [.text(Array("hi".utf8)), .url(";UID=3")])
        #expect(messages.first?.flags.contains(MessageFlags.seen) == true)
        for broken in ["a APPEND Box CATENATE ()", "a APPEND Box CATENATE (FILE x)", "a APPEND Box CATENATE (TEXT x)"] {
            guard case .failure = IMAPParser.parse(Array(broken.utf8)) else {
                Issue.record("parsed: \(broken)")
                continue
            }
        }
    }
}
