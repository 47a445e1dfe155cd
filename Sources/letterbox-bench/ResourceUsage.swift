import Foundation
import Letterbox
import LetterboxStore

/// Resident set size of this process, from /proc/self/statm.
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = statm.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

enum Startup {
    static func report(iterations: Int) async throws {
        var samples: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            let catcher = try await MailCatcher.start()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            await catcher.shutdown()
        }
        samples.sort()
        print(
            String(
                format:
                    "startup: MailCatcher.start() with every listener on port 0: median %.3f ms, p99 %.3f ms (%d runs)",
                samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 99 / 100)], iterations))
    }
}

enum IdleSessions {
    /// Holds the idle sessions in a child process, so the RSS growth measured is the server's alone.
    static func report(sessions: Int) async throws {
        var configuration = Configuration()
        configuration.httpPort = nil
        configuration.maxConnections = sessions + 16
        let catcher = try await MailCatcher.start(configuration)
        let port = catcher.ports.smtp
        // Warm up: one transaction so lazily created state exists before the baseline.
        _ = await Task.detached { SMTPLoad.run(port: port, connections: 1, messages: 10, size: 1024, reuse: true) }
            .value
        let before = residentBytes()

        // The child reports once every session has its greeting and EHLO reply.
        let holder = try await onThread { try HeldSessions(subcommand: "idle-clients", port: port, sessions: sessions) }
        try await Task.sleep(for: .milliseconds(200))
        let after = residentBytes()
        let load = await Task.detached {
            SMTPLoad.run(port: port, connections: 1, messages: 200, size: 1024, reuse: true)
        }.value
        print(
            String(
                format:
                    "idle: %d idle SMTP sessions held in another process (%d opened%@); server RSS +%.1f KiB per session; a concurrent client completed %d/200 transactions",
                sessions, holder.report.opened,
                holder.report.firstError.isEmpty ? "" : ", first error: \(holder.report.firstError)",
                Double(after - before) / 1024 / Double(sessions), load.latencies.count))
        try holder.end()
        await catcher.shutdown()
    }

    /// The child side: opens the sessions (greeting and EHLO done) and holds them, see ``HeldSessions``.
    static func holdClients(port: Int, sessions: Int) {
        HeldSessions.hold(sessions: sessions) {
            try BlockingSMTPClient(port: port)
        } close: {
            $0.close()
        }
    }
}

enum StoreMemory {
    static func report(messages: Int, size: Int) async throws {
        var configuration = Configuration()
        configuration.httpPort = nil
        let catcher = try await MailCatcher.start(configuration)
        let port = catcher.ports.smtp
        let before = residentBytes()
        let result = await Task.detached {
            SMTPLoad.run(port: port, connections: 4, messages: messages, size: size, reuse: true)
        }.value
        let after = residentBytes()
        let raw = catcher.store.statistics.bytes
        let budget = Double(raw) * 1.5 + 32 * 1024 * 1024
        print(
            String(
                format:
                    "memory: %d × %d B stored (%.1f MiB raw): RSS %.1f MiB (growth %.1f MiB); budget 1.5 × raw + 32 MiB = %.1f MiB; %.2f RSS bytes per stored byte",
                result.latencies.count, size, Double(raw) / 1_048_576, Double(after) / 1_048_576,
                Double(after - before) / 1_048_576, budget / 1_048_576, Double(after) / Double(max(raw, 1))))
        await catcher.shutdown()
    }
}

/// Runs this benchmark executable again with `arguments` and waits; its output goes to ours.
func runIsolated(_ arguments: [String]) throws {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = arguments
    try child.run()
    child.waitUntilExit()
}
