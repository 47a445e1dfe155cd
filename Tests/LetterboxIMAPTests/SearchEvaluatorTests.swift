import LetterboxIMAP
import LetterboxStore
import Testing

/// BODY and TEXT keys: the raw-body fast path and the decoding path find the same messages.
@Suite struct SearchEvaluatorTests {
    private func search(_ messages: [String], _ key: String) async throws -> String {
        try await search(messages.map { Array($0.utf8) }, key)
    }

    private func search(_ messages: [[UInt8]], _ key: String) async throws -> String {
        var script = IMAPScript()
        for message in messages {
            _ = try await script.store.append(
                message, envelope: Envelope(sender: "s@example.com", recipients: ["r@example.com"]))
        }
        _ = await script.send("a LOGIN x y")
        _ = await script.send("b SELECT INBOX")
        return await script.send("c SEARCH \(key)").first ?? ""
    }

    @Test func asciiKeysMatchRawBodiesIgnoringCase() async throws {
        let messages = [
            "Subject: one\r\n\r\nnnnNnNEEDLe in a haystack\r\n",  // candidates of both cases before the match
            "Subject: two\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nno match here, nee dle\r\n",
            "Subject: three\r\n\r\nends with needl",
        ]
        #expect(try await search(messages, "BODY needle") == "* SEARCH 1")
        #expect(try await search(messages, "TEXT \"NEEDLE IN A\"") == "* SEARCH 1")
        #expect(try await search(messages, "BODY \"needl\"") == "* SEARCH 1 3")
        #expect(try await search(messages, "BODY \"t two\"") == "* SEARCH")  // headers are not the body
    }

    @Test func encodedBodiesAreSearchedDecoded() async throws {
        let messages = [
            Array(
                "Subject: qp\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nne=\r\nedle caf=C3=A9\r\n"
                    .utf8),
            Array("Subject: b64\r\nContent-Transfer-Encoding: base64\r\n\r\nbmVlZGxl\r\n".utf8),
            Array("Subject: latin1\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\ncaf".utf8) + [
                0xE9, 0x0D, 0x0A,
            ],
        ]
        #expect(try await search(messages, "BODY needle") == "* SEARCH 1 2")
        #expect(try await search(messages, "CHARSET UTF-8 BODY café") == "* SEARCH 1 3")
    }
}
