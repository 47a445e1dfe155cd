/// One OpenAPI 3.1 operation object of ``HTTPRouteTable``, written as Swift values and rendered as
/// JSON text for ``OpenAPIDocument``: the pieces routes share (the filter parameters, the error
/// responses, schemas by name) are named once, and a `.json` route's operation is derived from
/// its plain sibling's (``jsonForm(_:)``) instead of being written again.
struct OpenAPIOperation: Sendable {
    let summary: String
    let description: String?
    let tag: String
    let parameters: [Parameter]
    /// The request body object, as JSON text.
    let requestBody: String?
    /// The responses, in order; every operation also has ``Response/error`` as its `default`.
    let responses: [Response]

    init(
        _ summary: String, description: String? = nil, tag: String, parameters: [Parameter] = [],
        requestBody: String? = nil, responses: [Response]
    ) {
        self.summary = summary
        self.description = description
        self.tag = tag
        self.parameters = parameters
        self.requestBody = requestBody
        self.responses = responses
    }

    /// The operation object as JSON text.
    var json: String {
        var members = [("summary", quoted(summary))]
        if let description { members.append(("description", quoted(description))) }
        members.append(("tags", "[\(quoted(tag))]"))
        if !parameters.isEmpty {
            members.append(("parameters", "[" + parameters.map(\.json).joined(separator: ",") + "]"))
        }
        if let requestBody { members.append(("requestBody", requestBody)) }
        members.append(("responses", jsonObject((responses + [.error]).map { ($0.status, $0.json) })))
        return jsonObject(members)
    }

    /// What a `.json` route (`/messages.json` beside `/messages`) says differently from its plain sibling.
    struct JSONForm: Sendable {
        /// The summary, when not the plain route's.
        var summary: String?
        /// The description, when not the plain route's.
        var description: String?
        /// The success response's description.
        var ok: String
    }

    /// This operation as the route's `.json` sibling answers it: the same parameters, request body
    /// and error responses; the success (2xx) response keeps only its `application/json` content.
    func jsonForm(_ form: JSONForm) -> OpenAPIOperation {
        OpenAPIOperation(
            form.summary ?? summary, description: form.description ?? description, tag: tag, parameters: parameters,
            requestBody: requestBody,
            responses: responses.map { response in
                guard response.status.hasPrefix("2") else { return response }
                return Response(
                    status: response.status, description: form.ok,
                    content: response.content.filter { $0.mediaType == "application/json" }, headers: response.headers)
            })
    }

    /// A parameter object, or a reference to one of the document's `components/parameters`.
    struct Parameter: Sendable {
        let json: String

        /// `#/components/parameters/<name>`.
        static func shared(_ name: String) -> Parameter {
            Parameter(json: reference("#/components/parameters/\(name)"))
        }

        /// A parameter described here: `place` is `query`, `path` or `header`.
        init(_ name: String, in place: String, required: Bool? = nil, description: String, schema: Schema) {
            var members = [("name", quoted(name)), ("in", quoted(place))]
            if let required { members.append(("required", required ? "true" : "false")) }
            members += [("description", quoted(description)), ("schema", schema.json)]
            json = jsonObject(members)
        }

        private init(json: String) { self.json = json }

        /// A message id, in the path.
        static let id = shared("id")
        /// How long a long poll waits.
        static let timeout = shared("timeout")
    }

    /// A schema object, as JSON text.
    struct Schema: Sendable {
        let json: String

        /// A schema written out as JSON text.
        init(_ json: String) { self.json = json }

        static let string = Schema(#"{"type": "string"}"#)
        static let object = Schema(#"{"type": "object"}"#)
        static let nonNegativeInteger = Schema(#"{"type": "integer", "minimum": 0}"#)

        /// `#/components/schemas/<name>`.
        static func shared(_ name: String) -> Schema { Schema(reference("#/components/schemas/\(name)")) }

        /// An array of `items`.
        static func array(of items: Schema) -> Schema {
            Schema(jsonObject([("type", #""array""#), ("items", items.json)]))
        }
    }

    /// A media type of a response's content: its schema, and any extension members (`x-events`).
    struct Content: Sendable {
        let mediaType: String
        let json: String

        init(_ mediaType: String, _ schema: Schema, extensions: [(String, String)] = []) {
            self.mediaType = mediaType
            json = jsonObject([("schema", schema.json)] + extensions)
        }

        /// Plain text.
        static let plainText = Content("text/plain", .string)

        /// JSON of `schema`.
        static func json(_ schema: Schema) -> Content { Content("application/json", schema) }
    }

    /// A response header, its value a string.
    struct Header: Sendable {
        let name: String
        let description: String?

        init(_ name: String, description: String? = nil) {
            self.name = name
            self.description = description
        }

        var json: String {
            jsonObject((description.map { [("description", quoted($0))] } ?? []) + [("schema", Schema.string.json)])
        }
    }

    /// A response for one status, or a reference to one of the document's `components/responses`.
    struct Response: Sendable {
        /// `200`, `404`… or `default`.
        let status: String
        let description: String
        let content: [Content]
        let headers: [Header]
        /// The `components/responses` name this refers to, if it is shared.
        private let shared: String?

        init(status: String, description: String, content: [Content] = [], headers: [Header] = []) {
            self.status = status
            self.description = description
            self.content = content
            self.headers = headers
            shared = nil
        }

        private init(status: String, shared: String) {
            self.status = status
            self.shared = shared
            description = ""
            content = []
            headers = []
        }

        /// 200 with `content`.
        static func ok(_ description: String, _ content: Content..., headers: [Header] = []) -> Response {
            Response(status: "200", description: description, content: content, headers: headers)
        }

        /// 201 with `content`.
        static func created(_ description: String, _ content: Content..., headers: [Header] = []) -> Response {
            Response(status: "201", description: description, content: content, headers: headers)
        }

        /// 304, without content.
        static func notModified(_ description: String) -> Response {
            Response(status: "304", description: description)
        }

        static let badRequest = Response(status: "400", shared: "BadRequest")
        static let forbidden = Response(status: "403", shared: "Forbidden")
        static let notFound = Response(status: "404", shared: "NotFound")
        static let timeout = Response(status: "408", shared: "Timeout")
        static let unreadable = Response(status: "500", shared: "Unreadable")
        static let busy = Response(status: "503", shared: "Busy")
        /// Any other error: one line of plain text.
        static let error = Response(status: "default", shared: "Error")

        var json: String {
            if let shared { return reference("#/components/responses/\(shared)") }
            var members = [("description", quoted(description))]
            if !content.isEmpty { members.append(("content", jsonObject(content.map { ($0.mediaType, $0.json) }))) }
            if !headers.isEmpty { members.append(("headers", jsonObject(headers.map { ($0.name, $0.json) }))) }
            return jsonObject(members)
        }
    }
}

/// `text` as a JSON string (RFC 8259 §7).
private func quoted(_ text: String) -> String {
    String(decoding: JSONValue.string(text).encoded(), as: UTF8.self)
}

/// A JSON object of members already encoded, in order.
private func jsonObject(_ members: [(String, String)]) -> String {
    "{" + members.map { quoted($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
}

/// A reference object: `{"$ref": …}`.
private func reference(_ target: String) -> String {
    jsonObject([("$ref", quoted(target))])
}

extension [OpenAPIOperation.Parameter] {
    /// The message filters every list, wait and stream takes: `to`, `from`, `subject`, `since`,
    /// `contains`, `mailbox`, `q`.
    static var filters: Self {
        ["to", "from", "subject", "since", "contains", "mailbox", "q"].map(OpenAPIOperation.Parameter.shared)
    }
}
