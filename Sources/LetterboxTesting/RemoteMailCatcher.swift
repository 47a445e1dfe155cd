public import Foundation
public import Letterbox
public import LetterboxStore

#if canImport(FoundationNetworking)
    public import FoundationNetworking
#endif

/// The testing API against a `letterbox` running elsewhere (docker-compose, another process),
/// over its HTTP endpoint, in the same words as ``MailCatcher``. Waits use the server's long
/// poll (`GET /messages/wait`), so they never poll.
///
/// ```swift
/// let mail = RemoteMailCatcher(url: URL(string: "http://letterbox:8025")!)
/// let inbox = mail.scope()
/// ```
public struct RemoteMailCatcher: MailInbox {
    /// The HTTP endpoint, e.g. `http://localhost:8025`.
    public let url: URL
    private let session: URLSession

    /// Why a request to the remote catcher failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(url: URL, session: URLSession = .shared) {
        self.url = url
        self.session = session
    }

    public func messages(matching filter: MessageFilter) async throws -> [Message] {
        let (data, status) = try await request("GET", path: "/messages.json", query: query(filter))
        guard status == 200 else { throw Failure(description: "GET /messages.json answered \(status)") }
        guard let objects = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw Failure(description: "GET /messages.json: not a JSON array")
        }
        var found: [Message] = []
        for object in objects {
            let message = try await message(object)
            if Self.locally(filter).matches(message) { found.append(message) }
        }
        return found
    }

    /// Asks the server's long poll for one matching message after another (each after the last
    /// one seen) until `wait.count` are there or its timeout has passed.
    public func waitForMessages(_ wait: MessageWait) async throws -> [Message] {
        let deadline = ContinuousClock.now + wait.timeout
        let local = Self.locally(wait.filter)
        var found: [Message] = []
        var filter = wait.filter
        while found.count < wait.count {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            var items = query(filter)
            let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
            items.append(URLQueryItem(name: "timeout", value: String(format: "%.3f", seconds)))
            let (data, status) = try await request(
                "GET", path: "/messages/wait.json", query: items, timeout: seconds + 10)
            if status == 408 { break }
            guard status == 200, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw Failure(description: "GET /messages/wait.json answered \(status)")
            }
            let message = try await message(object)
            filter.sinceID = message.id
            if local.matches(message) && (wait.predicate?(message) ?? true) { found.append(message) }
        }
        guard found.count < wait.count else { return found }
        throw WaitTimeout(wait, found: found, seen: await storedSummaries())
    }

    /// A line per stored message for ``WaitTimeout/seen``, from one `GET /messages` (its plain
    /// text has every field a summary shows): building each ``Message`` would fetch every
    /// message's bytes, one request per message, to report a failure. Empty when it fails.
    private func storedSummaries() async -> [String] {
        guard let (data, status) = try? await request("GET", path: "/messages", query: []), status == 200 else {
            return []
        }
        // `id⇥receivedAt⇥envelope sender⇥envelope recipients (comma-separated)⇥subject`
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false)
            guard fields.count == 5, let id = UInt64(fields[0]) else { return String(line) }
            return WaitTimeout.summary(
                id: id, sender: String(fields[2]), recipients: fields[3].split(separator: ",").map(String.init),
                subject: String(fields[4]))
        }
    }

    @discardableResult
    public func deleteMessages(matching filter: MessageFilter) async throws -> Int {
        if filter.recipient == nil {
            // Every criterion is one the server takes: one DELETE, which answers how many it
            // removed, instead of fetching each message and deleting it by id.
            let (data, status) = try await request("DELETE", path: "/messages", query: query(filter))
            let text = String(decoding: data, as: UTF8.self)
            guard status == 200, let count = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw Failure(description: "DELETE /messages answered \(status): \(text.prefix(200))")
            }
            return count
        }
        var deleted = 0
        for message in try await messages(matching: filter) {
            let (_, status) = try await request("DELETE", path: "/messages/\(message.id)", query: [])
            if status == 200 { deleted += 1 }
        }
        return deleted
    }

    // MARK: HTTP

    /// The criteria of `filter` the HTTP endpoint cannot take (``MessageFilter/recipient``), tested here.
    private static func locally(_ filter: MessageFilter) -> MessageFilter {
        MessageFilter(recipient: filter.recipient)
    }

    /// `filter` as the query items of `GET /messages` and `/messages/wait`.
    private func query(_ filter: MessageFilter) -> [URLQueryItem] {
        var items: [URLQueryItem] = []
        func add(_ name: String, _ value: String?) {
            if let value { items.append(URLQueryItem(name: name, value: value)) }
        }
        add("to", filter.to)
        add("from", filter.from)
        add("subject", filter.subject)
        add("contains", filter.contains)
        add("since", filter.sinceID.map(String.init))
        add("mailbox", filter.mailbox)
        add("q", filter.terms.isEmpty ? nil : SearchQuery.text(of: filter.terms))
        return items
    }

    func request(
        _ method: String, path: String, query: [URLQueryItem], body: Data? = nil, timeout: TimeInterval = 30
    ) async throws -> (Data, Int) {
        guard var components = URLComponents(url: url.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        else {
            throw Failure(description: "bad URL \(url)")
        }
        if !query.isEmpty { components.queryItems = query }
        guard let target = components.url else { throw Failure(description: "bad URL \(url)\(path)") }
        var request = URLRequest(url: target, timeoutInterval: timeout)
        request.httpMethod = method
        request.httpBody = body
        let (data, response) = try await session.data(for: request)
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }

    /// Builds the message from its JSON summary and its raw bytes, so every typed accessor works
    /// exactly as it does in-process.
    private func message(_ object: [String: Any]) async throws -> Message {
        guard let id = (object["id"] as? NSNumber)?.uint64Value else {
            throw Failure(description: "message without id")
        }
        let (raw, status) = try await request("GET", path: "/messages/\(id)/raw", query: [])
        guard status == 200 else { throw Failure(description: "GET /messages/\(id)/raw answered \(status)") }
        let envelope = object["envelope"] as? [String: Any] ?? [:]
        let received = (object["receivedAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date()
        return Message(
            id: id, raw: [UInt8](raw),
            envelope: Envelope(
                sender: envelope["from"] as? String ?? "", recipients: envelope["recipients"] as? [String] ?? [],
                helo: envelope["helo"] as? String ?? "", authenticatedAs: envelope["auth"] as? String,
                peer: envelope["peer"] as? String ?? "", receivedAt: received))
    }
}
