import Foundation

/// `letterbox-bench memcycle`: whether freed mail gives its memory back. A `letterbox` child
/// (memory store) is filled with `messages` messages over SMTP, emptied with `DELETE /messages`,
/// `rounds` times; after each delete its RSS is compared with the baseline (goal: ≤ baseline +
/// 32 MiB), and each round's peak (VmHWM, reset at the start of the round) must not grow.
enum MemoryCycle {
    static func run(messages: Int, size: Int, rounds: Int) throws {
        let server = try LetterboxChild()
        defer { server.stop() }
        // Warm up: lazily created state exists before the baseline.
        _ = SMTPLoad.run(port: server.smtp, connections: 2, messages: 50, size: size, reuse: true)
        _ = try BlockingHTTPClient.request("DELETE", "/messages", port: server.http)
        usleep(500_000)
        let baseline = server.residentBytes
        print(
            "memcycle: \(rounds) rounds of \(messages) × \(size) B; baseline RSS \(mebibytes(baseline)); load average \(loadAverage())"
        )
        var peaks: [Int] = []
        var afterDeletes: [Int] = []
        for round in 1...max(1, rounds) {
            server.resetPeak()
            let fill = SMTPLoad.run(port: server.smtp, connections: 4, messages: messages, size: size, reuse: true)
            let filled = server.residentBytes
            let delete = try BlockingHTTPClient.request("DELETE", "/messages", port: server.http, timeout: 300)
            usleep(1_000_000)  // room for a trim after the bulk free
            let after = server.residentBytes
            let peak = server.peakBytes
            peaks.append(peak)
            afterDeletes.append(after)
            print(
                String(
                    format:
                        "  round %2d: %d stored in %.1f s (%d failures), RSS filled %@, DELETE %d in %.0f ms (%@), RSS after %@ (baseline %+.1f MiB), peak %@",
                    round, fill.latencies.count, fill.seconds, fill.failures, mebibytes(filled), delete.status,
                    delete.seconds * 1000,
                    delete.text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(30).description,
                    mebibytes(after), Double(after - baseline) / 1_048_576, mebibytes(peak)))
        }
        let worst = afterDeletes.max() ?? 0
        print(
            String(
                format:
                    "memcycle: RSS after delete, worst %@ = baseline %+.1f MiB (goal ≤ +32 MiB); peak round 1 %@, last %@ (%+.1f%%; goal: no growth); load average %@",
                mebibytes(worst), Double(worst - baseline) / 1_048_576, mebibytes(peaks.first ?? 0),
                mebibytes(peaks.last ?? 0),
                Double((peaks.last ?? 0) - (peaks.first ?? 0)) * 100 / Double(max(peaks.first ?? 1, 1)), loadAverage()))
    }
}
