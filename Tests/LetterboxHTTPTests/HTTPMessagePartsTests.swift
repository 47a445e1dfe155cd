import Foundation
import LetterboxHTTP
import LetterboxMIME
import LetterboxStore
import Testing

@Suite("Inspection API: HTML, headers, parts, attachments, contains=")
struct HTTPMessagePartsTests {
    let store: MemoryStore
    let router: HTTPRouter

    /// A report with text, HTML, an inline image and a PDF with an RFC 2231 name (id 4).
    static let report = Fixtures.raw(
        """
        From: Reports <reports@example.com>
        To: ana@example.com
        Subject: =?UTF-8?Q?Monthly_r=C3=A9sum=C3=A9?=
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="m"

        --m
        Content-Type: multipart/related; boundary="r"

        --r
        Content-Type: multipart/alternative; boundary="a"

        --a
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: quoted-printable

        Totals: 42 caf=C3=A9s
        --a
        Content-Type: text/html; charset=utf-8

        <p>Totals: <b>42</b> cafés</p><img src="cid:chart@example.com">
        --a--
        --r
        Content-Type: image/png
        Content-Transfer-Encoding: base64
        Content-ID: <chart@example.com>
        Content-Disposition: inline; filename="chart.png"

        iVBORw0KGgo=
        --r--
        --m
        Content-Type: application/pdf
        Content-Transfer-Encoding: base64
        Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf

        JVBERi0xLjQK
        --m--

        """)

    init() async throws {
        store = try await Fixtures.store()
        router = HTTPRouter(store: store)
        _ = try await store.append(
            Self.report,
            envelope: Envelope(
                sender: "reports@example.com", recipients: ["ana@example.com"], helo: "reports.example.com",
                peer: "127.0.0.1:50004", receivedAt: Fixtures.firstArrival.addingTimeInterval(4)))
    }

    @Test("GET /messages/{id}/html is the decoded HTML as text/html; 404 without an HTML part")
    func html() async throws {
        let response = try await router.get("/messages/4/html")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(response.bodyText == "<p>Totals: <b>42</b> cafés</p><img src=\"cid:chart@example.com\">")
        let none = try await router.get("/messages/1/html")
        #expect(none.status == .notFound)
        #expect(none.bodyText == "message 1 has no HTML part\n")
        #expect(try await router.get("/messages/99/html").status == .notFound)
    }

    @Test("GET /messages/{id}/headers is the raw header section, blank line included")
    func headers() async throws {
        let response = try await router.get("/messages/2/headers")
        #expect(response.status == .ok)
        #expect(
            response.bodyText
                == "From: Billing <billing@example.com>\r\nTo: bob@example.com\r\nCc: \"Carol, Accounts\" <carol@example.com>\r\nSubject: =?UTF-8?Q?Your_invoice=09is_ready?=\r\n\r\n"
        )
        let json = try #require(try await router.get("/messages/2/headers.json").jsonBody() as? [[String: String]])
        #expect(json.map { $0["name"] } == ["From", "To", "Cc", "Subject"])
        #expect(json.last?["value"] == "Your invoice\tis ready")
    }

    @Test("GET /messages/{id}/parts lists section, type, disposition, file name and decoded size")
    func partList() async throws {
        let response = try await router.get("/messages/4/parts")
        #expect(response.status == .ok)
        #expect(
            response.bodyText == """
                1\tmultipart/related\t\t\t\(Self.relatedSize)
                1.1\tmultipart/alternative\t\t\t\(Self.alternativeSize)
                1.1.1\ttext/plain\t\t\t17
                1.1.2\ttext/html\t\t\t64
                1.2\timage/png\tinline\tchart.png\t8
                2\tapplication/pdf\tattachment\trésumé.pdf\t9

                """)
        #expect(try await router.get("/messages/1/parts").bodyText == "1\ttext/plain\t\t\t12\n")
    }

    /// Sizes of the multipart bodies in the report, measured from the bytes.
    static var relatedSize: Int { bodySize(from: "--r\r\nContent-Type: multipart/alternative", to: "\r\n--r--") }
    static var alternativeSize: Int { bodySize(from: "--a\r\nContent-Type: text/plain", to: "\r\n--a--") }

    private static func bodySize(from start: String, to end: String) -> Int {
        let text = String(decoding: report, as: UTF8.self)
        guard let lower = text.range(of: start)?.lowerBound, let upper = text.range(of: end)?.upperBound else {
            return -1
        }
        return text.utf8[lower..<upper].count
    }

    @Test("GET /messages/{id}/parts/{path} serves decoded bytes with the part's type and file name")
    func part() async throws {
        let plain = try await router.get("/messages/4/parts/1.1.1")
        #expect(plain.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(plain.bodyText == "Totals: 42 cafés")
        #expect(plain.headers["Content-Disposition"] == nil)
        let image = try await router.get("/messages/4/parts/1.2")
        #expect(image.headers["Content-Type"] == "image/png")
        #expect(image.body == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(image.headers["Content-Disposition"] == "inline; filename*=UTF-8''chart.png")
        let pdf = try await router.get("/messages/4/parts/2")
        #expect(pdf.bodyText == "%PDF-1.4\n")
        #expect(pdf.headers["Content-Disposition"] == "inline; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf")
        // A multipart part comes with its boundary, or its delimiters could not be told apart.
        let alternative = try await router.get("/messages/4/parts/1.1")
        #expect(alternative.headers["Content-Type"] == "multipart/alternative; boundary=\"a\"")
        #expect(alternative.bodyText.hasPrefix("--a\r\n"))
        #expect(alternative.bodyText.contains("\r\n--a--"))
        let single = try await router.get("/messages/1/parts/1")
        #expect(single.bodyText == "Hello Ana!\r\n")
        #expect(try await router.get("/messages/4/parts/3").status == .notFound)
        #expect(try await router.get("/messages/4/parts/3").bodyText == "message 4 has no part 3\n")
        let bad = try await router.get("/messages/4/parts/1.x")
        #expect(bad.status == .badRequest)
        #expect(bad.bodyText == "part must be a section number such as 1 or 1.2, got \"1.x\"\n")
        #expect(try await router.respond("DELETE", "/messages/4/parts/1").status == .methodNotAllowed)
    }

    @Test("the detailed JSON adds headers, attachments and the part tree")
    func detailJSON() async throws {
        let object = try #require(try await router.get("/messages/4.json").jsonBody() as? [String: Any])
        #expect(object["subject"] as? String == "Monthly résumé")
        #expect(object["text"] as? String == "Totals: 42 cafés")
        let headers = try #require(object["headers"] as? [[String: String]])
        #expect(headers.first { $0["name"] == "Subject" }?["value"] == "Monthly résumé")
        let attachments = try #require(object["attachments"] as? [[String: Any]])
        #expect(attachments.map { $0["part"] as? String } == ["1.2", "2"])
        #expect(attachments.map { $0["filename"] as? String } == ["chart.png", "résumé.pdf"])
        #expect(attachments.map { $0["contentType"] as? String } == ["image/png", "application/pdf"])
        #expect(attachments.map { $0["size"] as? Int } == [8, 9])
        #expect(attachments[0]["contentId"] as? String == "<chart@example.com>")
        #expect(attachments[1]["contentId"] is NSNull)
        let tree = try #require(object["parts"] as? [String: Any])
        #expect(tree["part"] is NSNull)
        #expect(tree["contentType"] as? String == "multipart/mixed")
        let children = try #require(tree["children"] as? [[String: Any]])
        #expect(children.map { $0["part"] as? String } == ["1", "2"])
        let alternative = try #require((children[0]["children"] as? [[String: Any]])?.first)
        let leaves = try #require(alternative["children"] as? [[String: Any]])
        #expect(leaves.map { $0["part"] as? String } == ["1.1.1", "1.1.2"])
        #expect(leaves[0]["lines"] as? Int == 0)
        #expect(leaves[0]["octets"] as? Int == 21)
        #expect(leaves[0]["size"] as? Int == 17)
        let summary = try #require(try await router.get("/messages.json").jsonBody() as? [[String: Any]])
        #expect(summary.allSatisfy { $0["parts"] == nil && $0["headers"] == nil })
        let welcome = try #require(try await router.get("/messages/1/parts.json").jsonBody() as? [String: Any])
        #expect(welcome["part"] as? String == "1")
        #expect((welcome["children"] as? [Any])?.isEmpty == true)
    }

    @Test(
        "contains= matches decoded text or HTML, case-insensitively, and combines with other filters",
        arguments: [
            ("/messages?contains=CAFÉS", [4]),
            ("/messages?contains=%3Cb%3E42", [4]),
            ("/messages?contains=hello+ana", [1]),
            ("/messages?contains=news", [3]),
            ("/messages?contains=news&to=ana", []),
            ("/messages?contains=nowhere", []),
            ("/messages?contains=", [1, 2, 3, 4]),
        ])
    func contains(target: String, ids: [Int]) async throws {
        let listed = try await router.get(target).bodyText.split(separator: "\n").compactMap {
            $0.split(separator: "\t").first.flatMap { Int($0) }
        }
        #expect(listed == ids)
    }

    @Test("contains= on /messages/wait and DELETE /messages")
    func containsWaitAndDelete() async throws {
        let waited = try await router.get("/messages/wait?contains=invoice+attached&timeout=0")
        #expect(waited.status == .ok)
        #expect(waited.headers["X-Message-Id"] == "2")
        let missing = try await router.get("/messages/wait?contains=nowhere&timeout=0.05")
        #expect(missing.status == .requestTimeout)
        #expect(missing.bodyText == "no message matching contains=nowhere arrived within 0.05s\n")
        #expect(try await router.respond("DELETE", "/messages?contains=plain+news").bodyText == "1\n")
        #expect(store.messages().map(\.id) == [1, 2, 4])
    }

    @Test("HEAD answers the new resources with the length GET would send")
    func head() async throws {
        for target in [
            "/messages/4/html", "/messages/4/headers", "/messages/4/headers.json", "/messages/4/parts",
            "/messages/4/parts.json", "/messages/4/parts/1.2",
        ] {
            let head = try await router.respond("HEAD", target)
            let get = try await router.get(target)
            #expect(head.status == .ok, "\(target)")
            #expect(head.body.count == get.body.count, "\(target)")
            #expect(head.headers["Content-Type"] == get.headers["Content-Type"], "\(target)")
        }
    }

    @Test("the parsed part tree is cached on the message")
    func cached() async throws {
        let message = try #require(store.message(id: 4))
        #expect(message.partTree.children.count == 2)
        #expect(message.partTree.range == message.partTree.range)
        #expect(message.html?.hasPrefix("<p>") == true)
    }
}
