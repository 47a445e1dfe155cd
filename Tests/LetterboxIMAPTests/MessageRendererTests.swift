import LetterboxIMAP
import LetterboxStore
import Testing

/// ENVELOPE, BODYSTRUCTURE and BODY[section] as FETCH returns them (RFC 3501 §7.4.2), on the
/// shapes the Dovecot differential test found Letterbox getting wrong.
@Suite struct MessageRendererTests {
    /// The response to `FETCH 1 items` for a mailbox holding just `raw`, lines joined with CRLF.
    private func fetch(_ raw: String, _ items: String) async throws -> String {
        var script = IMAPScript()
        try await script.deliver(raw)
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        return await script.send("c FETCH 1 \(items)").joined(separator: "\r\n")
    }

    @Test func envelopeKeepsNamesAsWrittenAndGroupsAndPutsNoSpaceBetweenAddresses() async throws {
        let raw = """
            From: =?utf-8?B?TWFyw61h?= <maria@example.com>\r
            To: Team: a@example.com, "B" <b@example.com>;, c@example.com\r
            Cc: undisclosed-recipients:;\r
            Subject: groups\r
            \r
            body\r

            """
        let maria = #"(("=?utf-8?B?TWFyw61h?=" NIL "maria" "example.com"))"#
        #expect(
            try await fetch(raw, "ENVELOPE")
                == #"* 1 FETCH (ENVELOPE (NIL "groups" "# + "\(maria) \(maria) \(maria) "
                + #"((NIL NIL "Team" NIL)(NIL NIL "a" "example.com")("B" NIL "b" "example.com")(NIL NIL NIL NIL)(NIL NIL "c" "example.com")) "#
                + #"((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL NIL))"#
                + "\r\nc OK FETCH completed")
    }

    @Test func bodyStructureKeepsParameterOrderCountsLineFeedsAndReencodesRFC2231() async throws {
        let raw = """
            From: a@example.com\r
            Content-Type: multipart/mixed; boundary="b"; report-type=x\r
            \r
            --b\r
            Content-Type: text/plain; name="n.txt"; charset=utf-8\r
            \r
            one line without break\r
            --b\r
            Content-Type: message/rfc822\r
            Content-Transfer-Encoding: base64\r
            Content-Disposition: attachment; filename*=utf-8''caf%C3%A9.eml\r
            \r
            U3ViamVjdDogaGkNCg0KeA0K\r
            --b--\r

            """
        // The message/rfc822 part hidden by base64 still gets an (empty) envelope, body and line
        // count, as RFC 3501 §9 body-type-msg requires.
        #expect(
            try await fetch(raw, "BODYSTRUCTURE")
                == #"* 1 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("NAME" "n.txt" "CHARSET" "utf-8") NIL NIL "7BIT" 22 0 NIL NIL NIL NIL)"#
                + #"("MESSAGE" "RFC822" NIL NIL NIL "BASE64" 24 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "#
                + #"("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL) 0 NIL "#
                + #"("ATTACHMENT" ("FILENAME*" "utf-8''caf%C3%A9.eml")) NIL NIL) "MIXED" ("BOUNDARY" "b" "REPORT-TYPE" "x") NIL NIL NIL))"#
                + "\r\nc OK FETCH completed")
    }

    @Test func partsThatDoNotExistAreEmpty() async throws {
        let raw = "Subject: single\r\n\r\nJust text.\r\n"
        #expect(
            try await fetch(raw, "BODY.PEEK[1]") == "* 1 FETCH (BODY[1] {12}\r\nJust text.\r\n)\r\nc OK FETCH completed"
        )
        #expect(try await fetch(raw, "BODY.PEEK[1.1]") == "* 1 FETCH (BODY[1.1] {0}\r\n)\r\nc OK FETCH completed")
        #expect(try await fetch(raw, "BODY.PEEK[2]") == "* 1 FETCH (BODY[2] {0}\r\n)\r\nc OK FETCH completed")
        #expect(
            try await fetch(raw, "BODY.PEEK[1.HEADER]") == "* 1 FETCH (BODY[1.HEADER] {0}\r\n)\r\nc OK FETCH completed")
    }

    @Test func searchTextLooksIntoTheHeadersOfTheParts() async throws {
        var script = IMAPScript()
        try await script.deliver(
            "Subject: report\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nSee attached.\r\n--b\r\n"
                + "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=quarterly.pdf\r\n\r\nJVBERg==\r\n--b--\r\n"
        )
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        #expect(await script.send("c SEARCH TEXT quarterly").first == "* SEARCH 1")
        #expect(await script.send("d SEARCH BODY quarterly").first == "* SEARCH")
    }
}
