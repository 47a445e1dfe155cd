/// A resource of the inspection API, resolved from the decoded path segments.
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

    /// The route for `segments`, or nil for an unknown path (404).
    init?(segments: [String]) {
        switch segments {
        case ["healthz"]: self = .health
        case ["tls", "certificate.pem"]: self = .tlsCertificate
        case ["metrics"]: self = .metrics
        case ["openapi.json"]: self = .openAPI
        case ["messages"]: self = .messages(json: false)
        case ["messages.json"]: self = .messages(json: true)
        case ["messages", "wait"]: self = .wait(json: false)
        case ["messages", "wait.json"]: self = .wait(json: true)
        case ["faults"]: self = .faults(json: false)
        case ["faults.json"]: self = .faults(json: true)
        case let path where path.count == 2 && path[0] == "faults":
            let name = path[1]
            self =
                name.hasSuffix(".json")
                ? .fault(id: String(name.dropLast(5)), json: true) : .fault(id: name, json: false)
        case let path where path.count == 2 && path[0] == "messages":
            let name = path[1]
            self =
                name.hasSuffix(".json")
                ? .message(id: String(name.dropLast(5)), json: true) : .message(id: name, json: false)
        case let path where path.count == 3 && path[0] == "messages":
            let id = path[1]
            switch path[2] {
            case "raw": self = .raw(id: id)
            case "html": self = .html(id: id)
            case "headers": self = .headers(id: id, json: false)
            case "headers.json": self = .headers(id: id, json: true)
            case "parts": self = .parts(id: id, json: false)
            case "parts.json": self = .parts(id: id, json: true)
            default: return nil
            }
        case let path where path.count == 4 && path[0] == "messages" && path[2] == "parts":
            self = .part(id: path[1], path: path[3])
        default:
            return nil
        }
    }

    /// The path template ``OpenAPIDocument`` describes this route under (`/messages/{id}.json`).
    var template: String {
        func json(_ path: String, _ json: Bool) -> String { json ? path + ".json" : path }
        switch self {
        case .health: return "/healthz"
        case .metrics: return "/metrics"
        case .messages(let isJSON): return json("/messages", isJSON)
        case .wait(let isJSON): return json("/messages/wait", isJSON)
        case .message(_, let isJSON): return json("/messages/{id}", isJSON)
        case .raw: return "/messages/{id}/raw"
        case .html: return "/messages/{id}/html"
        case .headers(_, let isJSON): return json("/messages/{id}/headers", isJSON)
        case .parts(_, let isJSON): return json("/messages/{id}/parts", isJSON)
        case .part: return "/messages/{id}/parts/{path}"
        case .faults(let isJSON): return json("/faults", isJSON)
        case .fault(_, let isJSON): return json("/faults/{id}", isJSON)
        case .tlsCertificate: return "/tls/certificate.pem"
        case .openAPI: return "/openapi.json"
        }
    }

    /// One route of every case, in each of its forms (plain text and JSON): what
    /// `OpenAPIDocumentTests` checks the document against. Add a new case here and to ``template``.
    static let every: [HTTPRoute] =
        [.health, .metrics, .raw(id: "1"), .html(id: "1"), .part(id: "1", path: "1"), .tlsCertificate, .openAPI]
        + [false, true].flatMap { json in
            [
                .messages(json: json), .wait(json: json), .message(id: "1", json: json), .headers(id: "1", json: json),
                .parts(id: "1", json: json), .faults(json: json), .fault(id: "1", json: json),
            ]
        }

    /// The methods this resource answers; HEAD wherever GET is (RFC 9110 §9.3.2).
    var allowedMethods: [String] {
        switch self {
        case .health, .metrics, .tlsCertificate, .openAPI, .wait, .raw, .html, .headers, .parts, .part: ["GET", "HEAD"]
        case .messages, .message, .fault: ["GET", "HEAD", "DELETE"]
        case .faults: ["GET", "HEAD", "POST", "DELETE"]
        }
    }
}
