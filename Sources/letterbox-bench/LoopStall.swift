import Foundation
import Synchronization

/// `letterbox-bench stall`: whether a scan whose cost grows with the store stalls everyone else.
/// A `letterbox` child holds `messages` HTML-ish messages; while one IMAP client runs
/// `SEARCH TEXT` over them again and again, two other threads time SMTP greetings and
/// `GET /healthz` back to back (goal: p99 < 20 ms).
enum LoopStall {
    static func run(messages: Int, size: Int, searches: Int) throws {
        let server = try LetterboxChild()
        defer { server.stop() }
        let needle = messages * 7 / 9
        let fill = SMTPLoad.run(port: server.smtp, connections: 4, messages: messages, size: size, reuse: true) {
            IMAPLoad.message($0, size: size, needle: $0 == needle, html: true)
        }
        print(
            String(
                format:
                    "stall: %d HTML-ish messages of ~%d B stored in %.1f s (%d failures); server RSS %@; load average %@",
                fill.latencies.count, size, fill.seconds, fill.failures, mebibytes(server.residentBytes), loadAverage())
        )

        let idle = probe(server, while: { $0 < 200 })
        let searching = Atomic<Bool>(true)
        let searchSeconds = Mutex<[Double]>([])
        let searchError = Mutex<String?>(nil)
        let port = server.imap
        let searcher = Thread {
            defer { searching.store(false, ordering: .relaxed) }
            do {
                let client = try BlockingIMAPClient(port: port, timeout: 600)
                try client.logIn(user: "bench", password: "bench")
                try client.selectInbox()
                for _ in 0..<searches {
                    let response = try client.command("SEARCH TEXT \"needle\"")
                    searchSeconds.withLock { $0.append(response.seconds) }
                }
                client.logOut()
            } catch {
                searchError.withLock { $0 = "\(error)" }
            }
        }
        searcher.start()
        let busy = probe(server, while: { _ in searching.load(ordering: .relaxed) })
        let seconds = searchSeconds.withLock { $0 }.sorted()
        if let error = searchError.withLock({ $0 }) { print("stall: the searching client failed: \(error)") }
        print(
            String(
                format: "stall: SEARCH TEXT over %d messages: median %.0f ms, max %.0f ms (%d searches)",
                messages, (seconds.isEmpty ? .nan : seconds[seconds.count / 2]) * 1000, (seconds.last ?? .nan) * 1000,
                seconds.count))
        for (name, quiet, loaded) in [
            ("SMTP greeting", idle.greeting, busy.greeting), ("/healthz", idle.health, busy.health),
        ] {
            print(
                String(
                    format:
                        "stall: %@ latency, idle: p50 %.2f ms, p99 %.2f ms (%d); during SEARCH: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d samples, %d failed) (goal p99 < 20 ms)",
                    name, percentileMilliseconds(quiet.seconds, 0.5), percentileMilliseconds(quiet.seconds, 0.99),
                    quiet.seconds.count, percentileMilliseconds(loaded.seconds, 0.5),
                    percentileMilliseconds(loaded.seconds, 0.99),
                    (loaded.seconds.max() ?? .nan) * 1000, loaded.seconds.count, loaded.failures))
        }
        print("stall: load average \(loadAverage())")
    }

    struct Samples: Sendable {
        var seconds: [Double] = []
        var failures = 0
    }

    /// Times SMTP greetings and `/healthz` on two threads, back to back with 10 ms pauses, while
    /// `going(samples taken so far by that thread)` holds.
    static func probe(_ server: LetterboxChild, while going: @escaping @Sendable (Int) -> Bool) -> (
        greeting: Samples, health: Samples
    ) {
        let ports = server.ports
        let results = Mutex<(greeting: Samples, health: Samples)>((Samples(), Samples()))
        let group = DispatchGroup()
        for health in [false, true] {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var samples = Samples()
                while going(samples.seconds.count + samples.failures) {
                    if health {
                        if let response = try? BlockingHTTPClient.request(
                            "GET", "/healthz", port: ports.http, timeout: 30),
                            response.status == 200
                        {
                            samples.seconds.append(response.seconds)
                        } else {
                            samples.failures += 1
                        }
                    } else if let seconds = HealthProbe.greetingSeconds(port: ports.smtp, timeout: 30) {
                        samples.seconds.append(seconds)
                    } else {
                        samples.failures += 1
                    }
                    usleep(10_000)
                }
                let taken = samples
                results.withLock { if health { $0.health = taken } else { $0.greeting = taken } }
            }
        }
        group.wait()
        return results.withLock { $0 }
    }
}
