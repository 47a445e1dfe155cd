import Foundation
import LetterboxHTTP
import LetterboxStore
import Testing

@Suite("Web inbox: page, assets, list, message view, read state")
struct WebInboxRoutesTests {
    let store: MemoryStore
    let router: HTTPRouter

    init() async throws {
        store = try await Fixtures.store()
        router = HTTPRouter(store: store)
    }

    @Test("a browser gets the page with a policy that allows no inline script; curl gets the endpoint index")
    func root() async throws {
        let page = try await router.get("/", headers: ["Accept": "text/html,application/xhtml+xml;q=0.9"])
        #expect(page.status == .ok)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        let policy = try #require(page.headers["Content-Security-Policy"])
        #expect(policy.contains("script-src 'self';"))
        #expect(!policy.contains("unsafe-inline"))
        #expect(page.bodyText.contains("<script src=\"/inbox.js\" defer></script>"))
        #expect(!page.bodyText.contains("<script>"))
        let index = try await router.get("/", headers: ["Accept": "*/*"])
        #expect(index.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(index.bodyText.contains("GET    /events?<filters>"))
    }

    @Test("assets carry an ETag and revalidate with 304", arguments: ["/inbox.js", "/inbox.css"])
    func etag(path: String) async throws {
        let first = try await router.get(path)
        #expect(first.status == .ok)
        let etag = try #require(first.headers["ETag"])
        let again = try await router.get(path, headers: ["If-None-Match": etag])
        #expect(again.status.code == 304)
        #expect(again.body.isEmpty)
        #expect(try await router.get(path, headers: ["If-None-Match": "\"other\""]).status == .ok)
    }

    @Test("the page, style and script fit in 100 KB")
    func assetBudget() async throws {
        var total = 0
        for path in ["/inbox.js", "/inbox.css"] { total += try await router.get(path).body.count }
        total += try await router.get("/", headers: ["Accept": "text/html"]).body.count
        #expect(total <= 100_000, "the web inbox's files weigh \(total) octets")
    }

    @Test("list.json gives every matching id newest first and the first entries with flags, Bcc and uid")
    func list() async throws {
        let response = try await router.get("/inbox/list.json?limit=2")
        let object = try #require(try response.jsonBody() as? [String: Any])
        #expect(object["idRuns"] as? [[Int]] == [[3, 3]])
        let entries = try #require(object["entries"] as? [[String: Any]])
        #expect(entries.map { $0["id"] as? Int } == [3, 2])
        #expect(entries[0]["bcc"] as? [String] == ["zoe@example.com"])
        #expect(entries[1]["bcc"] as? [String] == [])
        #expect(entries[0]["seen"] as? Bool == false)
        #expect(entries[0]["flags"] as? [String] == [])
        #expect(entries[0]["uid"] as? Int == 3)
        #expect(entries[0]["attachments"] as? Int == 0)
        let filtered = try #require(try await router.get("/inbox/list.json?to=bob").jsonBody() as? [String: Any])
        #expect(filtered["idRuns"] as? [[Int]] == [[2, 1]])
        let some = try #require(try await router.get("/inbox/entries.json?ids=1,99,3").jsonBody() as? [String: Any])
        #expect((some["entries"] as? [[String: Any]])?.map { $0["id"] as? Int } == [1, 3])
        #expect(try await router.get("/inbox/entries.json?ids=1,x").status == .badRequest)
    }

    @Test(
        "list.json sends the ids as runs of consecutive ids, newest first: one run for a store without gaps, one more per gap"
    )
    func idRuns() async throws {
        for _ in 0..<5 {
            _ = try await store.append(
                Array("Subject: more\r\n\r\nx\r\n".utf8), envelope: Envelope(sender: "", recipients: ["x@example.com"]))
        }
        func runs(_ query: String = "") async throws -> [[Int]]? {
            let object = try await router.get("/inbox/list.json?limit=1" + query).jsonBody() as? [String: Any]
            return object?["idRuns"] as? [[Int]]
        }
        #expect(try await runs() == [[8, 8]])
        _ = store.remove(ids: [2, 5, 6])
        #expect(try await runs() == [[8, 2], [4, 2], [1, 1]])
        #expect(try await runs("&to=x@example.com") == [[8, 2], [4, 1]])
        _ = store.remove(ids: [1, 3, 4, 7, 8])
        #expect(try await runs() == [])
    }

    @Test("PUT and DELETE /messages/{id}/seen set and clear the IMAP \\Seen flag")
    func seen() async throws {
        let read = try await router.respond("PUT", "/messages/2/seen")
        #expect(read.bodyText == #"{"id":2,"flags":["\\Seen"],"seen":true}"#)
        #expect(store.flags(of: 2).contains(MessageFlags.seen))
        let unread = try await router.respond("DELETE", "/messages/2/seen")
        #expect(unread.bodyText == #"{"id":2,"flags":[],"seen":false}"#)
        #expect(!store.flags(of: 2).contains(MessageFlags.seen))
        #expect(try await router.respond("PUT", "/messages/9/seen").status == .notFound)
        #expect(try await router.respond("POST", "/messages/2/seen").status == .methodNotAllowed)
    }

    @Test("a web page on another origin cannot mark mail read")
    func crossSiteRefused() async throws {
        let response = try await router.respond(
            "PUT", "/messages/2/seen", headers: ["Host": "127.0.0.1:8025", "Origin": "http://evil.example"])
        #expect(response.status == .forbidden)
        #expect(!store.flags(of: 2).contains(MessageFlags.seen))
    }

    @Test("the message view forbids scripts, sandboxes itself, and blocks remote content until asked")
    func view() async throws {
        let response = try await router.get("/messages/3/view")
        #expect(response.status == .ok)
        #expect(response.bodyText.hasSuffix("<p>HTML news</p>"))
        let policy = try #require(response.headers["Content-Security-Policy"])
        #expect(policy.hasPrefix("default-src 'none'; img-src data:;"))
        #expect(policy.contains("sandbox allow-popups allow-popups-to-escape-sandbox"))
        #expect(!policy.contains("script"))
        let remote = try #require(try await router.get("/messages/3/view?remote=1").headers["Content-Security-Policy"])
        #expect(remote.contains("img-src data: http: https:;"))
        #expect(try await router.get("/messages/1/view").status == .notFound)
    }

    @Test("cid: references become data: URLs of the parts they name")
    func contentIDs() async throws {
        let router = try await Self.router(
            holding: """
                Content-Type: multipart/related; boundary="r"

                --r
                Content-Type: text/html

                <img src="cid:logo%40x"><img src='CID:missing@x'>
                --r
                Content-Type: image/png
                Content-ID: <logo@x>
                Content-Transfer-Encoding: base64

                iVBORw0KGgo=
                --r--

                """)
        let body = try await router.get("/messages/1/view").bodyText
        #expect(body.contains(#"<img src="data:image/png;base64,iVBORw0KGgo="><img src='CID:missing@x'>"#))
    }
}

@Suite("Mail HTML served by the inspection API never runs in the inbox's origin")
struct MailContentIsolationTests {
    @Test("GET /messages/{id}/html is sandboxed with no script allowed")
    func htmlRoute() async throws {
        let response = try await HTTPRouter(store: try await Fixtures.store()).get("/messages/3/html")
        #expect(response.status == .ok)
        let policy = try #require(response.headers["Content-Security-Policy"])
        #expect(policy.contains("default-src 'none'"))
        #expect(policy.contains("sandbox"))
        #expect(response.headers["X-Content-Type-Options"] == "nosniff")
    }

    @Test("an HTML attachment opened in a tab is sandboxed")
    func htmlPart() async throws {
        let router = try await WebInboxRoutesTests.router(
            holding: """
                Content-Type: multipart/mixed; boundary="m"

                --m
                Content-Type: text/plain

                See the page.
                --m
                Content-Type: text/html
                Content-Disposition: attachment; filename="page.html"

                <script>fetch("/messages", {method: "DELETE"})</script>
                --m--

                """)
        let response = try await router.get("/messages/1/parts/2")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Security-Policy"]?.contains("sandbox") == true)
    }
}

extension WebInboxRoutesTests {
    /// A router over a store holding one MIME message whose header section ends with `mime`
    /// (a `Content-Type` line, an empty line and the body).
    static func router(holding mime: String) async throws -> HTTPRouter {
        let store = MemoryStore()
        let raw = Fixtures.raw("From: a@example.com\nTo: b@example.com\nSubject: Test\nMIME-Version: 1.0\n" + mime)
        _ = try await store.append(raw, envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]))
        return HTTPRouter(store: store)
    }
}
