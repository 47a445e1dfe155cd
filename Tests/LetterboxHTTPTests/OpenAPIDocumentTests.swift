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

    /// The case name of a route (`message` for `.message(id:json:)`).
    private func caseName(_ route: HTTPRoute) -> String {
        Mirror(reflecting: route).children.first?.label ?? String(describing: route)
    }

    /// The text of a source file of LetterboxHTTP.
    private func source(_ path: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/LetterboxHTTP/" + path)
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The case names `HTTPRoute.swift` declares, read from the source.
    private func declaredCases() throws -> Set<String> {
        let text = try source("HTTPRoute.swift")
        let body = text.components(separatedBy: "init?(segments:").first ?? ""
        var names: Set<String> = []
        for line in body.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("case ") else { continue }
            let name = trimmed.dropFirst(5).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !name.isEmpty { names.insert(String(name)) }
        }
        return names
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

    @Test func everyRouteIsDocumented() throws {
        let paths = try #require(try document()["paths"] as? [String: Any])
        let reached = Set(paths.keys.compactMap { HTTPRoute(segments: segments($0)) }.map(caseName))
        let declared = try declaredCases()
        #expect(declared.count >= 14, "read the route cases from HTTPRoute.swift: \(declared.sorted())")
        #expect(
            declared.subtracting(reached).isEmpty,
            "routes missing from OpenAPIDocument: \(declared.subtracting(reached).sorted())")
    }

    /// The web inbox answers its routes before ``HTTPRoute`` (``WebInboxRoutes``): every path
    /// segment its `switch` names appears in a documented path.
    @Test func everyWebInboxRouteIsDocumented() throws {
        let paths = try #require(try document()["paths"] as? [String: Any])
        let documented = Set(paths.keys.flatMap { $0.split(separator: "/").map(String.init) })
        let text = try source("WebInbox/WebInboxRoutes.swift")
        var named: Set<String> = []
        for line in text.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix("case ") {
            let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
            named.formUnion(stride(from: 1, to: quoted.count, by: 2).map { String(quoted[$0]) })
        }
        #expect(named.contains("events") && named.contains("seen"), "read the segments: \(named.sorted())")
        #expect(named.subtracting(documented).isEmpty, "undocumented: \(named.subtracting(documented).sorted())")
    }

    @Test func theDocumentIsServedAsJSON() async throws {
        let router = HTTPRouter(store: MemoryStore())
        let response = await router.respond(to: try HTTPRequest(method: "GET", target: "/openapi.json"))
        #expect(response.status == .ok && response.headers["Content-Type"] == "application/json")
        #expect(response.body == OpenAPIDocument.json)
        #expect(try document()["openapi"] as? String == "3.1.0")
    }
}
