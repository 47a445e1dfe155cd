import Foundation
import Synchronization

/// `letterbox-bench soak`: well-behaved SMTP, POP3, IMAP and HTTP clients in a loop beside
/// ``HostilePeers``, against a `letterbox` child; samples the server's RSS and open descriptors
/// over time and reports their slope, the well-behaved transactions' latencies and their errors.
/// Exits 1 when a well-behaved client saw an error or the server died.
enum Soak {
    /// What the well-behaved clients of one protocol saw.
    struct Outcome {
        var seconds: [Double] = []
        var errors = 0
        var firstErrors: [String] = []
    }

    struct Sample {
        var at: Double
        var resident: Int
        var files: Int
        /// Octets of raw mail stored (from `/metrics`), so RSS can be read beside what it holds.
        var stored: Int
        /// Sessions open, all protocols, besides the one asking (from `/metrics`).
        var sessions: Int
    }

    /// What the server's `/metrics` says about its store and sessions: (stored octets, messages
    /// stored, sessions open besides the one asking); -1 each when it did not answer.
    static func serverGauges(_ ports: LetterboxChild.Ports) -> (stored: Int, messages: Int, sessions: Int) {
        guard let response = try? BlockingHTTPClient.request("GET", "/metrics", port: ports.http, timeout: 10),
            response.status == 200
        else { return (-1, -1, -1) }
        var gauges = (stored: 0, messages: 0, sessions: 0)
        for line in response.text.split(separator: "\n") where !line.hasPrefix("#") {
            let value = line.split(separator: " ").last.flatMap { Int($0) } ?? 0
            if line.hasPrefix("letterbox_bytes_stored ") { gauges.stored = value }
            if line.hasPrefix("letterbox_messages_stored ") { gauges.messages = value }
            if line.hasPrefix("letterbox_sessions_open{") { gauges.sessions += value }
        }
        gauges.sessions -= 1  // the request asking
        return gauges
    }

    /// One well-behaved transaction per protocol, each from connecting to the last reply.
    static let transactions: [(name: String, run: @Sendable (LetterboxChild.Ports) throws -> Void)] = [
        (
            "SMTP",
            { ports in
                var client = try BlockingSMTPClient(port: ports.smtp, timeout: 10)
                defer { client.close() }
                _ = try client.transaction(body: message)
            }
        ),
        (
            "POP3",
            { ports in
                let client = try BlockingPOP3Client(port: ports.pop3, timeout: 10)
                try client.logIn(user: "soak", password: "soak")
                let status = try client.command("STAT")
                // The newest message: retention removes the oldest while the soak runs.
                if let count = status.split(separator: " ").dropFirst().first.flatMap({ Int($0) }), count > 0 {
                    _ = try client.multiline("RETR \(count)")
                }
                client.quit()
            }
        ),
        (
            "IMAP",
            { ports in
                let client = try BlockingIMAPClient(port: ports.imap, timeout: 10)
                try client.logIn(user: "soak", password: "soak")
                let exists = try client.selectInbox()
                if exists > 0 { try client.command("FETCH \(exists) (FLAGS ENVELOPE BODY.PEEK[])") }
                try client.command("NOOP")
                client.logOut()
            }
        ),
        (
            "HTTP",
            { ports in
                for target in ["/healthz", "/messages.json?to=nobody%40example.com"] {
                    let response = try BlockingHTTPClient.request("GET", target, port: ports.http, timeout: 10)
                    guard response.status == 200 else {
                        throw BlockingHTTPClient.Failure(
                            description: "GET \(target): \(response.status) \(response.text.prefix(60))")
                    }
                }
            }
        ),
    ]

    static let message = SMTPLoad.body(size: 2048)

    static func run(minutes: Double, hostile: Int, clients: Int, sampleSeconds: Double) throws -> Int32 {
        // Retention keeps the store's size flat, and the store is filled to its cap before the
        // clock starts: a growing RSS then means a leak, not more mail.
        let cap = 2000
        let server = try LetterboxChild(["--max-messages", "\(cap)"])
        defer { server.stop() }
        let ports = server.ports
        _ = SMTPLoad.run(port: server.smtp, connections: 4, messages: cap, size: 2048, reuse: true)
        let filled = serverGauges(ports)
        say(
            String(
                format: "soak: store filled to its cap before the clock starts: %d messages, %@ stored; server RSS %@",
                filled.messages, mebibytes(filled.stored), mebibytes(server.residentBytes)))
        let duration = minutes * 60
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        say(
            String(
                format:
                    "soak: %.1f min, %d hostile peers (%d dribbling, %d abandoning%@), %d well-behaved client(s) per protocol; load average %@",
                minutes, hostile, hostile / 2, hostile - hostile / 2, hostile > 0 ? ", 1 oversized sender" : "",
                clients,
                loadAverage()))
        let peers = HostilePeers(server: server, count: hostile)
        peers.start()

        let outcomes = Mutex<[String: Outcome]>([:])
        let stopping = Atomic<Bool>(false)
        let group = DispatchGroup()
        for transaction in transactions {
            for _ in 0..<clients {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    while !stopping.load(ordering: .relaxed) {
                        let began = DispatchTime.now().uptimeNanoseconds
                        do {
                            try transaction.run(ports)
                            let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
                            outcomes.withLock { $0[transaction.name, default: Outcome()].seconds.append(seconds) }
                        } catch {
                            let at = String(
                                format: "%.1f s", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                            outcomes.withLock {
                                $0[transaction.name, default: Outcome()].errors += 1
                                if $0[transaction.name, default: Outcome()].firstErrors.count < 3 {
                                    $0[transaction.name, default: Outcome()].firstErrors.append(
                                        "at \(at): "
                                            + "\(error)".split(whereSeparator: \.isNewline).joined(separator: " "))
                                }
                            }
                            usleep(100_000)
                        }
                        usleep(20_000)
                    }
                }
            }
        }

        var samples: [Sample] = []
        while elapsed() < duration && server.isRunning {
            usleep(useconds_t(min(sampleSeconds, max(0.05, duration - elapsed())) * 1e6))
            guard server.isRunning else { break }
            let gauges = serverGauges(ports)
            samples.append(
                Sample(
                    at: elapsed(), resident: server.residentBytes, files: server.openFiles, stored: gauges.stored,
                    sessions: gauges.sessions))
            let counts = peers.counts
            let done = outcomes.withLock { $0.values.reduce(0) { $0 + $1.seconds.count } }
            let errors = outcomes.withLock { $0.values.reduce(0) { $0 + $1.errors } }
            if let last = samples.last {
                say(
                    String(
                        format:
                            "  %6.0f s  RSS %@  stored %@  fds %5d  sessions %4d  well-behaved: %d done, %d errors  hostile: %d dribbling (%d dropped by the server), %d abandoned, %d oversized, %d refused",
                        last.at, mebibytes(last.resident), mebibytes(last.stored), last.files, last.sessions, done,
                        errors, counts.dribbling,
                        counts.droppedDribblers, counts.abandoned, counts.oversized, counts.refused))
            }
        }
        stopping.store(true, ordering: .relaxed)
        group.wait()
        peers.stop()
        // Every session the hostile peers opened must end: what is left open afterwards was not freed.
        var after = serverGauges(ports)
        let leaving = elapsed()
        while after.sessions > 0 && elapsed() - leaving < 30 && server.isRunning {
            usleep(500_000)
            after = serverGauges(ports)
        }
        say(
            String(
                format:
                    "soak: %.1f s after every client left: %d sessions open (goal 0), fds %d, RSS %@, stored %@ (%d messages)",
                elapsed() - leaving, after.sessions, server.openFiles, mebibytes(server.residentBytes),
                mebibytes(after.stored), after.messages))
        let died = server.ending
        let dropped = peers.counts.droppedByKind
        say(
            "soak: dribblers the server dropped, by kind: "
                + zip(HostilePeers.dribbleKinds, dropped).map { "\($0) \($1)" }.joined(separator: ", "))

        // The trend after the first fifth (start-up and the hostile peers' first connections).
        let settled = Array(samples.drop { $0.at < duration / 5 })
        let residentSlope = slope(settled.map { ($0.at, Double($0.resident)) }) * 60 / 1_048_576
        let storedSlope = slope(settled.map { ($0.at, Double($0.stored)) }) * 60 / 1_048_576
        let fileSlope = slope(settled.map { ($0.at, Double($0.files)) }) * 60
        let residents = settled.map(\.resident)
        let files = settled.map(\.files)
        say(
            String(
                format:
                    "soak: server RSS %@ → %@ (min %@, max %@ after the first fifth), slope %+.2f MiB/min (stored mail %+.2f MiB/min); fds %d → %d (min %d, max %d), slope %+.1f fds/min",
                mebibytes(samples.first?.resident ?? 0), mebibytes(samples.last?.resident ?? 0),
                mebibytes(residents.min() ?? 0),
                mebibytes(residents.max() ?? 0), residentSlope, storedSlope, samples.first?.files ?? 0,
                samples.last?.files ?? 0, files.min() ?? 0, files.max() ?? 0, fileSlope))
        let final = outcomes.withLock { $0 }
        var worst = 0.0
        var errors = 0
        for transaction in transactions {
            let outcome = final[transaction.name] ?? Outcome()
            let p99 = percentileMilliseconds(outcome.seconds, 0.99)
            if !p99.isNaN { worst = max(worst, p99) }
            errors += outcome.errors
            say(
                String(
                    format:
                        "soak: %@ well-behaved transactions: %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms, errors %d%@",
                    transaction.name, outcome.seconds.count, percentileMilliseconds(outcome.seconds, 0.5), p99,
                    (outcome.seconds.max() ?? .nan) * 1000, outcome.errors,
                    outcome.firstErrors.isEmpty ? "" : " (first: \(outcome.firstErrors.joined(separator: "; ")))"))
        }
        say(
            String(
                format:
                    "soak figure: %d slow or abandoning peers: worst well-behaved p99 %.2f ms (goal < 50 ms), %d errors (goal 0)%@; load average %@",
                hostile, worst, errors, died.map { "; SERVER \($0)" } ?? "", loadAverage()))
        if died != nil { say("  server output: \(server.logTail(400))") }
        return errors == 0 && died == nil && !samples.isEmpty && after.sessions == 0 ? 0 : 1
    }

    /// The least-squares slope of y over x (per unit of x), 0 with fewer than two points.
    static func slope(_ points: [(Double, Double)]) -> Double {
        guard points.count > 1 else { return 0 }
        let n = Double(points.count)
        let meanX = points.reduce(0) { $0 + $1.0 } / n
        let meanY = points.reduce(0) { $0 + $1.1 } / n
        let covariance = points.reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        let variance = points.reduce(0) { $0 + ($1.0 - meanX) * ($1.0 - meanX) }
        return variance > 0 ? covariance / variance : 0
    }
}

/// The 1-, 5- and 15-minute load averages, for reports on a shared machine.
func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(
        separator: " ")
}
