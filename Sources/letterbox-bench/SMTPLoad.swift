import Foundation
import Letterbox
import Synchronization

/// Letterbox's own SMTP load generator: N threads with blocking clients share M messages.
enum SMTPLoad {
    struct Result {
        var seconds: Double
        var latencies: [Double]
        var failures: Int
    }

    /// A message of `size` octets with 76-column lines, already dot-terminated.
    static func body(size: Int) -> [UInt8] {
        var text = "From: bench@example.com\r\nTo: sink@example.com\r\nSubject: bench\r\n\r\n"
        let line = String(repeating: "x", count: 74) + "\r\n"
        while text.utf8.count + line.utf8.count <= size { text += line }
        text += String(repeating: "y", count: max(0, size - text.utf8.count - 2)) + "\r\n"
        return Array((text + ".\r\n").utf8)
    }

    /// Sends `messages` messages over `connections` parallel connections: each the same message
    /// of `size` octets, or message `n` (0-based) from `message` (CRLF lines, no line starting with
    /// ".", without the terminating dot). With a `rate`, the messages start at that many a second
    /// in all (each connection sends its share on a fixed schedule, catching up when late) instead
    /// of as fast as the server answers.
    static func run(
        port: Int, connections: Int, messages: Int, size: Int, reuse: Bool, rate: Double? = nil,
        message: (@Sendable (Int) -> [UInt8])? = nil
    ) -> Result {
        let payload = body(size: size)
        let remaining = Atomic<Int>(messages)
        let collected = Mutex<(latencies: [Double], failures: Int)>(([], 0))
        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<connections {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var latencies: [Double] = []
                var failures = 0
                var client: BlockingSMTPClient?
                while case let left = remaining.subtract(1, ordering: .relaxed).oldValue, left > 0 {
                    if let rate {
                        // Message n (0-based) is due n / rate seconds after the start.
                        let due = start + UInt64(Double(messages - left) / rate * 1e9)
                        let now = DispatchTime.now().uptimeNanoseconds
                        if due > now { usleep(useconds_t((due - now) / 1000)) }
                    }
                    do {
                        if client == nil { client = try BlockingSMTPClient(port: port) }
                        let body = message.map { $0(messages - left) + Array(".\r\n".utf8) } ?? payload
                        latencies.append(try client!.transaction(body: body))
                        if !reuse {
                            client?.close()
                            client = nil
                        }
                    } catch {
                        failures += 1
                        client?.close()
                        client = nil
                    }
                }
                client?.close()
                collected.withLock {
                    $0.latencies += latencies
                    $0.failures += failures
                }
            }
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return collected.withLock { Result(seconds: seconds, latencies: $0.latencies.sorted(), failures: $0.failures) }
    }

    static func report(connections: Int, messages: Int, size: Int, reuse: Bool, externalPort: Int?) async throws {
        var catcher: MailCatcher?
        var port = externalPort ?? 0
        if externalPort == nil {
            var configuration = Configuration()
            configuration.httpPort = nil
            catcher = try await MailCatcher.start(configuration)
            port = catcher!.ports.smtp
        }
        let result = await Task.detached {
            run(port: port, connections: connections, messages: messages, size: size, reuse: reuse)
        }.value
        let sent = result.latencies.count
        func percentile(_ p: Double) -> Double {
            guard !result.latencies.isEmpty else { return 0 }
            return result.latencies[min(result.latencies.count - 1, Int(Double(result.latencies.count) * p))] * 1000
        }
        print(
            String(
                format:
                    "smtp (letterbox-bench) %d conns, %d msgs × %d B, reuse %@: %.0f msgs/s, %.1f MB/s, p50 %.2f ms, p99 %.2f ms, failures %d",
                connections, sent, size, reuse ? "on" : "off", Double(sent) / result.seconds,
                Double(sent * size) / result.seconds / 1e6, percentile(0.5), percentile(0.99), result.failures))
        if let catcher {
            let stored = catcher.messages.count
            if stored != sent { print("  warning: \(sent) acknowledged but \(stored) stored") }
            await catcher.shutdown()
        }
    }
}
