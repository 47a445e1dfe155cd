import LetterboxNet
import LetterboxStore
import LetterboxThreads
import Synchronization

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
    ///
    /// The whole attempt, connecting included, ends within `timeout`; resolving the host and
    /// connecting within `connectTimeout` (at most `timeout`): a receiver that never answers the SYN or the request
    /// holds the sender no longer than that, however it trickles.
    static func send(
        _ body: [UInt8], messageID: UInt64, attempt: Int, to url: WebhookURL, resolver: WebhookResolver,
        connectPool: BlockingPool, connectTimeout: Duration, timeout: Duration
    ) async -> Outcome {
        let start = ContinuousClock.now
        let connectTimeout = min(connectTimeout, timeout)
        // Resolving and connecting block; both within the connect timeout. The lookup runs on a
        // thread the attempt may abandon (``WebhookResolver``), connecting on a pool thread. What
        // is left of the timeout after the lookup is the connect's own: a wait for a free pool
        // thread is this process's delay, not the receiver's, and does not count against it.
        let addresses: [String]
        switch await resolver.addresses(of: url.host, port: url.port, timeout: connectTimeout) {
        case .success(let found): addresses = found
        case .failure(let error): return .failed("cannot resolve: \(error)")
        }
        let connectBudget = max(.zero, connectTimeout - (ContinuousClock.now - start))
        let connected = await connectPool.perform { () -> Result<Int32, NetError> in
            Result { () throws(NetError) in
                try Socket.connect(host: url.host, addresses: addresses, port: url.port, timeout: connectBudget)
            }
        }
        let connection: Connection
        do {
            let fd = try connected.get()
            let loop = try EventLoopGroup.shared.get().next()
            // The watchdog below ends the attempt; the connection's own timeouts (per wait, per
            // line) are only a backstop, longer so they never pre-empt it with another reason.
            connection = try Connection(fd: fd, loop: loop, idleTimeout: timeout * 2)
        } catch {
            return .failed("cannot connect: \(error)")
        }
        // The deadline of the whole attempt: past it, the connection is aborted, which ends any wait.
        let expired = Expiry()
        let watchdog = Task { [handle = connection.handle] in
            guard (try? await Task.sleep(until: start + timeout)) != nil else { return }
            expired.fire()
            handle.abort()
        }
        let head =
            "POST \(url.target) HTTP/1.1\r\nHost: \(url.hostField)\r\nUser-Agent: letterbox\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
            + "X-Letterbox-Message-Id: \(messageID)\r\nX-Letterbox-Attempt: \(attempt)\r\n\r\n"
        var outcome: Outcome
        do {
            try await connection.send(Array(head.utf8) + body)
            let line = String(decoding: try await connection.readLine(maxLength: 8192), as: UTF8.self)
            outcome = judge(statusLine: line)
        } catch {
            outcome = .failed("\(error)")
        }
        watchdog.cancel()
        // Past the deadline, whichever wait noticed first (the watchdog's task may run late on a
        // busy machine, after a connection timeout ended the read), the attempt ran out of time.
        if expired.fired || ContinuousClock.now >= start + timeout, case .failed = outcome {
            outcome = .failed("no answer within \(timeout)")
        }
        await connection.close()
        return outcome
    }

    /// Set once an attempt's deadline has passed.
    private final class Expiry: Sendable {
        private let flag = Atomic<Bool>(false)
        func fire() { flag.store(true, ordering: .relaxed) }
        var fired: Bool { flag.load(ordering: .relaxed) }
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
