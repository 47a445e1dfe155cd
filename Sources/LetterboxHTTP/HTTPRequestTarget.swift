/// A request target split into a decoded path and query (RFC 9112 §3.2).
///
/// Accepts the origin form (`/messages?to=ana`) and the absolute form (`http://host/messages`),
/// whose scheme and authority are dropped. Each path segment is decoded on its own, so an escaped
/// slash (`%2F`) stays inside its segment.
package struct HTTPRequestTarget: Sendable, Equatable {
    /// One `name=value` pair of the query, both decoded (`+` as a space).
    package struct QueryItem: Sendable, Equatable {
        package var name: String
        package var value: String

        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The target exactly as received.
    package let raw: String
    /// The decoded path, e.g. `/messages/12`.
    package let path: String
    /// The decoded segments after the leading slash, e.g. `["messages", "12"]`; a trailing
    /// slash adds no empty segment, and `/` gives none.
    package let pathSegments: [String]
    /// The decoded query items in order; a name without `=` has an empty value.
    package let queryItems: [QueryItem]

    /// - Throws: ``HTTPRequestError`` (400) for a target that is not a path or has a malformed escape.
    package init(parsing raw: String) throws(HTTPRequestError) {
        self.raw = raw
        var rest = Substring(raw)
        if let schemeEnd = rest.firstRange(of: "://"), schemeEnd.lowerBound > rest.startIndex,
            rest[..<schemeEnd.lowerBound].allSatisfy(\.isLetter)
        {
            let afterAuthority = rest[schemeEnd.upperBound...]
            rest = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }).map { afterAuthority[$0...] } ?? "/"
            if rest.first == "?" { rest = "/" + rest }
        }
        guard rest.first == "/" else {
            throw .badRequest("request target must be a path such as /messages, got \"\(raw)\"")
        }
        // A fragment is never sent in a request target; ignore one rather than misroute it.
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let rawPath: Substring
        let rawQuery: Substring?
        if let question = rest.firstIndex(of: "?") {
            rawPath = rest[..<question]
            rawQuery = rest[rest.index(after: question)...]
        } else {
            rawPath = rest
            rawQuery = nil
        }

        path = try PercentDecoding.decode(rawPath, plusAsSpace: false, part: "path")
        var segments: [String] = []
        for segment in rawPath.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            segments.append(try PercentDecoding.decode(segment, plusAsSpace: false, part: "path"))
        }
        if segments.last == "" { segments.removeLast() }
        pathSegments = segments

        var items: [QueryItem] = []
        for pair in (rawQuery ?? "").split(separator: "&") {
            let name: Substring
            let value: Substring
            if let equals = pair.firstIndex(of: "=") {
                name = pair[..<equals]
                value = pair[pair.index(after: equals)...]
            } else {
                name = pair
                value = ""
            }
            items.append(
                QueryItem(
                    name: try PercentDecoding.decode(name, plusAsSpace: true, part: "query"),
                    value: try PercentDecoding.decode(value, plusAsSpace: true, part: "query")))
        }
        queryItems = items
    }

    /// The value of the first query item called `name`, or nil if there is none.
    package func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}
