import LetterboxMIME
import LetterboxStore
import LetterboxThreads

/// The routes of the web inbox (their paths and methods are in ``HTTPRouteTable/inbox``):
///
/// | Request | Response |
/// | --- | --- |
/// | `GET /` | the inbox page for browsers (`Accept: text/html`), else a plain-text index of the endpoints |
/// | `GET /inbox.js`, `GET /inbox.css` | the page's script and style (ETag, 304) |
/// | `GET /inbox/list.json?<filters>&limit=` | `{"idRuns":[[first,count],…],"entries":[…]}`: every matching id, newest first, as runs of consecutive ids (``idRuns(newestFirst:)``), and the first `limit` entries |
/// | `GET /inbox/mailboxes.json` | the mailbox names, INBOX first |
/// | `GET /inbox/entries.json?ids=1,2` | `{"entries":[…]}`: the list entries of those ids still stored |
/// | `GET /messages/{id}/view[?remote=1]` | the HTML body for a sandboxed frame, `cid:` images inlined, remote content blocked unless `remote=1` |
/// | `PUT /messages/{id}/seen`, `DELETE /messages/{id}/seen` | marks read / unread (IMAP `\Seen`); the new flags |
/// | `GET /events` | Server-Sent Events (see ``EventHub``; streamed by ``HTTPServer``) |
struct WebInboxRoutes {
    let router: HTTPRouter

    /// The most entries `list.json` and `entries.json` render in one response.
    static let maxEntries = 500

    /// The response to `request` for `route`, one of these routes (``HTTPRouter`` resolved it
    /// and checked its method against ``HTTPRouteTable``).
    func respond(to request: HTTPRequest, route: HTTPRoute) async throws(HTTPRequestError) -> HTTPResponse {
        switch route {
        case .inboxPage: return Self.root(request)
        case .inboxScript: return WebInboxAssets.script.response(to: request)
        case .inboxStyle: return WebInboxAssets.style.response(to: request)
        case .inboxList: return try await list(request)
        case .inboxMailboxes: return .json(.array(router.store.mailboxes().map { .string($0.name) }))
        case .inboxEntries: return try await entries(request)
        case .events: throw .badRequest("/events is a stream; it is served on a connection, not through the router")
        case .view(let id): return try await view(id, remote: request.query("remote") == "1")
        case .seen(let id): return try await markSeen(id, seen: request.method == "PUT")
        default: throw HTTPRequestError(.notFound, "no such resource: \(request.path)")
        }
    }

    /// The page for a browser, the endpoint index for everything else.
    static func root(_ request: HTTPRequest) -> HTTPResponse {
        let wantsHTML = request.headers.tokens(for: "Accept").contains { range in
            range.split(separator: ";").first.map { $0.trimmingHTTPWhitespace().lowercased() } == "text/html"
        }
        guard wantsHTML else { return .text(EndpointIndex.text) }
        var response = WebInboxAssets.page.response(to: request)
        response.headers["Vary"] = "Accept"
        return response
    }

    // MARK: List

    private func list(_ request: HTTPRequest) async throws(HTTPRequestError) -> HTTPResponse {
        let filter = try HTTPRouter.filter(from: request)
        let limit = try Self.limit(request)
        let store = router.store
        // Matching, ordering and encoding every id grow with the store, so the whole response is
        // made on a blocking thread, never on the event loop; only the page's files are read.
        return await BlockingPool.offload {
            let newestFirst = store.messages(matching: filter).reversed()
            let page = newestFirst.prefix(limit).map { (message: $0, views: $0.loadedViews()) }
            return .json(
                .object([
                    ("idRuns", Self.idRuns(newestFirst: newestFirst.lazy.map(\.id))),
                    ("entries", MessageRendering.jsonList(page, store: store)),
                ]))
        }
    }

    /// `ids`, descending, as `[[first, count], …]`: each run is `first`, `first - 1`, … `count`
    /// ids long. Mail is numbered as it arrives, so a store nothing was deleted from is one run
    /// however large it is (a list of 50,000 ids was 334 KB), and each deletion or filter gap
    /// adds one.
    static func idRuns(newestFirst ids: some Sequence<UInt64>) -> JSONValue {
        var runs: [JSONValue] = []
        var first: UInt64 = 0
        var count: UInt64 = 0
        for id in ids {
            if count > 0, id == first &- count {
                count += 1
                continue
            }
            if count > 0 { runs.append(.array([.int(Int(clamping: first)), .int(Int(clamping: count))])) }
            first = id
            count = 1
        }
        if count > 0 { runs.append(.array([.int(Int(clamping: first)), .int(Int(clamping: count))])) }
        return .array(runs)
    }

    private func entries(_ request: HTTPRequest) async throws(HTTPRequestError) -> HTTPResponse {
        let text = request.query("ids") ?? ""
        var ids: [UInt64] = []
        for item in text.split(separator: ",") {
            guard let id = DecimalParameter.unsigned(String(item)) else {
                throw .badRequest("ids must be message ids separated by commas, got \"\(text.prefix(100))\"")
            }
            ids.append(id)
        }
        guard ids.count <= Self.maxEntries else {
            throw .badRequest("at most \(Self.maxEntries) ids at once, got \(ids.count)")
        }
        let store = router.store
        // Up to 500 files read and as many MIME trees parsed (for the attachment counts): on a
        // blocking thread, as the list is, not on the event loop.
        return await BlockingPool.offload { [ids] in
            let read = ids.compactMap(store.message(id:)).map { (message: $0, views: $0.loadedViews()) }
            return .json(.object([("entries", MessageRendering.jsonList(read, store: store))]))
        }
    }

    private static func limit(_ request: HTTPRequest) throws(HTTPRequestError) -> Int {
        guard let text = request.query("limit"), !text.isEmpty else { return 100 }
        guard let value = DecimalParameter.unsigned(text, as: UInt.self) else {
            throw .badRequest("limit must be a number of entries, got \"\(text.prefix(100))\"")
        }
        return Int(min(value, UInt(maxEntries)))
    }

    // MARK: Message

    private func view(_ idText: String, remote: Bool) async throws(HTTPRequestError) -> HTTPResponse {
        let id = try HTTPRouter.messageID(idText)
        guard let message = router.store.message(id: id) else {
            throw HTTPRequestError(.notFound, "no message with id \(id)")
        }
        // Read, parsed, decoded and rendered in one job on a blocking thread: each step grows with
        // the message (its MIME tree, its HTML body, the `cid:` images inlined).
        let rendered = await BlockingPool.offload { () -> Result<String, HTTPRequestError> in
            let views: MessageViews
            do throws(StoreError) { views = try message.loadViews() } catch {
                return .failure(
                    HTTPRequestError(.internalServerError, "message \(id) cannot be read: \(error.reason)"))
            }
            guard let html = MessageBody.html(of: views.raw, root: views.partTree) else {
                return .failure(HTTPRequestError(.notFound, "message \(id) has no HTML part"))
            }
            return .success(MessageViewDocument.render(html: html, views: views))
        }
        let document = try rendered.get()
        return HTTPResponse(
            headers: [
                "Content-Type": "text/html; charset=utf-8",
                "Content-Security-Policy": MessageViewDocument.contentSecurityPolicy(remote: remote),
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-store",
            ], body: Array(document.utf8))
    }

    private func markSeen(_ idText: String, seen: Bool) async throws(HTTPRequestError) -> HTTPResponse {
        let id = try HTTPRouter.messageID(idText)
        let store = router.store
        guard store.message(id: id) != nil else { throw HTTPRequestError(.notFound, "no message with id \(id)") }
        let update =
            seen ? FlagUpdate.add(MessageFlags([MessageFlags.seen])) : .remove(MessageFlags([MessageFlags.seen]))
        // A disk store renames the message's file: on its threads, not the event loop's.
        let result = await store.changeFlagsOffTheLoop(update, ids: [id])
        if let failure = result.failed[id] {
            throw HTTPRequestError(
                .internalServerError, "the flags of message \(id) could not be changed: \(failure.reason)")
        }
        return .json(EventHub.flagsJSON(id: id, flags: store.flags(of: id)))
    }
}

extension HTTPStatus {
    /// RFC 9110 §15.4.5.
    static let notModified = HTTPStatus(304, "Not Modified")
}
