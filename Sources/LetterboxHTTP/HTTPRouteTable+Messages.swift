extension HTTPRouteTable {
    /// Messages: list, wait, read, delete.
    static let messages: [Entry] = [
        Entry(
            "/messages", { .messages(json: $0.json) },
            get: OpenAPIOperation(
                "List messages",
                description:
                    "Plain text by default; JSON with the `.json` suffix or `Accept: application/json`. \(inSMTPMail)",
                tag: "messages", parameters: .filters + [listLimit],
                responses: [
                    .ok(
                        "One line per matching message, oldest first: `id⇥receivedAt⇥envelope sender⇥envelope recipients⇥subject` (or the JSON array); the first `limit`.",
                        .plainText, .json(.array(of: .shared("MessageSummary"))), headers: [totalCount]),
                    .badRequest,
                ]),
            delete: OpenAPIOperation(
                "Delete the matching messages (all without filters)",
                description:
                    "The same filters as the list, `q` included: the web inbox's \"delete all matching\". `limit` is refused (400): a delete removes every match.",
                tag: "messages", parameters: .filters,
                responses: [.ok("The number deleted.", .plainText), .badRequest, .forbidden]),
            jsonGet: .init(
                summary: "List messages as JSON", description: "JSON array. \(inSMTPMail)",
                ok: "The matching messages, oldest first.")
        ),
        Entry(
            "/messages/wait", { .wait(json: $0.json) },
            get: OpenAPIOperation(
                "Wait for a matching message (long poll)",
                description:
                    "Answers at once when a stored message matches (messages that arrived before the request count), else when one arrives, else 408 at the timeout. Woken by arrival, never by polling.",
                tag: "messages", parameters: .filters + [.timeout],
                responses: [
                    .ok(
                        "The first matching message: header lines, an empty line, the text body (or the detailed JSON object).",
                        .plainText, .json(.shared("MessageDetail")),
                        headers: [.init("X-Message-Id", description: "The message's id.")]),
                    .badRequest, .timeout, .busy,
                ]),
            jsonGet: .init(ok: "The first matching message, detailed.")
        ),
        Entry(
            "/messages/{id}", { .message(id: $0.id, json: $0.json) },
            get: messageContent(
                "Show one message",
                .ok(
                    "Header lines a person reads (From, To, Cc, Subject, Date, Envelope-From, Envelope-To), an empty line, the text body (or the detailed JSON object).",
                    .plainText, .json(.shared("MessageDetail")))),
            delete: OpenAPIOperation(
                "Delete one message, for every protocol", tag: "messages", parameters: [.id],
                responses: [.ok("`1`.", .plainText), .badRequest, .forbidden, .notFound, .unreadable]),
            jsonGet: .init(ok: "The message with its text, HTML, headers, attachments and part tree.")
        ),
        Entry(
            "/messages/{id}/raw", { .raw(id: $0.id) },
            get: messageContent(
                "The exact bytes received",
                .ok("The message as received over SMTP (dot-unstuffed).", .init("message/rfc822", .string)))
        ),
        Entry(
            "/messages/{id}/html", { .html(id: $0.id) },
            get: messageContent(
                "The decoded HTML body",
                .ok("The first inline text/html part, decoded; 404 when there is none.", .init("text/html", .string)))
        ),
        Entry(
            "/messages/{id}/headers", { .headers(id: $0.id, json: $0.json) },
            get: messageContent(
                "The header section",
                .ok(
                    "The raw header section, as received (or decoded name/value pairs as JSON).", .plainText,
                    .json(.array(of: .shared("HeaderField"))))),
            jsonGet: .init(ok: "Every header field in order, encoded words decoded.")
        ),
        Entry(
            "/messages/{id}/parts", { .parts(id: $0.id, json: $0.json) },
            get: messageContent(
                "The MIME parts",
                .ok(
                    "One line per numbered part: `section⇥content type⇥disposition⇥file name⇥decoded size` (or the part tree as JSON).",
                    .plainText, .json(.shared("Part")))),
            jsonGet: .init(ok: "The whole MIME part tree, root first.")
        ),
        Entry(
            "/messages/{id}/parts/{path}", { .part(id: $0.id, path: $0.path) },
            get: messageContent(
                "One part's decoded bytes",
                parameters: [
                    .init(
                        "path", in: "path", required: true, description: "IMAP section number, e.g. `1` or `1.2`.",
                        schema: .init(
                            #"{"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)*$", "examples": ["1", "1.2"]}"#))
                ],
                .ok(
                    "The part's decoded body with its content type (and charset for text) and, when it has one, `Content-Disposition: inline; filename*=…`.",
                    .init("*/*", .string)))
        ),
    ]

    /// A list's page size: `?since=<last id seen>&limit=100` walks any store, each message once.
    private static let listLimit = OpenAPIOperation.Parameter(
        "limit", in: "query",
        description:
            "At most this many messages, the first of the list (oldest first); every match without it. With `since` set to the last id seen, pages through the store while mail arrives. 0, a sign or anything but digits is a 400; a larger number than the list holds lists all.",
        schema: .init(#"{"type": "integer", "minimum": 1}"#))

    /// How many messages match, `limit` aside.
    private static let totalCount = OpenAPIOperation.Header(
        "X-Total-Count",
        description:
            "How many messages match, `limit` aside (a decimal count): more remain when it exceeds the entries sent.")

    /// What a list without `mailbox` holds.
    private static let inSMTPMail =
        "Without `mailbox`, the messages captured over SMTP, wherever an IMAP client moved them."

    /// A GET of something of one message: its id in the path (and `parameters` after it), 400 for a
    /// bad id, 404 for a missing message, 500 when its file cannot be read.
    private static func messageContent(
        _ summary: String, parameters: [OpenAPIOperation.Parameter] = [], _ ok: OpenAPIOperation.Response
    ) -> OpenAPIOperation {
        OpenAPIOperation(
            summary, tag: "messages", parameters: [.id] + parameters,
            responses: [ok, .badRequest, .notFound, .unreadable])
    }
}
