import Foundation
import LetterboxHTTP
import Testing

@testable import LetterboxStore

/// Bytes that can never be read, as a file another program removed.
private final class UnreadableSource: MessageBodySource {
    func views(of id: UInt64, size: Int) throws(StoreError) -> MessageViews {
        throw StoreError.system("open", path: "/gone", errno: ENOENT)
    }

    func cachedViews(of id: UInt64) -> MessageViews? { nil }
}

/// The routes that parse or decode one message (its HTML, header section, part tree, a part, the
/// inbox's view) and the inbox's entries read and render on a blocking thread in one job: their
/// answers are those they gave when the parsing ran on the event loop, errors included.
@Suite struct MessageViewsOffTheLoopTests {
    /// Welcome (1), invoice (2), newsletter (3) and a message whose file is gone (4).
    static func router() async throws -> HTTPRouter {
        let store = try await Fixtures.store()
        store.index.insert(
            Message(
                id: store.index.reserveID(), envelope: Envelope(sender: "s@example.com", recipients: ["a@example.com"]),
                size: 10, canonicalSize: 10, source: UnreadableSource()))
        return HTTPRouter(store: store)
    }

    @Test(arguments: [
        "/messages/4/html", "/messages/4/headers", "/messages/4/headers.json", "/messages/4/parts",
        "/messages/4/parts.json", "/messages/4/parts/1", "/messages/4/parts/x", "/messages/4/view", "/messages/4",
        "/messages/4.json",
    ])
    func anUnreadableMessageIs500WithTheReason(_ path: String) async throws {
        let response = try await Self.router().get(path)
        #expect(response.status == .internalServerError, "\(path): \(response.status)")
        #expect(
            String(decoding: response.body, as: UTF8.self).contains("message 4 cannot be read"),
            "\(path): \(String(decoding: response.body, as: UTF8.self))")
    }

    @Test(arguments: [
        "/messages/9/html", "/messages/9/headers", "/messages/9/parts.json", "/messages/9/parts/1",
        "/messages/9/parts/x", "/messages/9/view",
    ])
    func aMissingMessageIs404(_ path: String) async throws {
        #expect(try await Self.router().get(path).status == .notFound, "\(path)")
    }

    @Test func partsAndHTMLAtTheEdges() async throws {
        let router = try await Self.router()
        // A section that is not a number is a 400; one the message lacks, a 404.
        #expect(try await router.get("/messages/1/parts/x").status == .badRequest)
        #expect(try await router.get("/messages/1/parts/2").status == .notFound)
        #expect(try await router.get("/messages/x/parts/1").status == .badRequest)
        // A message without an HTML part: 404 for its HTML and for the inbox's view.
        #expect(try await router.get("/messages/1/html").status == .notFound)
        #expect(try await router.get("/messages/1/view").status == .notFound)

        let html = try await router.get("/messages/3/html")
        #expect(html.status == .ok)
        #expect(String(decoding: html.body, as: UTF8.self) == "<p>HTML news</p>")
        #expect(try await router.get("/messages/3/view").status == .ok)
        let part = try await router.get("/messages/3/parts/1")
        #expect(String(decoding: part.body, as: UTF8.self) == "Plain news")
        #expect(part.headers["Content-Type"] == "text/plain; charset=utf-8")
        let parts = try await router.get("/messages/3/parts")
        #expect(String(decoding: parts.body, as: UTF8.self) == "1\ttext/plain\t\t\t10\n2\ttext/html\t\t\t16\n")
        let headers = try await router.get("/messages/1/headers")
        #expect(String(decoding: headers.body, as: UTF8.self).hasPrefix("From: Shop <shop@example.com>\r\n"))
        let fields = try await router.get("/messages/1/headers.json").jsonBody() as? [[String: String]]
        #expect(fields?.first == ["name": "From", "value": "Shop <shop@example.com>"])
    }

    @Test func entriesListThoseStoredInOrderAndMarkTheUnreadable() async throws {
        let router = try await Self.router()
        let response = try await router.get("/inbox/entries.json?ids=3,9,4,1")
        #expect(response.status == .ok)
        let entries = (try response.jsonBody() as? [String: Any])?["entries"] as? [[String: Any]]
        #expect(entries?.compactMap { $0["id"] as? Int } == [3, 4, 1])
        #expect(entries?[0]["subject"] as? String == "News")
        #expect(entries?[1]["subject"] is NSNull)
        #expect((entries?[1]["unreadable"] as? String)?.isEmpty == false)
        #expect(try await router.get("/inbox/entries.json?ids=").status == .ok)
        #expect(try await router.get("/inbox/entries.json?ids=1,x").status == .badRequest)
    }

    @Test func markingSeenChangesTheFlagsAndAnswersThem() async throws {
        let router = try await Self.router()
        let read = try await router.respond("PUT", "/messages/1/seen")
        #expect((try read.jsonBody() as? [String: Any])?["seen"] as? Bool == true)
        #expect(router.store.flags(of: 1).contains(MessageFlags.seen))
        let unread = try await router.respond("DELETE", "/messages/1/seen")
        #expect((try unread.jsonBody() as? [String: Any])?["seen"] as? Bool == false)
        #expect(!router.store.flags(of: 1).contains(MessageFlags.seen))
    }
}
