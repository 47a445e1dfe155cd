import LetterboxNet
import LetterboxStore

/// One HTTP/1.1 POST of a JSON body to a webhook, judged by its status line.
enum WebhookPost {
    enum Outcome: Equatable {
        /// A 2xx status.
        case delivered
        /// A status that says the receiver will not take it (4xx but 408 and 429, 3xx): not retried.
        case refused(status: Int)
        /// No answer, a timeout, a 5xx, 408 or 429: worth another try.
        case failed(String)
    }

    /// Posts `body`; `attempt` (1 for the first) goes in `X-Letterbox-Attempt` and the message id
    /// in `X-Letterbox-Message-Id`, so a receiver can tell a retry from a new message.
    static func send(
        _ body: [UInt8], messageID: UInt64, attempt: Int, to url: WebhookURL, timeout: Duration
    ) async -> Outcome {
        // Resolving and connecting block: on a pool thread, never on the caller's.
        let connected = await BlockingPool.offload { () -> Result<Int32, NetError> in
            Result { () throws(NetError) in try Socket.connect(resolving: url.host, port: url.port) }
        }
        let connection: Connection
        do {
            let fd = try connected.get()
            let loop = try EventLoopGroup.shared.get().next()
            connection = try Connection(fd: fd, loop: loop, idleTimeout: timeout)
        } catch {
            return .failed("cannot connect: \(error)")
        }
        let head =
            "POST \(url.target) HTTP/1.1\r\nHost: \(url.hostField)\r\nUser-Agent: letterbox\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
            + "X-Letterbox-Message-Id: \(messageID)\r\nX-Letterbox-Attempt: \(attempt)\r\n\r\n"
        let outcome: Outcome
        do {
            try await connection.send(Array(head.utf8) + body)
            let line = String(decoding: try await connection.readLine(maxLength: 8192), as: UTF8.self)
            outcome = judge(statusLine: line)
        } catch {
            outcome = .failed("\(error)")
        }
        await connection.close()
        return outcome
    }

    /// The outcome a status line means (RFC 9112 §4: `HTTP/1.1 200 OK`).
    static func judge(statusLine line: String) -> Outcome {
        let fields = line.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), fields[1].count == 3, let status = Int(fields[1]) else {
            return .failed("not an HTTP status line: \(line.prefix(80))")
        }
        switch status {
        case 200..<300: return .delivered
        case 408, 429, 500..<600: return .failed("status \(status)")
        default: return .refused(status: status)
        }
    }
}
