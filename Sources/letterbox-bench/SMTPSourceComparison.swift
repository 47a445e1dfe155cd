import Foundation
import Letterbox
import TestSupport

/// postfix's `smtp-source` against `smtp-sink` and against Letterbox, back to back in one run,
/// so the two figures share the machine's state. Needs `apt-get install postfix`.
enum SMTPSourceComparison {
    static func run(messages: Int, size: Int, sessions: Int) async throws {
        let source = try tool("smtp-source")
        let sink = try tool("smtp-sink")

        let sinkPort = try freeLoopbackPort()
        let sinkProcess = try ChildProcess(
            sink, (getuid() == 0 ? ["-u", "nobody"] : []) + ["127.0.0.1:\(sinkPort)", "1024"])
        defer { sinkProcess.stop() }
        try await Task.sleep(for: .milliseconds(300))
        let sinkRate = try await time(source, port: sinkPort, messages: messages, size: size, sessions: sessions)

        var configuration = Configuration()
        configuration.httpPort = nil
        let catcher = try await MailCatcher.start(configuration)
        let letterboxRate = try await time(
            source, port: catcher.ports.smtp, messages: messages, size: size, sessions: sessions)
        let stored = catcher.messages.count
        await catcher.shutdown()

        print(
            String(
                format:
                    "smtp-source -d -s %d -m %d -l %d: smtp-sink %.0f msgs/s, letterbox %.0f msgs/s (%.0f%% of smtp-sink, %d stored)",
                sessions, messages, size, sinkRate, letterboxRate, letterboxRate / sinkRate * 100, stored))
    }

    /// smtp-source's rate. Its exit is heard through `terminationHandler`, which also stamps the
    /// end: the in-process server keeps both of the cooperative pool's threads, and the time is not
    /// stretched by how late a waiting thread notices the exit (`waitUntilExit` on a thread of its
    /// own polls its run loop, and read smtp-sink at half its rate).
    private static func time(_ source: String, port: Int, messages: Int, size: Int, sessions: Int) async throws
        -> Double
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: source)
        process.arguments = ["-d", "-s", "\(sessions)", "-m", "\(messages)", "-l", "\(size)", "127.0.0.1:\(port)"]
        let start = DispatchTime.now().uptimeNanoseconds
        let end: UInt64 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { _ in continuation.resume(returning: DispatchTime.now().uptimeNanoseconds) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let seconds = Double(end - start) / 1e9
        guard process.terminationStatus == 0 else {
            throw BlockingSMTPClient.Failure(description: "smtp-source exited with \(process.terminationStatus)")
        }
        return Double(messages) / seconds
    }

    private static func tool(_ name: String) throws -> String {
        for directory in ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw BlockingSMTPClient.Failure(description: "\(name) not found: apt-get install postfix")
    }
}
