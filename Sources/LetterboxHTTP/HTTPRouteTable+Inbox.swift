extension HTTPRouteTable {
    /// The web inbox and its live events.
    static let inbox: [Entry] = [
        Entry(
            "/", { _ in .inboxPage },
            get: OpenAPIOperation(
                "The web inbox, or an index of the endpoints", tag: "inbox",
                responses: [
                    .ok(
                        "The inbox page for browsers (`Accept: text/html`); a plain-text index of the endpoints otherwise. Cached with an ETag.",
                        .init("text/html", .string), .plainText),
                    .notModified("Not modified (`If-None-Match`)."),
                ])
        ),
        Entry(
            "/events", { _ in .events },
            get: OpenAPIOperation(
                "Live events (Server-Sent Events)", tag: "inbox",
                parameters: .filters + [
                    .init(
                        "Last-Event-ID", in: "header", required: false,
                        description: "The last `id:` received; the stream resumes after it.", schema: .string),
                    .init(
                        "lastEventId", in: "query", required: false,
                        description: "As `Last-Event-ID`, for clients that cannot set the field.",
                        schema: .nonNegativeInteger),
                ],
                responses: [
                    .ok(
                        """
                        An endless `text/event-stream` (WHATWG HTML §9.2):
                        - `event: message`, `id: <message id>`, `data:` one `GET /messages.json` entry (see MessageSummary) — a message arrived that the filters select;
                        - `event: deleted`, `data: {"ids":[…]}` (see DeletedEvent);
                        - `event: flags`, `data: {"id":…,"flags":[…],"seen":…}` (see FlagsEvent) — e.g. read/unread;
                        - `event: reset`, `data: {}` — a resume asked for events no longer kept: reload the list;
                        - `retry: 1000` first, and comment lines (`: keep-alive`) every 15 s as heartbeats.
                        Reconnecting with `Last-Event-ID` (or `?lastEventId=`) resends the matching events after that id. A consumer that falls behind is disconnected, never buffered without limit. Counts against the long-poll limit (503 beyond it).
                        """,
                        .init(
                            "text/event-stream", .string,
                            extensions: [
                                (
                                    "x-events",
                                    #"""
                                    {
                                      "message": {"$ref": "#/components/schemas/MessageSummary"},
                                      "deleted": {"$ref": "#/components/schemas/DeletedEvent"},
                                      "flags": {"$ref": "#/components/schemas/FlagsEvent"},
                                      "reset": {"type": "object"}
                                    }
                                    """#
                                )
                            ])),
                    .badRequest, .busy,
                ])
        ),
        Entry("/inbox.js", { _ in .inboxScript }, get: asset("The inbox page's script", "text/javascript")),
        Entry("/inbox.css", { _ in .inboxStyle }, get: asset("The inbox page's style", "text/css")),
        Entry(
            "/inbox/list.json", { _ in .inboxList },
            get: OpenAPIOperation(
                "The inbox list: every matching id and the first entries", tag: "inbox",
                parameters: .filters + [
                    .init(
                        "limit", in: "query", description: "Entries to render, 100 by default, at most 500.",
                        schema: .nonNegativeInteger)
                ],
                responses: [
                    .ok(
                        "Every matching id, newest first, as runs of consecutive ids: `[first, count]` stands for `first`, `first - 1`, … (`count` ids). Then the list entries of the first `limit`.",
                        .json(
                            .init(
                                #"""
                                {
                                  "type": "object",
                                  "required": ["idRuns", "entries"],
                                  "properties": {
                                    "idRuns": {
                                      "type": "array",
                                      "items": {
                                        "type": "array",
                                        "items": {"type": "integer", "minimum": 1},
                                        "minItems": 2,
                                        "maxItems": 2
                                      }
                                    },
                                    "entries": {"type": "array", "items": {"$ref": "#/components/schemas/MessageSummary"}}
                                  }
                                }
                                """#))),
                    .badRequest,
                ])
        ),
        Entry(
            "/inbox/mailboxes.json", { _ in .inboxMailboxes },
            get: OpenAPIOperation(
                "The mailbox names, INBOX first", tag: "inbox", responses: [.ok("Names.", .json(.array(of: .string)))])
        ),
        Entry(
            "/inbox/entries.json", { _ in .inboxEntries },
            get: OpenAPIOperation(
                "List entries of some messages", tag: "inbox",
                parameters: [
                    .init(
                        "ids", in: "query", description: "Message ids separated by commas, at most 500.",
                        schema: .init(#"{"type": "string", "pattern": "^[0-9]+(,[0-9]+)*$", "examples": ["1,2"]}"#))
                ],
                responses: [
                    .ok(
                        "The entries of those ids still stored, in order.",
                        .json(
                            .init(
                                #"""
                                {
                                  "type": "object",
                                  "required": ["entries"],
                                  "properties": {
                                    "entries": {"type": "array", "items": {"$ref": "#/components/schemas/MessageSummary"}}
                                  }
                                }
                                """#))),
                    .badRequest,
                ])
        ),
        Entry(
            "/messages/{id}/view", { .view(id: $0.id) },
            get: OpenAPIOperation(
                "The HTML body for the inbox's sandboxed frame", tag: "inbox",
                parameters: [
                    .id,
                    .init(
                        "remote", in: "query", description: "`1` allows remote images and fonts.",
                        schema: .init(#"{"type": "string", "enum": ["0", "1"]}"#)),
                ],
                responses: [
                    .ok(
                        "The HTML body as a document for a sandboxed frame: `cid:` images inlined, remote content blocked by its `Content-Security-Policy` unless `remote=1`.",
                        .init("text/html", .string)),
                    .badRequest, .notFound, .unreadable,
                ])
        ),
        Entry(
            "/messages/{id}/seen", { .seen(id: $0.id) },
            put: setFlags("Mark read (IMAP `\\Seen`, for every protocol)"),
            delete: setFlags("Mark unread")
        ),
    ]

    /// A GET of one of the page's files, cached with an ETag.
    private static func asset(_ summary: String, _ mediaType: String) -> OpenAPIOperation {
        OpenAPIOperation(
            summary, tag: "inbox",
            responses: [
                .ok(
                    "\(summary); `ETag`, revalidate with `If-None-Match`.", .init(mediaType, .string),
                    headers: [.init("ETag")]),
                .notModified("Not modified."),
            ])
    }

    /// A change of a message's `\Seen` flag, answered with its new flags.
    private static func setFlags(_ summary: String) -> OpenAPIOperation {
        OpenAPIOperation(
            summary, tag: "inbox", parameters: [.id],
            responses: [
                .ok("The message's new flags.", .json(.shared("FlagsEvent"))), .badRequest, .forbidden, .notFound,
                .unreadable,
            ])
    }
}
