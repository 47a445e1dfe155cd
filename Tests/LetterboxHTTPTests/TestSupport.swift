import Foundation
import LetterboxHTTP
import LetterboxNet
import LetterboxStore

/// Messages the router tests store, with fixed arrival times so list lines can be compared exactly.
enum Fixtures {
    /// 2026-11-27T06:12:13Z
    static let firstArrival = Date(timeIntervalSince1970: 1_795_759_933)

    /// Turns the LF line breaks of a Swift literal into CRLF, as on the wire.
    static func raw(_ text: String) -> [UInt8] {
        Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }

    static let welcome = raw(
        """
        From: Shop <shop@example.com>
        To: Ana Lima <ana@example.com>
        Subject: Welcome, Ana
        Date: Fri, 27 Nov 2026 06:12:13 +0000

        Hello Ana!

        """)

    /// The subject decodes to text with a tab in it.
    static let invoice = raw(
        """
        From: Billing <billing@example.com>
        To: bob@example.com
        Cc: "Carol, Accounts" <carol@example.com>
        Subject: =?UTF-8?Q?Your_invoice=09is_ready?=

        Invoice attached.

        """)

    /// Multipart with an HTML alternative; Zoe is only on the envelope (Bcc).
    static let newsletter = raw(
        """
        From: news@example.org
        To: list@example.org
        Subject: News
        MIME-Version: 1.0
        Content-Type: multipart/alternative; boundary="b1"

        --b1
        Content-Type: text/plain; charset=utf-8

        Plain news
        --b1
        Content-Type: text/html; charset=utf-8

        <p>HTML news</p>
        --b1--

        """)

    /// A store holding welcome (id 1), invoice (id 2) and newsletter (id 3), one second apart.
    static func store() async throws -> MemoryStore {
        let store = MemoryStore()
        _ = try await store.append(
            welcome,
            envelope: Envelope(
                sender: "shop@example.com", recipients: ["ana@example.com"], helo: "mta.example.com",
                peer: "127.0.0.1:50001", receivedAt: firstArrival))
        _ = try await store.append(
            invoice,
            envelope: Envelope(
                sender: "billing@example.com", recipients: ["bob@example.com", "carol@example.com"],
                helo: "billing.example.com", authenticatedAs: "billing", peer: "127.0.0.1:50002",
                receivedAt: firstArrival.addingTimeInterval(1)))
        _ = try await store.append(
            newsletter,
            envelope: Envelope(
                sender: "news@example.org", recipients: ["zoe@example.com"], helo: "news.example.org",
                peer: "127.0.0.1:50003", receivedAt: firstArrival.addingTimeInterval(2.9)))
        return store
    }
}

extension HTTPRouter {
    /// Routes a request built from its parts.
    func respond(
        _ method: String, _ target: String, headers: HTTPHeaders = [:]
    ) async throws -> HTTPResponse {
        await respond(to: try HTTPRequest(method: method, target: target, headers: headers))
    }

    /// Routes `GET target`.
    func get(_ target: String, headers: HTTPHeaders = [:]) async throws -> HTTPResponse {
        try await respond("GET", target, headers: headers)
    }
}

extension HTTPResponse {
    /// The body parsed as JSON by Foundation (an independent parser, to check our encoder).
    func jsonBody() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    }
}

/// One response as a client reads it off the wire.
struct WireResponse {
    var statusLine: String
    var headers: [String: String]
    var body: [UInt8]
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Reads one response; `head` for the answer to a HEAD request (no body follows).
func readResponse(from client: Connection, head: Bool = false) async throws -> WireResponse {
    let statusLine = String(decoding: try await client.readLine(maxLength: 1_000), as: UTF8.self)
    var headers: [String: String] = [:]
    while true {
        let line = String(decoding: try await client.readLine(maxLength: 10_000), as: UTF8.self)
        if line.isEmpty { break }
        let parts = line.split(separator: ":", maxSplits: 1)
        headers[String(parts[0]).lowercased()] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
    }
    let length = head ? 0 : Int(headers["content-length"] ?? "0") ?? 0
    return WireResponse(statusLine: statusLine, headers: headers, body: try await client.readExactly(length))
}
