/// Every route the HTTP port serves, with its OpenAPI description: the one table both the router
/// and `GET /openapi.json` are made from. A path resolves only to a template listed here, a
/// method is allowed only where it is described (HEAD wherever GET is), and ``OpenAPIDocument``
/// lists these entries as its paths: a route cannot exist without its description.
///
/// The entries are grouped by the document's tags: ``messages``, ``faults``, ``service``, ``inbox``.
/// Operations are ``OpenAPIOperation`` values; a `.json` sibling (`/messages.json`) is not written
/// out but derived from its plain entry (``Entry/init(_:_:get:post:put:delete:jsonGet:jsonPost:)``).
enum HTTPRouteTable {
    /// What a template's `{…}` segments captured from a path.
    struct PathParameters: Sendable {
        /// `{id}`: a message or fault rule id, validated by the handler (400, not 404).
        var id = ""
        /// `{path}`: a MIME section number (`1.2`), validated by the handler.
        var path = ""
        /// Whether the path is the `.json` sibling of a plain route (`/messages.json`).
        var json = false
    }

    /// One path template, the route it resolves to, and the OpenAPI operation of each method.
    struct Entry: Sendable {
        /// The path as the document names it: `/messages/{id}.json`.
        let template: String
        /// The methods described, upper-case, with the OpenAPI operation object of each (JSON text).
        let operations: [(method: String, description: String)]
        /// The route a path matching ``template`` resolves to.
        let route: @Sendable (PathParameters) -> HTTPRoute
        /// The `.json` sibling's entry (none or one), listed right after this one in ``entries``.
        fileprivate let jsonSibling: [Entry]
        fileprivate let pattern: [Segment]
        /// Whether this is a `.json` sibling: a match sets ``PathParameters/json``.
        fileprivate let json: Bool

        /// A route and its operations. With `jsonGet`, the table also serves `template` + `.json`
        /// (``PathParameters/json`` set): the same methods, GET (and POST, with `jsonPost`)
        /// answering only JSON, as ``OpenAPIOperation/jsonForm(_:)`` describes.
        init(
            _ template: String, _ route: @escaping @Sendable (PathParameters) -> HTTPRoute,
            get: OpenAPIOperation? = nil, post: OpenAPIOperation? = nil, put: OpenAPIOperation? = nil,
            delete: OpenAPIOperation? = nil, jsonGet: OpenAPIOperation.JSONForm? = nil,
            jsonPost: OpenAPIOperation.JSONForm? = nil
        ) {
            let methods = [("GET", get), ("POST", post), ("PUT", put), ("DELETE", delete)]
            let sibling = jsonGet.map { jsonGet in
                let jsonMethods = methods.map { method, operation in
                    let form = method == "GET" ? jsonGet : method == "POST" ? jsonPost : nil
                    return (method, form.flatMap { operation?.jsonForm($0) } ?? operation)
                }
                return Entry(template + ".json", route, json: true, operations: jsonMethods, jsonSibling: [])
            }
            self.init(template, route, json: false, operations: methods, jsonSibling: sibling.map { [$0] } ?? [])
        }

        private init(
            _ template: String, _ route: @escaping @Sendable (PathParameters) -> HTTPRoute, json: Bool,
            operations: [(String, OpenAPIOperation?)], jsonSibling: [Entry]
        ) {
            self.template = template
            self.route = route
            self.json = json
            self.operations = operations.compactMap { method, operation in operation.map { (method, $0.json) } }
            self.jsonSibling = jsonSibling
            pattern = template.split(separator: "/").map(Segment.init)
        }

        /// The methods this resource answers; HEAD wherever GET is (RFC 9110 §9.3.2).
        var allowedMethods: [String] {
            operations.flatMap { $0.method == "GET" ? ["GET", "HEAD"] : [$0.method] }
        }

        /// The parameters `segments` give this template, or nil when they do not match it.
        fileprivate func match(_ segments: [String]) -> PathParameters? {
            guard segments.count == pattern.count else { return nil }
            var parameters = PathParameters(json: json)
            for (segment, piece) in zip(segments, pattern) {
                switch piece {
                case .literal(let text):
                    guard segment == text else { return nil }
                case .parameter(let name, let suffix):
                    guard segment.hasSuffix(suffix) else { return nil }
                    let value = String(segment.dropLast(suffix.count))
                    if name == "path" { parameters.path = value } else { parameters.id = value }
                }
            }
            return parameters
        }

        /// How closely the template names a path that matches it: literal segments, then literal
        /// suffixes, win over parameters (`/messages/wait` over `/messages/{id}`, `{id}.json` over `{id}`).
        fileprivate var specificity: Int {
            pattern.reduce(0) { sum, piece in
                switch piece {
                case .literal: sum + 2
                case .parameter(_, let suffix): sum + (suffix.isEmpty ? 0 : 1)
                }
            }
        }
    }

    /// A template segment: literal text, or `{name}` with an optional literal suffix (`{id}.json`).
    fileprivate enum Segment: Sendable {
        case literal(String)
        case parameter(name: String, suffix: String)

        init(_ text: Substring) {
            guard text.first == "{", let close = text.firstIndex(of: "}") else {
                self = .literal(String(text))
                return
            }
            self = .parameter(
                name: String(text[text.index(after: text.startIndex)..<close]),
                suffix: String(text[text.index(after: close)...]))
        }
    }

    /// Every entry, in the document's order.
    static let entries: [Entry] = (messages + faults + service + inbox).flatMap { [$0] + $0.jsonSibling }

    /// The entry and route for decoded path segments (`[]` for `/`), or nil for an unknown path (404).
    static func resolve(_ segments: [String]) -> (entry: Entry, route: HTTPRoute)? {
        var best: (entry: Entry, parameters: PathParameters)?
        for entry in entries {
            guard let parameters = entry.match(segments) else { continue }
            if let current = best, current.entry.specificity >= entry.specificity { continue }
            best = (entry, parameters)
        }
        return best.map { ($0.entry, $0.entry.route($0.parameters)) }
    }

    /// The document's `paths` object: each entry's template with its operations.
    static var pathsJSON: String {
        let items = entries.map { entry in
            let operations = entry.operations.map { "\"\($0.method.lowercased())\": \($0.description)" }
            return "\"\(entry.template)\": {\n" + operations.joined(separator: ",\n") + "\n}"
        }
        return "\"paths\": {\n" + items.joined(separator: ",\n") + "\n}"
    }
}
