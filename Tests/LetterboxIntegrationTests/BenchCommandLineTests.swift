import Foundation
import TestSupport
import Testing

/// `letterbox-bench` as a user runs it: every mode answers `--help` and a mistyped option with
/// its usage instead of starting a run, and the servers it starts end with it.
// Serialized: each case starts a process (the last one a server too); side by side they would
// load the machine that every other test shares.
@Suite(.serialized, .timeLimit(.minutes(2))) struct BenchCommandLineTests {
    /// The binary SwiftPM built next to this test bundle (the test target depends on it).
    private static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("letterbox-bench").path
    }

    /// What a run of the bench printed and how it ended.
    private struct Ending {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs the bench with `arguments` until it exits (a run that starts a measurement instead of
    /// answering would hit the suite's time limit).
    private static func run(_ arguments: [String]) async throws -> Ending {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "letterbox-bench-cli-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (outputPath, errorsPath) = (folder.appendingPathComponent("out"), folder.appendingPathComponent("err"))
        _ = FileManager.default.createFile(atPath: outputPath.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorsPath.path, contents: nil)
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardInput = nil
        process.standardOutput = try FileHandle(forWritingTo: outputPath)
        process.standardError = try FileHandle(forWritingTo: errorsPath)
        try process.run()
        try await onOwnThread { process.waitUntilExit() }
        return Ending(
            status: process.terminationStatus, output: try String(contentsOf: outputPath, encoding: .utf8),
            errors: try String(contentsOf: errorsPath, encoding: .utf8))
    }

    static let modes = [
        "smtp", "smtp-source", "startup", "idle", "memory", "testing", "pop3", "imap", "imap-mailboxes", "qresync",
        "maildir", "mime", "tls", "imapcheck", "sse", "inbox", "all", "netfuzz", "soak", "stall", "memcycle", "bighead",
    ]

    @Test(arguments: modes) func everyModeAnswersHelpWithItsUsage(mode: String) async throws {
        let ending = try await Self.run([mode, "--help"])
        #expect(ending.status == 0)
        #expect(ending.output.contains("  \(mode) "), "\(ending.output)")
        #expect(ending.errors.isEmpty)
    }

    @Test func helpAfterOtherOptionsStillAnswers() async throws {
        let ending = try await Self.run(["soak", "--minutes", "30", "-h"])
        #expect(ending.status == 0)
        #expect(ending.output.contains("--hostile"))
    }

    @Test(arguments: [
        (["soak", "--minuets", "1"], "unknown option '--minuets'"),
        (["soak", "--minutes"], "--minutes needs a value"),
        (["soak", "--minutes", "half"], "--minutes needs a number, not 'half'"),
        (["smtp", "--connections", "8", "extra"], "unexpected argument 'extra'"),
        (["soak", "-x"], "unknown option '-x'"),
        (["inbox", "--loads", "five"], "--loads needs a number, not 'five'"),
        (["inbox", "--chromium"], "--chromium needs a value"),
        (["nosuchmode"], "unknown measurement 'nosuchmode'"),
    ])
    func mistakesAnswerWithTheUsageAndStatus2(arguments: [String], complaint: String) async throws {
        let ending = try await Self.run(arguments)
        #expect(ending.status == 2)
        #expect(ending.errors.contains(complaint), "\(ending.errors)")
        #expect(ending.errors.contains("Usage: letterbox-bench"))
        #expect(ending.output.isEmpty)
    }

    /// Without the browser there is nothing to measure: the mode says what is missing and ends
    /// with status 1 before it starts a server or fills a store.
    @Test func theInboxModeWithoutItsDriverSaysSoAndFails() async throws {
        let ending = try await Self.run(["inbox", "--chromedriver", "/nonexistent/chromedriver"])
        #expect(ending.status == 1)
        #expect(
            ending.errors.contains("--chromedriver /nonexistent/chromedriver: no executable file there"),
            "\(ending.errors)")
        #expect(ending.output.isEmpty, "\(ending.output)")
    }

    @Test func theOverviewListsEveryMode() async throws {
        let ending = try await Self.run(["--help"])
        #expect(ending.status == 0)
        for mode in Self.modes { #expect(ending.output.contains("\n  \(mode) "), "\(mode)") }
    }

    /// The processes whose parent is `pid`, from /proc.
    private static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { candidate in
            guard let stat = try? String(contentsOfFile: "/proc/\(candidate)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            // After "pid (comm)": the state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid
        }
    }

    /// Whether `pid` still runs (a zombie has ended; its parent has not reaped it yet).
    private static func runs(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat"), "reads /proc"),
        arguments: [SIGTERM, SIGINT, SIGPIPE])
    func theServerTheBenchStartedEndsWithIt(signal: Int32) async throws {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["soak", "--minutes", "10", "--hostile", "0", "--sample", "60"]
        process.standardInput = nil
        process.standardOutput = nil
        process.standardError = nil
        try process.run()
        defer { process.terminate() }
        var server: pid_t?
        for _ in 0..<1200 where server == nil {
            try await Task.sleep(for: .milliseconds(50))
            server = Self.children(of: process.processIdentifier).first
            try #require(process.isRunning, "the bench ended before starting its server")
        }
        let child = try #require(server, "the bench started no server")
        defer { if Self.runs(child) { kill(child, SIGKILL) } }
        kill(process.processIdentifier, signal)
        try await onOwnThread { process.waitUntilExit() }
        var running = Self.runs(child)
        for _ in 0..<600 where running {
            try await Task.sleep(for: .milliseconds(50))
            running = Self.runs(child)
        }
        #expect(!running, "the server (pid \(child)) outlived the bench")
    }
}
