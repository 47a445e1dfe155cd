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

    /// The text of a source file of LetterboxHTTP.
    private func source(_ path: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/LetterboxHTTP/" + path)
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The paths the web inbox serves before ``HTTPRoute`` (``WebInboxRoutes``).
    private let webInboxPaths: Set<String> = [
        "/", "/events", "/inbox.js", "/inbox.css", "/inbox/list.json", "/inbox/mailboxes.json", "/inbox/entries.json",
        "/messages/{id}/view", "/messages/{id}/seen",
    ]

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

    /// Checked against ``HTTPRoute`` itself: every route, in each form, is documented under its
    /// template; every documented path is a route (or one of the web inbox's), which parses back
    /// to a route with that template.
    @Test func theDocumentedPathsAreExactlyTheRoutes() throws {
        let paths = Set(try #require(try document()["paths"] as? [String: Any]).keys)
        let templates = Set(HTTPRoute.every.map(\.template))
        #expect(templates.count == HTTPRoute.every.count, "two routes share a template")
        #expect(templates.subtracting(paths).isEmpty, "undocumented routes: \(templates.subtracting(paths).sorted())")
        let unknown = paths.subtracting(templates).subtracting(webInboxPaths)
        #expect(unknown.isEmpty, "documented but not routed: \(unknown.sorted())")
        for template in templates {
            #expect(HTTPRoute(segments: segments(template))?.template == template, "\(template) does not parse back")
        }
        for path in webInboxPaths { #expect(paths.contains(path), "\(path) is not documented") }
        // Every case has a sample (a case added to HTTPRoute but not to `every` is missed above).
        #expect(Set(HTTPRoute.every.map(caseNumber)) == Set(0..<14), "HTTPRoute.every lacks a case")
    }

    /// A number per case. The switch is exhaustive: a case added to ``HTTPRoute`` stops this file
    /// compiling until it is numbered here, and then the test fails until it is in `every`.
    private func caseNumber(_ route: HTTPRoute) -> Int {
        switch route {
        case .health: 0
        case .metrics: 1
        case .messages: 2
        case .wait: 3
        case .message: 4
        case .raw: 5
        case .html: 6
        case .headers: 7
        case .parts: 8
        case .part: 9
        case .faults: 10
        case .fault: 11
        case .tlsCertificate: 12
        case .openAPI: 13
        }
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
