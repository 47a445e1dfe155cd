/// A resource of the HTTP port, resolved from the decoded path segments through
/// ``HTTPRouteTable``, which also describes each one in `GET /openapi.json`.
enum HTTPRoute: Equatable {
    /// `/healthz`
    case health
    /// `/metrics`
    case metrics
    /// `/messages`, `/messages.json`
    case messages(json: Bool)
    /// `/messages/wait`, `/messages/wait.json`
    case wait(json: Bool)
    /// `/messages/{id}`, `/messages/{id}.json`; the id is validated by the handler (400, not 404).
    case message(id: String, json: Bool)
    /// `/messages/{id}/raw`
    case raw(id: String)
    /// `/messages/{id}/html`
    case html(id: String)
    /// `/messages/{id}/headers`, `/messages/{id}/headers.json`
    case headers(id: String, json: Bool)
    /// `/messages/{id}/parts`, `/messages/{id}/parts.json`
    case parts(id: String, json: Bool)
    /// `/messages/{id}/parts/{path}`; the path (`1.2`) is validated by the handler.
    case part(id: String, path: String)
    /// `/faults`, `/faults.json`
    case faults(json: Bool)
    /// `/faults/{id}`, `/faults/{id}.json`; the id is validated by the handler.
    case fault(id: String, json: Bool)
    /// `/tls/certificate.pem`: the certificate the mail ports present.
    case tlsCertificate
    /// `/openapi.json`: the OpenAPI 3.1 description of every route.
    case openAPI
    /// `/`: the web inbox for browsers, an index of the endpoints for everything else.
    case inboxPage
    /// `/inbox.js`, `/inbox.css`: the page's script and style.
    case inboxScript, inboxStyle
    /// `/inbox/list.json`, `/inbox/mailboxes.json`, `/inbox/entries.json`: what the page loads.
    case inboxList, inboxMailboxes, inboxEntries
    /// `/events`: Server-Sent Events, streamed on the connection (``EventStream``).
    case events
    /// `/messages/{id}/view`: the HTML body for the inbox's sandboxed frame.
    case view(id: String)
    /// `/messages/{id}/seen`: marks read (PUT) or unread (DELETE).
    case seen(id: String)

    /// The route for `segments`, or nil for an unknown path (404).
    init?(segments: [String]) {
        guard let resolved = HTTPRouteTable.resolve(segments) else { return nil }
        self = resolved.route
    }

}
