import Foundation
import LetterboxHTTP
import LetterboxStore
import Testing

@Suite("Inspection API: listing, reading, deleting")
struct HTTPRouterTests {
    let store: MemoryStore
    let router: HTTPRouter

    init() async throws {
        store = try await Fixtures.store()
        router = HTTPRouter(store: store)
    }

    // MARK: GET /messages

    @Test("GET /messages lists id, arrival, envelope sender, recipients and subject, oldest first")
    func list() async throws {
        let response = try await router.get("/messages")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(
            response.bodyText == """
                1\t2026-11-27T06:12:13Z\tshop@example.com\tana@example.com\tWelcome, Ana
                2\t2026-11-27T06:12:14Z\tbilling@example.com\tbob@example.com,carol@example.com\tYour invoice is ready
                3\t2026-11-27T06:12:15Z\tnews@example.org\tzoe@example.com\tNews

                """)
    }

    @Test("an empty store lists nothing")
    func emptyList() async throws {
        let response = try await HTTPRouter(store: MemoryStore()).get("/messages")
        #expect(response.status == .ok)
        #expect(response.body.isEmpty)
    }

    @Test(
        "filters select by recipient (envelope, To, Cc), sender, subject and since, combined with AND",
        arguments: [
            ("/messages?to=ANA@example.com", [1]),
            ("/messages?to=zoe", [3]),
            ("/messages?to=Accounts", [2]),
            ("/messages?to=list%40example.org", [3]),
            ("/messages?from=Billing", [2]),
            ("/messages?subject=INVOICE", [2]),
            ("/messages?subject=Welcome%2C+Ana", [1]),
            ("/messages?since=1", [2, 3]),
            ("/messages?since=3", []),
            ("/messages?to=example.com&from=news", [3]),
            ("/messages?to=ana&subject=news", []),
            ("/messages?to=&subject=", [1, 2, 3]),
        ])
    func filters(target: String, ids: [Int]) async throws {
        let response = try await router.get(target)
        #expect(response.status == .ok)
        let listed = response.bodyText.split(separator: "\n").compactMap { $0.split(separator: "\t").first }
        #expect(listed.compactMap { Int($0) } == ids)
    }

    @Test("an invalid since is 400")
    func invalidSince() async throws {
        let response = try await router.get("/messages?since=yesterday")
        #expect(response.status == .badRequest)
        #expect(response.bodyText == "since must be a message id (a non-negative integer), got \"yesterday\"\n")
        #expect(try await router.get("/messages?since=-1").status == .badRequest)
    }

    // MARK: GET /messages/{id}

    @Test("GET /messages/{id} shows the headers a person reads, then the text body")
    func single() async throws {
        let response = try await router.get("/messages/1")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(
            response.bodyText == """
                From: Shop <shop@example.com>
                To: Ana Lima <ana@example.com>
                Cc: 
                Subject: Welcome, Ana
                Date: Fri, 27 Nov 2026 06:12:13 +0000
                Envelope-From: shop@example.com
                Envelope-To: ana@example.com

                Hello Ana!

                """)
    }

    @Test("addresses are joined with commas; the decoded subject stays on its line; multipart shows the plain part")
    func singleDetails() async throws {
        let invoice = try await router.get("/messages/2").bodyText
        #expect(invoice.contains("\nCc: \"Carol, Accounts\" <carol@example.com>\n"))
        #expect(invoice.contains("\nSubject: Your invoice is ready\n"))
        #expect(invoice.contains("\nEnvelope-To: bob@example.com, carol@example.com\n"))
        let news = try await router.get("/messages/3").bodyText
        #expect(news.contains("\nDate: \n"))
        #expect(news.hasSuffix("\n\nPlain news"))
    }

    @Test("an unknown id is 404; an id that is not a number is 400")
    func singleErrors() async throws {
        let missing = try await router.get("/messages/99")
        #expect(missing.status == .notFound)
        #expect(missing.bodyText == "no message with id 99\n")
        let word = try await router.get("/messages/abc")
        #expect(word.status == .badRequest)
        #expect(word.bodyText == "message id must be a number, got \"abc\"\n")
        #expect(try await router.get("/messages/99/raw").status == .notFound)
        #expect(try await router.get("/messages/x/raw").status == .badRequest)
        #expect(try await router.get("/messages/99.json").status == .notFound)
    }

    // MARK: GET /messages/{id}/raw

    @Test("GET /messages/{id}/raw returns exactly the stored bytes as message/rfc822")
    func raw() async throws {
        let response = try await router.get("/messages/3/raw")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "message/rfc822")
        #expect(response.body == Fixtures.newsletter)
    }

    // MARK: JSON

    @Test("GET /messages.json is an array of summaries with the documented fields")
    func listJSON() async throws {
        let response = try await router.get("/messages.json")
        #expect(response.headers["Content-Type"] == "application/json")
        let array = try #require(try response.jsonBody() as? [[String: Any]])
        #expect(array.map { $0["id"] as? Int } == [1, 2, 3])
        let invoice = array[1]
        #expect(invoice["receivedAt"] as? String == "2026-11-27T06:12:14Z")
        #expect(invoice["subject"] as? String == "Your invoice\tis ready")
        #expect(invoice["date"] is NSNull)
        #expect(invoice["size"] as? Int == Fixtures.invoice.count)
        #expect(invoice["text"] == nil)
        let envelope = try #require(invoice["envelope"] as? [String: Any])
        #expect(envelope["from"] as? String == "billing@example.com")
        #expect(envelope["recipients"] as? [String] == ["bob@example.com", "carol@example.com"])
        #expect(envelope["helo"] as? String == "billing.example.com")
        #expect(envelope["auth"] as? String == "billing")
        #expect(envelope["peer"] as? String == "127.0.0.1:50002")
        let from = try #require(invoice["from"] as? [[String: Any]])
        #expect(from.first?["name"] as? String == "Billing")
        #expect(from.first?["address"] as? String == "billing@example.com")
        let to = try #require(invoice["to"] as? [[String: Any]])
        #expect(to.first?["name"] is NSNull)
        #expect(to.first?["address"] as? String == "bob@example.com")
        let cc = try #require(invoice["cc"] as? [[String: Any]])
        #expect(cc.first?["name"] as? String == "Carol, Accounts")
        #expect((array[0]["envelope"] as? [String: Any])?["auth"] is NSNull)
    }

    @Test("the summary keeps a stable key order")
    func keyOrder() async throws {
        let text = try await router.get("/messages/1.json").bodyText
        let keys = [
            "\"id\"", "\"receivedAt\"", "\"envelope\"", "\"subject\"", "\"date\"", "\"size\"", "\"text\"", "\"html\"",
        ]
        let positions = keys.compactMap { text.range(of: $0)?.lowerBound }
        #expect(positions.count == keys.count)
        #expect(positions == positions.sorted())
        #expect(text.hasPrefix(#"{"id":1,"receivedAt":"2026-11-27T06:12:13Z","envelope":{"from":"shop@example.com","#))
    }

    @Test("GET /messages/{id}.json adds the text and HTML bodies")
    func singleJSON() async throws {
        let news = try #require(try await router.get("/messages/3.json").jsonBody() as? [String: Any])
        #expect(news["id"] as? Int == 3)
        #expect(news["text"] as? String == "Plain news")
        #expect(news["html"] as? String == "<p>HTML news</p>")
        let welcome = try #require(try await router.get("/messages/1.json").jsonBody() as? [String: Any])
        #expect(welcome["text"] as? String == "Hello Ana!\n")
        #expect(welcome["html"] is NSNull)
        #expect(welcome["date"] as? String == "Fri, 27 Nov 2026 06:12:13 +0000")
    }

    @Test("Accept: application/json selects JSON on /messages and /messages/{id}")
    func acceptJSON() async throws {
        let accept: HTTPHeaders = ["Accept": "text/html, Application/JSON;q=0.9"]
        let list = try await router.get("/messages?to=ana", headers: accept)
        #expect(list.headers["Content-Type"] == "application/json")
        #expect((try list.jsonBody() as? [[String: Any]])?.count == 1)
        let single = try await router.get("/messages/2", headers: accept)
        #expect((try single.jsonBody() as? [String: Any])?["id"] as? Int == 2)
        let plain = try await router.get("/messages/2", headers: ["Accept": "text/plain"])
        #expect(plain.headers["Content-Type"] == "text/plain; charset=utf-8")
    }

    // MARK: DELETE

    @Test("DELETE /messages with filters removes the matching messages and answers how many")
    func deleteFiltered() async throws {
        let response = try await router.respond("DELETE", "/messages?to=example.com&since=1")
        #expect(response.status == .ok)
        #expect(response.bodyText == "2\n")
        #expect(store.messages().map(\.id) == [1])
    }

    @Test("DELETE /messages without filters empties the store")
    func deleteAll() async throws {
        #expect(try await router.respond("DELETE", "/messages").bodyText == "3\n")
        #expect(store.messages().isEmpty)
        #expect(try await router.respond("DELETE", "/messages").bodyText == "0\n")
    }

    @Test("DELETE /messages/{id} removes one message; an unknown id is 404")
    func deleteOne() async throws {
        #expect(try await router.respond("DELETE", "/messages/2").bodyText == "1\n")
        #expect(store.messages().map(\.id) == [1, 3])
        let again = try await router.respond("DELETE", "/messages/2")
        #expect(again.status == .notFound)
        #expect(again.bodyText == "no message with id 2\n")
    }

    // MARK: Health, errors

    @Test("GET /healthz answers ok")
    func health() async throws {
        let response = try await router.get("/healthz")
        #expect(response.status == .ok)
        #expect(response.bodyText == "ok\n")
    }

    @Test("HEAD is allowed wherever GET is and gets the same response")
    func head() async throws {
        for target in ["/healthz", "/metrics", "/messages", "/messages/1", "/messages/1/raw", "/messages.json"] {
            let head = try await router.respond("HEAD", target)
            let get = try await router.get(target)
            #expect(head.status == .ok, "\(target)")
            #expect(head.body.count == get.body.count, "\(target)")
        }
    }

    @Test("an unknown path is 404 with a one-line reason")
    func unknownPath() async throws {
        for target in ["/nope", "/messages/1/raw/more", "/messages/1/nope", "/messages/1/parts/1/more"] {
            let response = try await router.get(target)
            #expect(response.status == .notFound, "\(target)")
            #expect(response.bodyText.hasPrefix("no such resource: "))
            #expect(response.bodyText.filter { $0 == "\n" }.count == 1)
        }
    }

    @Test(
        "a method the resource does not support is 405 with Allow",
        arguments: [
            ("POST", "/messages", "GET, HEAD, DELETE"),
            ("PUT", "/messages/1", "GET, HEAD, DELETE"),
            ("DELETE", "/messages/1/raw", "GET, HEAD"),
            ("DELETE", "/healthz", "GET, HEAD"),
            ("POST", "/metrics", "GET, HEAD"),
            ("DELETE", "/messages/wait", "GET, HEAD"),
            ("get", "/messages", "GET, HEAD, DELETE"),
        ])
    func methodNotAllowed(method: String, target: String, allow: String) async throws {
        let response = try await router.respond(method, target)
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == allow)
        #expect(response.bodyText == "method \(method) is not allowed on \(target); use \(allow)\n")
        #expect(store.messages().count == 3)
    }
}
