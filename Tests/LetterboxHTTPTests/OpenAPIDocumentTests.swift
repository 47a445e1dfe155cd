import Foundation
import LetterboxStore
import Testing

@testable import LetterboxHTTP

/// `GET /openapi.json` describes exactly the routes the router serves, so the two cannot drift.
@Suite struct OpenAPIDocumentTests {
    private func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json)) as? [String: Any])
    }

    /// `/messages/{id}/parts/{path}` with sample values, as path segments.
    private func segments(_ template: String) -> [String] {
        template.split(separator: "/").map {
            String($0).replacingOccurrences(of: "{id}", with: "7").replacingOccurrences(of: "{path}", with: "1.2")
        }
    }

    /// Each documented operation is answered (not 404 "no such resource", not 405), and every other
    /// method gets 405: asked of the router itself, however a route is implemented.
    @Test func everyDocumentedPathIsRoutedWithExactlyItsMethods() async throws {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        let router = HTTPRouter(store: MemoryStore())
        let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        for (template, item) in paths.sorted(by: { $0.key < $1.key }) {
            // An endless stream, served on the connection (EventStreamTests); the router answers 400.
            if template == "/events" { continue }
            let documented = Set(item.keys.map { $0.uppercased() }).intersection(methods)
            let target =
                "/" + segments(template).joined(separator: "/") + (template.contains("wait") ? "?timeout=0" : "")
            for method in methods {
                let response = await router.respond(to: try HTTPRequest(method: method, target: target))
                let unrouted = response.status == .notFound && response.bodyText.hasPrefix("no such resource")
                if documented.contains(method) {
                    #expect(
                        !unrouted && response.status != .methodNotAllowed, "\(method) \(template): \(response.status)")
                } else if !unrouted {
                    #expect(response.status == .methodNotAllowed, "\(method) \(template) is served but not documented")
                }
            }
        }
    }

    /// The router and the document are made from one table (``HTTPRouteTable``): the document
    /// lists exactly its templates, each with a description per method, and each template's sample
    /// path resolves to that template (none is shadowed by another).
    @Test func theDocumentedPathsAreTheRouteTable() throws {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        let templates = HTTPRouteTable.entries.map(\.template)
        #expect(Set(templates).count == templates.count, "two entries share a template")
        #expect(Set(paths.keys) == Set(templates))
        for entry in HTTPRouteTable.entries {
            #expect(!entry.operations.isEmpty, "\(entry.template) describes no method")
            for (method, description) in entry.operations {
                let operation = try JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any]
                #expect(operation?["summary"] is String, "\(method) \(entry.template) has no summary")
                #expect(operation?["responses"] is [String: Any], "\(method) \(entry.template) has no responses")
            }
            #expect(
                Set(paths[entry.template]?.keys.map { $0.uppercased() } ?? [])
                    == Set(entry.operations.map(\.method)))
            #expect(HTTPRouteTable.resolve(segments(entry.template))?.entry.template == entry.template)
        }
    }

    /// A `.json` route is its plain sibling answering only JSON: the same methods, parameters and
    /// error responses, and the success of GET and POST offers `application/json` alone.
    @Test func jsonRoutesMirrorTheirPlainSiblings() throws {
        let paths = try #require(try document()["paths"] as? [String: [String: [String: Any]]])
        func canonical(_ value: Any?) throws -> Data? {
            try value.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed]) }
        }
        var siblings = 0
        for (template, item) in paths where template.hasSuffix(".json") {
            guard let plain = paths[String(template.dropLast(".json".count))] else { continue }
            siblings += 1
            #expect(Set(item.keys) == Set(plain.keys), "\(template)")
            for (method, operation) in item {
                let plainOperation = plain[method]
                #expect(try canonical(operation["parameters"]) == canonical(plainOperation?["parameters"]))
                #expect(try canonical(operation["requestBody"]) == canonical(plainOperation?["requestBody"]))
                let responses = try #require(operation["responses"] as? [String: [String: Any]], "\(template)")
                let plainResponses = plainOperation?["responses"] as? [String: [String: Any]] ?? [:]
                #expect(Set(responses.keys) == Set(plainResponses.keys), "\(method) \(template)")
                for (status, response) in responses {
                    if status.hasPrefix("2") && method != "delete" {
                        let content = response["content"] as? [String: Any]
                        #expect(content.map { Array($0.keys) } == ["application/json"], "\(method) \(template)")
                    } else {
                        #expect(try canonical(response) == canonical(plainResponses[status]), "\(method) \(template)")
                    }
                }
            }
        }
        #expect(siblings == 7)
    }

    /// A path that is not a template of the table is not served, however close it is to one.
    @Test func pathsOutsideTheTableAreNotFound() async throws {
        let router = HTTPRouter(store: MemoryStore())
        for target in ["/messages/7/nonsense", "/inbox/other.json", "/healthz/x", "/inbox", "/messages/7/parts/1/2"] {
            let response = await router.respond(to: try HTTPRequest(method: "GET", target: target))
            #expect(response.status == .notFound && response.bodyText.hasPrefix("no such resource"), "\(target)")
        }
    }

    @Test func theDocumentIsServedAsJSON() async throws {
        let router = HTTPRouter(store: MemoryStore())
        let response = await router.respond(to: try HTTPRequest(method: "GET", target: "/openapi.json"))
        #expect(response.status == .ok && response.headers["Content-Type"] == "application/json")
        #expect(response.body == OpenAPIDocument.json)
        #expect(try document()["openapi"] as? String == "3.1.0")
    }
}
