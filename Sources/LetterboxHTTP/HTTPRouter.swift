package import LetterboxFaults
import LetterboxMIME
package import LetterboxStore
import LetterboxThreads

/// The inspection API: maps a request to a response against a store, without sockets.
///
/// Plain text by default; JSON for a `.json` suffix or `Accept: application/json`. Errors are
/// one line of plain text. Safe to share between tasks: it holds only `Sendable` values.
///
/// | Request | Response |
/// | --- | --- |
/// | `GET /messages[.json]?to=&from=&subject=&since=&contains=&mailbox=&q=&limit=` | one line (or object) per message, oldest first, the first `limit`; `X-Total-Count` every match |
/// | `GET /messages/{id}[.json]` | headers and text body (or the detailed object) |
/// | `GET /messages/{id}/raw` | the exact bytes, `message/rfc822` |
/// | `GET /messages/{id}/html` | the decoded HTML body, `text/html`; 404 when there is none |
/// | `GET /messages/{id}/headers[.json]` | the raw header section (or decoded name/value pairs) |
/// | `GET /messages/{id}/parts[.json]` | one line per numbered part (or the part tree) |
/// | `GET /messages/{id}/parts/{path}` | a part's decoded bytes with its content type |
/// | `GET /messages/wait[.json]?<filters>&timeout=` | the first matching message, or 408 at the timeout |
/// | `DELETE /messages?<filters>`, `DELETE /messages/{id}` | the number deleted |
/// | `GET /faults[.json]`, `GET /faults/{id}[.json]` | one line (or object) per fault rule: id, rule, hits |
/// | `POST /faults` | adds the rule in the one-line body; 201 with its line, 400 with the reason |
/// | `DELETE /faults`, `DELETE /faults/{id}` | the number of rules removed |
/// | `GET /healthz`, `GET /metrics` | `ok`, Prometheus text exposition |
/// | `GET /tls/certificate.pem` | the TLS certificate of the mail ports; 404 when TLS is off |
/// | `GET /openapi.json` | the OpenAPI 3.1 description of every route (``OpenAPIDocument``) |
///
/// Without `mailbox=`, lists, waits and deletes concern the messages captured over SMTP, in
/// whichever IMAP mailbox a client has since moved them; `mailbox=Sent` means what that mailbox
/// holds (APPENDed and copied messages too), `mailbox=*` every message in every mailbox.
package struct HTTPRouter: Sendable {
    /// Where messages are read, waited for and deleted.
    package let store: any MessageStore
    /// Called on every `GET /metrics` for counts the store does not keep.
    package let metrics: @Sendable () -> HTTPMetrics
    /// The SMTP fault rules `/faults` lists and changes.
    package let faults: FaultInjector
    /// The certificate SMTP, POP3 and IMAP present over TLS (PEM); nil when TLS is unavailable.
    package let certificatePEM: String?
    /// The hosts served and the cross-site requests refused (DNS rebinding, CSRF).
    package let browserPolicy: HTTPBrowserPolicy

    /// Seconds a wait lasts when the request names no `timeout`.
    package static let defaultWaitTimeout = 30.0
    /// The longest wait granted; longer requests are shortened to it.
    package static let maxWaitTimeout = 300.0

    /// - Parameters: `metrics`: session and error counts for `/metrics`, zeros by default;
    ///   `faults`: the rules `/faults` serves, none by default; `certificatePEM`: the certificate
    ///   `/tls/certificate.pem` serves, none by default; `browserPolicy`: the hosts served beside
    ///   the built-in ones.
    package init(
        store: any MessageStore, metrics: @escaping @Sendable () -> HTTPMetrics = { HTTPMetrics() },
        faults: FaultInjector = FaultInjector(), certificatePEM: String? = nil,
        browserPolicy: HTTPBrowserPolicy = HTTPBrowserPolicy()
    ) {
        self.store = store
        self.metrics = metrics
        self.faults = faults
        self.certificatePEM = certificatePEM
        self.browserPolicy = browserPolicy
    }

    /// The response to `request`. Never fails: problems become 4xx responses.
    ///
    /// Suspends for `/messages/wait`, until a matching message is stored or the timeout passes, and
    /// while work that reads message files (lists, details, a message's bytes) runs on the store's
    /// blocking threads, off the caller's event loop.
    package func respond(to request: HTTPRequest) async -> HTTPResponse {
        if let refusal = browserPolicy.refusal(of: request) { return .error(refusal.status, refusal.reason) }
        guard let (entry, route) = HTTPRouteTable.resolve(request.target.pathSegments) else {
            return .error(.notFound, "no such resource: \(request.path)")
        }
        let allowed = entry.allowedMethods
        guard allowed.contains(request.method) else {
            var response = HTTPResponse.error(
                .methodNotAllowed,
                "method \(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: ", "))")
            response.headers["Allow"] = allowed.joined(separator: ", ")
            return response
        }
        do {
            return try await respond(to: request, route: route)
        } catch {
            return .error(error.status, error.reason)
        }
    }

    /// Whether answering `request` may suspend for long (a long-poll), so a driver should send
    /// what it has queued first.
    package func mayWait(_ request: HTTPRequest) -> Bool {
        if case .wait = HTTPRoute(segments: request.target.pathSegments) { return true }
        return false
    }

    private func respond(to request: HTTPRequest, route: HTTPRoute) async throws(HTTPRequestError) -> HTTPResponse {
        let deleting = request.method == "DELETE"
        switch route {
        case .inboxPage, .inboxScript, .inboxStyle, .inboxList, .inboxMailboxes, .inboxEntries, .events, .view, .seen:
            return try await WebInboxRoutes(router: self).respond(to: request, route: route)
        case .health:
            return .text("ok\n")
        case .tlsCertificate:
            guard let certificatePEM else {
                throw HTTPRequestError(.notFound, "TLS is not available (libssl.so.3 not loaded; see the server log)")
            }
            return HTTPResponse(headers: ["Content-Type": "application/x-pem-file"], body: Array(certificatePEM.utf8))
        case .openAPI:
            return HTTPResponse(headers: ["Content-Type": "application/json"], body: OpenAPIDocument.json)
        case .metrics:
            let body = MetricsExposition.render(statistics: store.statistics, metrics: metrics())
            return HTTPResponse(headers: ["Content-Type": MetricsExposition.contentType], body: Array(body.utf8))
        case .messages(let json):
            let filter = try Self.filter(from: request)
            // A DELETE removes every match: a `limit` there is refused, not ignored, since a
            // client that sends `DELETE /messages?limit=1` means to delete one message, not all.
            if deleting, request.query("limit") != nil {
                throw .badRequest(
                    "limit applies to lists; DELETE /messages removes every match (DELETE /messages/{id} removes one)")
            }
            let limit = deleting ? nil : try Self.listLimit(from: request)
            let asJSON = json || Self.acceptsJSON(request)
            // Subjects and content filters read every message file of a disk store: not on the event loop.
            return await BlockingPool.offload { [store] in
                let messages = store.messages(matching: filter)
                if deleting { return .text("\(store.remove(ids: messages.map(\.id)))\n") }
                // Only the page is read and rendered: the work a list costs beyond the filter is bounded by `limit`.
                let page = messages.prefix(limit ?? messages.count)
                // A file another program removed is listed as unreadable, not as an empty message.
                let read = page.map { (message: $0, views: $0.loadedViews()) }
                var response: HTTPResponse
                if asJSON {
                    response = .json(MessageRendering.jsonList(read, store: store))
                } else {
                    response = .text(MessageRendering.list(read))
                }
                // Every match, the page's included: more remain when it exceeds the lines or
                // objects sent. A count rather than a flag or a `Link`: the filter has counted
                // every match already (so it costs nothing), it says how far a page walk still has
                // to go, and it is the common REST header for this (named like a wait's `X-Message-Id`).
                response.headers["X-Total-Count"] = String(messages.count)
                return response
            }
        case .message(let idText, let json):
            let id = try Self.messageID(idText)
            guard let message = store.message(id: id) else { throw Self.noSuchMessage(id) }
            if deleting {
                // A disk store unlinks the file: on its threads, not the event loop's.
                let removed = await store.removeEachOffTheLoop(ids: [id]).removed.count
                guard removed > 0 else {
                    // Still stored: its file could not be removed (a read-only disk); the log says why.
                    guard store.message(id: id) == nil else {
                        throw HTTPRequestError(
                            .internalServerError, "message \(id) could not be deleted; see the server log")
                    }
                    throw Self.noSuchMessage(id)
                }
                return .text("\(removed)\n")
            }
            let asJSON = json || Self.acceptsJSON(request)
            return try await rendered(message) { views throws(HTTPRequestError) in
                detail(message, views: views, json: asJSON)
            }
        case .raw(let idText):
            let (_, views) = try await message(idText)
            return HTTPResponse(headers: ["Content-Type": "message/rfc822"], body: views.raw)
        case .html(let idText):
            let id = try Self.messageID(idText)
            return try await rendered(id) { views throws(HTTPRequestError) in
                guard let html = MessageBody.html(of: views.raw, root: views.partTree) else {
                    throw HTTPRequestError(.notFound, "message \(id) has no HTML part")
                }
                // Mail HTML must never run in this origin (where it could read and delete every message).
                return HTTPResponse(
                    headers: [
                        "Content-Type": "text/html; charset=utf-8",
                        "Content-Security-Policy": MessageViewDocument.contentSecurityPolicy(remote: false),
                        "X-Content-Type-Options": "nosniff",
                    ], body: Array(html.utf8))
            }
        case .headers(let idText, let json):
            let asJSON = json || Self.acceptsJSON(request)
            return try await rendered(try Self.messageID(idText)) { views throws(HTTPRequestError) in
                if asJSON { return .json(MessageRendering.headersJSON(views.headers)) }
                return HTTPResponse(
                    headers: ["Content-Type": HTTPResponse.defaultContentType],
                    body: Array(views.partTree.headerSection(in: views.raw)))
            }
        case .parts(let idText, let json):
            let asJSON = json || Self.acceptsJSON(request)
            return try await rendered(try Self.messageID(idText)) { views throws(HTTPRequestError) in
                asJSON ? .json(MessageRendering.partTreeJSON(views)) : .text(MessageRendering.partList(views))
            }
        case .part(let idText, let pathText):
            let id = try Self.messageID(idText)
            return try await rendered(id) { views throws(HTTPRequestError) in
                guard let path = MIMEPart.sectionPath(parsing: pathText) else {
                    throw .badRequest("part must be a section number such as 1 or 1.2, got \"\(pathText)\"")
                }
                guard let part = views.partTree.part(at: path) else {
                    throw HTTPRequestError(.notFound, "message \(id) has no part \(pathText)")
                }
                return MessageRendering.partResponse(part, of: views)
            }
        case .wait(let json):
            let filter = try Self.filter(from: request)
            let timeout = try Self.waitTimeout(from: request)
            guard let message = await store.waitForMessage(matching: filter, timeout: .seconds(timeout)) else {
                let what = filter.isEmpty ? "no message" : "no message matching \(filter)"
                return .error(.requestTimeout, "\(what) arrived within \(Self.seconds(timeout))s")
            }
            let asJSON = json || Self.acceptsJSON(request)
            // Read and rendered off the event loop, as GET /messages/{id} is.
            var response = try await rendered(message) { views throws(HTTPRequestError) in
                detail(message, views: views, json: asJSON)
            }
            response.headers["X-Message-Id"] = String(message.id)
            return response
        case .faults(let json):
            return try FaultEndpoints.respond(to: request, faults: faults, json: json || Self.acceptsJSON(request))
        case .fault(let idText, let json):
            return try FaultEndpoints.respond(
                to: request, faults: faults, id: idText, json: json || Self.acceptsJSON(request))
        }
    }

    // MARK: Helpers

    /// `GET /messages/{id}` (and a wait's answer) rendered from what was read.
    private func detail(_ message: Message, views: MessageViews, json: Bool) -> HTTPResponse {
        json
            ? .json(
                MessageRendering.json(
                    message, views: .success(views), detailed: true, location: store.location(of: message.id),
                    flags: store.flags(of: message.id)))
            : .text(MessageRendering.detail(message, views: views))
    }

    /// The id a route names and that message's bytes with their parsed parts, read off the event
    /// loop: 400 for an id that is not a number, 404 for one that is not stored, 500 for one whose
    /// file cannot be read (see ``read(_:)``).
    private func message(_ idText: String) async throws(HTTPRequestError) -> (id: UInt64, views: MessageViews) {
        let id = try Self.messageID(idText)
        guard let message = store.message(id: id) else { throw Self.noSuchMessage(id) }
        return (id, try await Self.read(message))
    }

    /// What `render` makes of message `id`'s bytes and parsed parts (on the reading threads, as
    /// for a `Message`); 404 for an id that is not stored.
    private func rendered(
        _ id: UInt64, _ render: @escaping @Sendable (MessageViews) throws(HTTPRequestError) -> HTTPResponse
    ) async throws(HTTPRequestError) -> HTTPResponse {
        guard let message = store.message(id: id) else { throw Self.noSuchMessage(id) }
        return try await rendered(message, render)
    }

    /// What `render` makes of `message`'s bytes and parsed parts, read and rendered in one job on
    /// the store's reading threads: parsing the MIME tree, decoding a part or the HTML body grow
    /// with the message (a 20 MiB attachment), so none of it runs on the event loop. 500 with the
    /// reason when its file cannot be read (see ``read(_:)``).
    private func rendered(
        _ message: Message, _ render: @escaping @Sendable (MessageViews) throws(HTTPRequestError) -> HTTPResponse
    ) async throws(HTTPRequestError) -> HTTPResponse {
        let result = await BlockingPool.offload { () -> Result<HTTPResponse, HTTPRequestError> in
            let views: MessageViews
            do throws(StoreError) { views = try message.loadViews() } catch {
                return .failure(Self.unreadable(message, error))
            }
            do throws(HTTPRequestError) { return .success(try render(views)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// A message's bytes and parsed parts, read off the event loop; 500 with the reason (no server
    /// path) when its file was removed by another program or cannot be read (disk stores): never
    /// an empty message in its place.
    private static func read(_ message: Message) async throws(HTTPRequestError) -> MessageViews {
        do { return try await message.load() } catch { throw unreadable(message, error) }
    }

    private static func unreadable(_ message: Message, _ error: StoreError) -> HTTPRequestError {
        HTTPRequestError(.internalServerError, "message \(message.id) cannot be read: \(error.reason)")
    }

    private static func noSuchMessage(_ id: UInt64) -> HTTPRequestError {
        HTTPRequestError(.notFound, "no message with id \(id)")
    }

    /// Whether an `Accept` field lists `application/json` (parameters such as `q` are ignored).
    static func acceptsJSON(_ request: HTTPRequest) -> Bool {
        request.headers.tokens(for: "Accept").contains { range in
            range.split(separator: ";").first.map { $0.trimmingHTTPWhitespace() } == "application/json"
        }
    }

    /// A decimal message id.
    static func messageID(_ text: String) throws(HTTPRequestError) -> UInt64 {
        guard let id = parseUnsigned(text) else {
            throw .badRequest("message id must be a number, got \"\(text)\"")
        }
        return id
    }

    /// The `to`, `from`, `subject`, `since`, `contains`, `mailbox` and `q` (``SearchQuery``) query
    /// items as one filter, all of which must hold; empty values are ignored. 400 with the reason
    /// for a `since` or `q` that cannot be read.
    static func filter(from request: HTTPRequest) throws(HTTPRequestError) -> MessageFilter {
        func text(_ name: String) -> String? { request.query(name).flatMap { $0.isEmpty ? nil : $0 } }
        var since: UInt64?
        if let value = text("since") {
            guard let id = parseUnsigned(value) else {
                throw .badRequest("since must be a message id (a non-negative integer), got \"\(value)\"")
            }
            since = id
        }
        var terms: [SearchTerm] = []
        if let query = text("q") {
            do { terms = try SearchQuery.parse(query) } catch { throw .badRequest("q: \(error.reason)") }
        }
        return MessageFilter(
            to: text("to"), from: text("from"), subject: text("subject"), sinceID: since, contains: text("contains"),
            // Names come in UTF-8 (`mailbox=Entwürfe`); IMAP keeps them in modified UTF-7.
            mailbox: text("mailbox").map(ModifiedUTF7.encode), terms: terms)
    }

    /// The `limit` query item of a list: at most this many messages, the first in the list's
    /// order; nil (every match) without one or for an empty one. 1 or more in decimal digits
    /// (400 otherwise, `0` too: a page of nothing is a mistake); no maximum, and a number too
    /// large for an `Int` is clamped (see ``DecimalParameter``), which also means every match.
    static func listLimit(from request: HTTPRequest) throws(HTTPRequestError) -> Int? {
        guard let value = request.query("limit"), !value.isEmpty else { return nil }
        guard let limit = DecimalParameter.unsigned(value, as: UInt.self), limit > 0 else {
            throw .badRequest("limit must be a number of messages (1 or more), got \"\(value.prefix(100))\"")
        }
        return Int(clamping: limit)
    }

    /// The `timeout` query item in seconds (fractions allowed), at most ``maxWaitTimeout``: a
    /// larger one is shortened to it (see ``DecimalParameter``).
    static func waitTimeout(from request: HTTPRequest) throws(HTTPRequestError) -> Double {
        guard let value = request.query("timeout"), !value.isEmpty else { return defaultWaitTimeout }
        guard let seconds = DecimalParameter.seconds(value, maximum: maxWaitTimeout) else {
            throw .badRequest("timeout must be a number of seconds such as 5 or 0.5, got \"\(value)\"")
        }
        return seconds
    }

    /// `5` for whole seconds, else `0.2`.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// See ``DecimalParameter``: digits only, clamped to the largest id.
    private static func parseUnsigned(_ text: String) -> UInt64? { DecimalParameter.unsigned(text) }
}
