import Foundation

/// A deliberately simple blocking HTTP/1.1 client for measurements: one request per connection
/// (`Connection: close`), the answer read to its `Content-Length` or, without one, to end of file
/// (a server such as chromedriver may keep the connection open). Every wait is bounded by `timeout`.
enum BlockingHTTPClient {
    struct Failure: Error, CustomStringConvertible { let description: String }

    struct Response {
        var status: Int
        var body: [UInt8]
        /// Seconds from connecting to the end of the answer.
        var seconds: Double
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// `method target` on 127.0.0.1:`port` with `headers` (name, value) besides Host, Connection
    /// and Content-Length; throws when the connection fails, times out or the answer has no status
    /// line (a status of 4xx/5xx is returned, not thrown).
    static func request(
        _ method: String, _ target: String, port: Int, headers: [(String, String)] = [], body: [UInt8] = [],
        timeout: Double = 120
    ) throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let socket = try PeerSocket(port: port, timeout: timeout)
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        guard socket.send(Array((head + "\r\n").utf8) + body) else {
            throw Failure(description: "\(method) \(target): send failed: errno \(errno)")
        }
        let (bytes, _) = socket.receive(until: isComplete)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard let headEnd = firstIndex(of: [0x0D, 0x0A, 0x0D, 0x0A], in: bytes) else {
            throw Failure(description: "\(method) \(target): no complete answer (\(bytes.count) bytes, errno \(errno))")
        }
        let statusLine = String(decoding: bytes.prefix { $0 != 0x0D }, as: UTF8.self)
        guard let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw Failure(description: "\(method) \(target): bad status line \(statusLine.prefix(80))")
        }
        return Response(status: status, body: Array(bytes[(headEnd + 4)...]), seconds: seconds)
    }

    /// Whether `bytes` hold a head and as many body octets as its `Content-Length` names; false
    /// without a `Content-Length` (the answer then ends with the connection).
    private static func isComplete(_ bytes: [UInt8]) -> Bool {
        guard let headEnd = firstIndex(of: [0x0D, 0x0A, 0x0D, 0x0A], in: bytes) else { return false }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self).lowercased()
        guard let field = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(field.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return false }
        return bytes.count >= headEnd + 4 + length
    }

    /// Where `pattern` first occurs in `bytes`.
    static func firstIndex(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if bytes[start..<start + pattern.count].elementsEqual(pattern) { return start }
        }
        return nil
    }
}
