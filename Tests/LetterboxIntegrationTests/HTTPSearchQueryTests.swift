import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// `GET /messages?q=` and `DELETE /messages?q=` over real sockets: mail in over SMTP, searched with curl.
@Suite struct HTTPSearchQueryTests {
    private func deliver(_ message: String, from sender: String, to recipient: String, port: Int) async throws {
        let client = try LineClient(port: port)
        _ = try await client.reply()
        try await client.send("EHLO t\r\nMAIL FROM:<\(sender)>\r\nRCPT TO:<\(recipient)>\r\nDATA\r\n")
        for _ in 0..<4 { _ = try await client.reply() }
        try await client.send(message + ".\r\nQUIT\r\n")
        #expect(try await client.code() == 250)
        await client.close()
    }

    /// `curl -G --data-urlencode` each query item; the status code on the last line.
    private func request(_ method: String, _ base: String, _ items: [String]) async throws -> (
        status: Int, body: String
    ) {
        let curl = try ExternalTool.path("curl", package: "curl")
        let encoded = items.flatMap { ["--data-urlencode", $0] }
        let output = try await ExternalTool.run(
            curl,
            ["--silent", "--show-error", "--max-time", "60", "-X", method, "-G", "-w", "\n%{http_code}"] + encoded
                + ["\(base)/messages"])
        var lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n").trimmingCharacters(in: .newlines))
    }

    /// The ids in a plain-text list, first field of each line.
    private func ids(_ body: String) -> [Int] {
        body.split(separator: "\n").compactMap { line in line.split(separator: "\t").first.flatMap { Int($0) } }
    }

    private let attachment = """
        From: billing@example.com\r
        To: bo@example.com\r
        Subject: Invoice 7\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary=b\r
        \r
        --b\r
        Content-Type: text/plain\r
        \r
        See attached.\r
        --b\r
        Content-Type: application/pdf\r
        Content-Disposition: attachment; filename=invoice.pdf\r
        Content-Transfer-Encoding: base64\r
        \r
        JVBERi0xLjQK\r
        --b--\r

        """

    @Test func searchTokensSelectCombineAndDelete() async throws {
        try await withCatcher { mail in
            let smtp = mail.ports.smtp
            try await deliver(
                sampleMessage(subject: "Your reset code", to: "ana@example.com", body: "Code 123456"),
                from: "shop@example.com", to: "ana@example.com", port: smtp)
            try await deliver(attachment, from: "billing@example.com", to: "bo@example.com", port: smtp)
            try await deliver(
                sampleMessage(
                    subject: "Weekly news", to: "ana@example.com", body: String(repeating: "news ", count: 400)),
                from: "news@example.org", to: "ana@example.com", port: smtp)
            mail.store.updateFlags(.add(MessageFlags([MessageFlags.seen])), ids: [3])
            let base = "http://127.0.0.1:\(mail.ports.http)"

            #expect(try await ids(request("GET", base, ["q=to:ana"]).body) == [1, 3])
            #expect(try await ids(request("GET", base, ["q=-to:ana"]).body) == [2])
            #expect(try await ids(request("GET", base, ["q=has:attachment"]).body) == [2])
            #expect(try await ids(request("GET", base, ["q=is:unread"]).body) == [1, 2])
            #expect(try await ids(request("GET", base, ["q=is:read"]).body) == [3])
            #expect(try await ids(request("GET", base, ["q=\"code 123456\" -news"]).body) == [1])
            #expect(try await ids(request("GET", base, ["q=subject:\"weekly news\" larger:1k"]).body) == [3])
            #expect(try await ids(request("GET", base, ["q=smaller:1k"]).body) == [1, 2])
            #expect(try await ids(request("GET", base, ["q=after:1h"]).body) == [1, 2, 3])
            #expect(try await ids(request("GET", base, ["q=before:2000-01-01"]).body) == [])
            // OR binds tighter than the implicit AND (Gmail's precedence).
            #expect(try await ids(request("GET", base, ["q=from:billing OR from:news"]).body) == [2, 3])
            #expect(try await ids(request("GET", base, ["q=to:ana from:billing OR from:news"]).body) == [3])
            #expect(try await ids(request("GET", base, ["q=is:unread has:attachment OR code"]).body) == [1, 2])
            let dangling = try await request("GET", base, ["q=from:billing OR"])
            #expect(dangling.status == 400 && dangling.body.hasPrefix("q: OR needs a term on each side"))
            // Combined with the query-item filters (AND), and in the JSON form.
            #expect(try await ids(request("GET", base, ["to=ana", "q=-is:read"]).body) == [1])
            let listed = try await ExternalTool.run(
                try ExternalTool.path("curl", package: "curl"),
                ["--silent", "-G", "--data-urlencode", "q=from:billing", "\(base)/messages.json"])
            let array = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
            #expect(array?.map { $0["id"] as? Int } == [2])

            // "Delete all matching", as the web inbox offers.
            let deleted = try await request("DELETE", base, ["q=to:ana is:unread"])
            #expect(deleted.status == 200 && deleted.body == "1")
            #expect(try await ids(request("GET", base, []).body) == [2, 3])
        }
    }

    @Test func malformedQueriesAre400WithTheReason() async throws {
        try await withCatcher { mail in
            let base = "http://127.0.0.1:\(mail.ports.http)"
            let unknown = try await request("GET", base, ["q=subjet:hello"])
            #expect(unknown.status == 400)
            #expect(unknown.body.hasPrefix("q: unknown search key \"subjet:\""))
            let date = try await request("GET", base, ["q=after:tomorrowish"])
            #expect(date.status == 400 && date.body.contains("after: takes a date such as 2026-12-07"))
            let quote = try await request("DELETE", base, ["q=\"open"])
            #expect(quote.status == 400 && quote.body == "q: the quote opened at character 1 is never closed")
        }
    }
}
