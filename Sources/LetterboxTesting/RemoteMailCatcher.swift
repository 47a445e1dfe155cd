import Foundation
import Letterbox

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The testing API against a `letterbox` running elsewhere (docker-compose, another process),
/// over its HTTP endpoint. Waits use the server's long-poll, so they never poll.
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

    public func messages(_ criteria: MailCriteria) async throws -> [CapturedMail] {
        let listing = try await json(path: "/messages.json", query: query(criteria.filter))
        guard let objects = listing as? [[String: Any]] else {
            throw Failure(description: "GET /messages.json: not a JSON array")
        }
        var found: [CapturedMail] = []
        for object in objects {
            let mail = try await capturedMail(object)
            if criteria.matches(mail) { found.append(mail) }
        }
        return found
    }

    public func waitForMessages(_ count: Int, _ criteria: MailCriteria, timeout: Duration) async throws
        -> [CapturedMail]
    {
        let deadline = ContinuousClock.now + timeout
        var found: [CapturedMail] = []
        var since: UInt64?
        while found.count < count {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            var items = query(criteria.filter)
            if let since { items.append(URLQueryItem(name: "since", value: String(since))) }
            let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
            items.append(URLQueryItem(name: "timeout", value: String(format: "%.3f", seconds)))
            let (data, status) = try await request(
                "GET", path: "/messages/wait.json", query: items, timeout: seconds + 10)
            if status == 408 { break }
            guard status == 200, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw Failure(description: "GET /messages/wait.json answered \(status)")
            }
            let mail = try await capturedMail(object)
            since = mail.id
            if criteria.matches(mail) { found.append(mail) }
        }
        guard found.count < count else { return found }
        let everything = (try? await messages(.any))?.map(\.description) ?? []
        throw MailExpectationFailure(
            expected: criteria.description, waited: timeout, found: found.count, wanted: count, seen: everything)
    }

    @discardableResult
    public func deleteMessages(_ criteria: MailCriteria) async throws -> Int {
        var deleted = 0
        for mail in try await messages(criteria) {
            let (_, status) = try await request("DELETE", path: "/messages/\(mail.id)", query: [])
            if status == 200 { deleted += 1 }
        }
        return deleted
    }

    // MARK: HTTP

    private func query(_ filter: MessageFilter) -> [URLQueryItem] {
        var items: [URLQueryItem] = []
        if let to = filter.to { items.append(URLQueryItem(name: "to", value: to)) }
        if let from = filter.from { items.append(URLQueryItem(name: "from", value: from)) }
        if let subject = filter.subject { items.append(URLQueryItem(name: "subject", value: subject)) }
        if let contains = filter.contains { items.append(URLQueryItem(name: "contains", value: contains)) }
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

    private func json(path: String, query: [URLQueryItem]) async throws -> Any {
        let (data, status) = try await request("GET", path: path, query: query)
        guard status == 200 else { throw Failure(description: "GET \(path) answered \(status)") }
        return try JSONSerialization.jsonObject(with: data)
    }

    /// Builds the message from its JSON summary and its raw bytes, so every typed accessor works
    /// exactly as it does in-process.
    private func capturedMail(_ object: [String: Any]) async throws -> CapturedMail {
        guard let id = (object["id"] as? NSNumber)?.uint64Value else {
            throw Failure(description: "message without id")
        }
        let (raw, status) = try await request("GET", path: "/messages/\(id)/raw", query: [])
        guard status == 200 else { throw Failure(description: "GET /messages/\(id)/raw answered \(status)") }
        let envelope = object["envelope"] as? [String: Any] ?? [:]
        let received = (object["receivedAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date()
        let message = Message(
            id: id, raw: [UInt8](raw),
            envelope: Envelope(
                sender: envelope["from"] as? String ?? "", recipients: envelope["recipients"] as? [String] ?? [],
                helo: envelope["helo"] as? String ?? "", authenticatedAs: envelope["auth"] as? String,
                peer: envelope["peer"] as? String ?? "", receivedAt: received))
        return CapturedMail(message)
    }
}
