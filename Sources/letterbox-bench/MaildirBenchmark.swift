import Foundation
import Letterbox
import LetterboxStore
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Maildir figures of issues 7 and 20: SMTP ingest into a Maildir against the memory store and
/// the disk's own ceiling in the same run, 8 connections, 1 KiB and 100 KiB (`--maildir-fsync
/// always`: goal ≥ 80% of the ceiling; `never`: goal ≥ 50% of memory); start-up with 100,000 stored
/// messages (< 2 s) and RSS after start (≤ 64 MiB + 200 bytes per message), measured in a child
/// process so nothing else is in its memory.
///
/// `--rounds N` (default 3) repeats the runs, interleaved with the ceiling, and reports medians.
/// `--stored 0` skips the start-up measurement. The Maildir lives under `--dir` (default the system's temporary directory), which should be on
/// the disk whose fsync is to be measured.
enum MaildirBenchmark {
    static func report(messages: Int, storedMessages: Int, rounds: Int, directory: String?) async throws {
        let base = directory ?? FileManager.default.temporaryDirectory.path
        let root = "\(base)/letterbox-bench-maildir-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }

        for size in [1024, 102_400] {
            let count = size > 10_000 ? max(messages / 2, 1) : messages
            let perConnection = max(count / 16, 20)
            // Rounds interleave the disk's ceiling with the Letterbox runs (ceiling, always, ceiling,
            // never, ceiling without fsync): other load on the machine changes a journal commit from
            // a fraction of a millisecond to several, so each ratio uses the ceilings measured on
            // either side of its own run, and the spread of every ceiling sample is reported.
            var lines: [String] = []
            var alwaysRatios: [Double] = []
            var neverRatios: [Double] = []
            var neverCeilings: [Double] = []
            var ceilings: [Double] = []
            var unsyncedCeilings: [Double] = []
            var memoryRates: [Double] = []
            var breakdowns: [(String, String)] = []
            var previous = try FileSystemCeiling.measure(
                in: "\(root)/ceiling-\(size)", connections: 8, size: size, perConnection: perConnection)
            ceilings.append(previous.rate)
            for round in 1...rounds {
                let memory = try await ingest(storage: .memory, size: size, messages: count)
                let disk = try await ingest(
                    storage: .maildir("\(root)/ingest-\(size)-\(round)", fsync: .always), size: size, messages: count)
                let after = try FileSystemCeiling.measure(
                    in: "\(root)/ceiling-\(size)", connections: 8, size: size, perConnection: perConnection)
                let unsynced = try await ingest(
                    storage: .maildir("\(root)/ingest-never-\(size)-\(round)", fsync: .never), size: size,
                    messages: count)
                let unsyncedCeiling = try FileSystemCeiling.measure(
                    in: "\(root)/ceiling-never-\(size)", connections: 8, size: size, perConnection: perConnection * 2,
                    sync: false)
                let ceiling = (previous.rate + after.rate) / 2
                previous = after
                ceilings.append(after.rate)
                unsyncedCeilings.append(unsyncedCeiling.rate)
                memoryRates.append(memory.rate)
                alwaysRatios.append(disk.rate / ceiling * 100)
                neverRatios.append(unsynced.rate / memory.rate * 100)
                // A `never` delivery does all that a memory delivery does, then creates, writes
                // and renames a file; without a sync both keep the two cores busy, so at best it
                // costs the CPU time of one of each: 1 / (1/memory + 1/files) of the rate.
                let neverCeiling = unsyncedCeiling.rate / (memory.rate + unsyncedCeiling.rate) * 100
                neverCeilings.append(neverCeiling)
                breakdowns.append((disk.breakdown, unsynced.breakdown))
                lines.append(
                    String(
                        format:
                            "  round %d: memory %.0f/s; always %.0f/s = %.0f%% of the ceiling around it (%.0f/s; p50 %.2f ms, p99 %.2f ms, %.1f deliveries per sync); never %.0f/s = %.0f%% of memory (p50 %.2f ms; no-fsync ceiling %.0f/s, which leaves never at most %.0f%% of memory); journal commit p50 %.2f ms; load %@",
                        round, memory.rate, disk.rate, disk.rate / ceiling * 100, ceiling, disk.p50, disk.p99,
                        disk.deliveriesPerSync, unsynced.rate, unsynced.rate / memory.rate * 100, unsynced.p50,
                        unsyncedCeiling.rate, neverCeiling, after.commitLatency, loadAverage()))
            }
            print(
                String(
                    format:
                        "maildir ingest: 8 conns, %d × %d B, %d rounds (medians): fsync always %.0f%% of the disk's ceiling (goal ≥ 80%%; rounds %@); fsync never %.0f%% of memory (goal ≥ 50%%; rounds %@; at most %.0f%% on these cores: memory's work plus a file's creation without sync); memory %.0f msgs/s",
                    count, size, rounds, median(alwaysRatios), list(alwaysRatios), median(neverRatios),
                    list(neverRatios), median(neverCeilings), median(memoryRates)))
            print(
                String(
                    format:
                        "  disk ceiling (8 threads: write tmp, fsync, rename, fsync new/; nothing else), %d samples: median %.0f files/s, min %.0f, max %.0f (max/min %.2f); without fsync: median %.0f, min %.0f, max %.0f",
                    ceilings.count, median(ceilings), ceilings.min() ?? 0, ceilings.max() ?? 0,
                    (ceilings.max() ?? 0) / max(ceilings.min() ?? 1, 1), median(unsyncedCeilings),
                    unsyncedCeilings.min() ?? 0, unsyncedCeilings.max() ?? 0))
            for line in lines { print(line) }
            if let (always, never) = breakdowns.last {
                print("    always (last round): \(always)")
                print("    never (last round): \(never)")
            }
        }

        guard storedMessages > 0 else { return }
        let folder = "\(root)/startup"
        let written = try populate(folder, count: storedMessages, size: 1024)
        // The first start adopts the files (they were written as another program would) and logs
        // them; the second is the steady state of a restart, the figure that matters.
        let first = try await childStart(folder)
        let second = try await childStart(folder)
        let budget = 64.0 * 1_048_576 + 200.0 * Double(storedMessages)
        print(
            String(
                format:
                    "maildir startup: %d stored messages × 1 KiB (%.1f MiB): first start (adopting them) %.2f s; restart %.2f s (goal < 2 s); RSS after restart %.1f MiB (goal ≤ 64 MiB + 200 B/message = %.1f MiB)",
                storedMessages, Double(written) / 1_048_576, first.seconds, second.seconds, second.rss / 1_048_576,
                budget / 1_048_576))
    }

    private struct Ingest {
        var rate: Double
        var p50: Double
        var p99: Double
        /// Messages stored per group-commit sync (Maildir with fsync always), 0 otherwise.
        var deliveriesPerSync: Double = 0
        /// Where a Maildir delivery's time went, mean milliseconds per delivery, or "".
        var breakdown = ""
    }

    private static func ingest(storage: Configuration.Storage, size: Int, messages: Int) async throws -> Ingest {
        var configuration = Configuration()
        configuration.httpPort = nil
        configuration.pop3Port = nil
        configuration.imapPort = nil
        configuration.storage = storage
        configuration.retention = .unlimited
        let catcher = try await MailCatcher.start(configuration)
        let port = catcher.ports.smtp
        // Warm up: sessions, the first files and the log exist before the clock starts.
        _ = await Task.detached { SMTPLoad.run(port: port, connections: 8, messages: 64, size: size, reuse: true) }
            .value
        let result = await Task.detached {
            SMTPLoad.run(port: port, connections: 8, messages: messages, size: size, reuse: true)
        }.value
        let stored = catcher.messages.count
        let maildir = catcher.store as? MaildirStore
        let syncs = maildir.map { $0.commits.syncCount } ?? 0
        var breakdown = ""
        if let maildir, case let totals = maildir.timings.current, totals.deliveries > 0 {
            let count = Double(totals.deliveries)
            let phases =
                totals.queued + totals.writing + totals.staging + totals.syncing + totals.renaming
                + totals.publishing
            let handBack = totals.roundTripCount > 0 ? (totals.roundTrips - phases) / count * 1000 : 0
            breakdown = String(
                format:
                    "per delivery (ms, mean): hand-off to a store thread %.2f, tmp/ file write %.2f, commit lock + log %.2f, own fdatasync + waiting for the group sync of the log %.2f, rename %.2f, publishing %.2f, back to the session %.2f; one group sync (fdatasync of the log) %.2f ms",
                totals.queued / count * 1000, totals.writing / count * 1000, totals.staging / count * 1000,
                totals.syncing / count * 1000, totals.renaming / count * 1000, totals.publishing / count * 1000,
                handBack, syncs > 0 ? maildir.commits.syncSeconds / Double(syncs) * 1000 : 0)
        }
        await catcher.shutdown()
        if result.failures > 0 || stored != result.latencies.count + 64 {
            print(
                "  warning: \(storage): \(result.failures) failures, \(stored) stored of \(result.latencies.count + 64)"
            )
        }
        func percentile(_ p: Double) -> Double {
            guard !result.latencies.isEmpty else { return 0 }
            return result.latencies[min(result.latencies.count - 1, Int(Double(result.latencies.count) * p))] * 1000
        }
        return Ingest(
            rate: Double(result.latencies.count) / result.seconds, p50: percentile(0.5), p99: percentile(0.99),
            deliveriesPerSync: syncs > 0 ? Double(stored) / Double(syncs) : 0, breakdown: breakdown)
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    private static func list(_ values: [Double]) -> String {
        values.map { String(format: "%.0f", $0) }.joined(separator: ", ")
    }

    /// The 1-minute load average, to say how busy the machine was.
    private static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return String(text.split(separator: " ").first ?? "?")
    }

    /// Writes `count` messages into `new/` the way a delivery agent would (no fsync: this is set-up).
    private static func populate(_ folder: String, count: Int, size: Int) throws -> Int {
        for sub in ["tmp", "new", "cur"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(sub)", withIntermediateDirectories: true)
        }
        var total = 0
        for index in 0..<count {
            var text = "From: bench@example.com\r\nTo: r\(index % 50)@example.com\r\nSubject: stored \(index)\r\n\r\n"
            while text.utf8.count < size - 80 { text += String(repeating: "x", count: 74) + "\r\n" }
            let bytes = Array(text.utf8)
            let path = "\(folder)/new/\(1_700_000_000 + index).M\(index)P1.bench,S=\(bytes.count)"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard fd >= 0 else { throw BenchFailure(description: "cannot create \(path): errno \(errno)") }
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            total += bytes.count
        }
        return total
    }

    struct BenchFailure: Error, CustomStringConvertible { let description: String }

    /// Runs `letterbox-bench maildir-open PATH` and reads its "seconds rss" line.
    /// The child is read and awaited on a thread of its own, not one of the cooperative pool's.
    private static func childStart(_ folder: String) async throws -> (seconds: Double, rss: Double) {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["maildir-open", folder]
        let output = Pipe()
        child.standardOutput = output
        try child.run()
        let text = try await onOwnThread {
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            child.waitUntilExit()
            return text
        }
        let fields = text.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        guard fields.count == 2 else { throw BenchFailure(description: "maildir-open printed '\(text)'") }
        return (fields[0], fields[1])
    }

    /// The child side: start a catcher on the Maildir, print seconds and RSS bytes, stop.
    static func measureStart(_ folder: String) async throws {
        var configuration = Configuration()
        configuration.httpPort = nil
        configuration.pop3Port = nil
        configuration.imapPort = nil
        configuration.storage = .maildir(folder)
        let start = DispatchTime.now().uptimeNanoseconds
        let catcher = try await MailCatcher.start(configuration)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(String(format: "%.3f %d", seconds, residentBytes()))
        await catcher.shutdown()
    }
}
