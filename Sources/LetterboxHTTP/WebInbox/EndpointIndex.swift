/// What `curl localhost:8025/` prints: the endpoints, one per line, so a person at a terminal
/// finds the API without a browser.
enum EndpointIndex {
    static let text = """
        Letterbox HTTP API (plain text by default; JSON with a .json suffix or Accept: application/json)
        A browser opening / gets the web inbox.

        GET    /messages[.json]?to=&from=&subject=&since=&contains=&mailbox=&q=   list messages, oldest first
        GET    /messages[.json]?<filters>&limit=                                the first limit matches (X-Total-Count: all)
        GET    /messages/wait[.json]?<filters>&timeout=                         wait for the first match (408 at the timeout)
        GET    /messages/{id}[.json]                                            headers and text body (or every detail)
        GET    /messages/{id}/raw                                               the exact bytes (message/rfc822)
        GET    /messages/{id}/html                                              the HTML body
        GET    /messages/{id}/headers[.json]                                    the header section
        GET    /messages/{id}/parts[.json]                                      the MIME parts
        GET    /messages/{id}/parts/{part}                                      one part's decoded bytes
        PUT    /messages/{id}/seen                                              mark read (IMAP \\Seen); DELETE marks unread
        DELETE /messages[?<filters>], /messages/{id}                            delete (for every protocol)
        GET    /events?<filters>                                                Server-Sent Events: message, deleted, flags
        GET    /faults[.json]   POST /faults   DELETE /faults[/{id}]              SMTP fault rules
        GET    /healthz   GET /metrics   GET /tls/certificate.pem

        """
}
