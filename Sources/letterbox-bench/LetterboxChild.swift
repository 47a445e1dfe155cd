import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `letterbox` executable built beside this benchmark, run as a child process with every
/// listener on a free port: its memory and descriptors are measured apart from the bench's, and a
/// crash is seen as the child dying (with the signal that ended it).
final class LetterboxChild {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let smtp: Int
    let pop3: Int
    let imap: Int
    let http: Int
    /// Where the child's standard output and error go (its log, and a trap's message).
    let logPath: String
    private let process: ChildProcess

    var pid: pid_t { process.pid }

    /// The four ports, for clients on other threads.
    struct Ports: Sendable {
        var smtp: Int
        var pop3: Int
        var imap: Int
        var http: Int
    }

    var ports: Ports { Ports(smtp: smtp, pop3: pop3, imap: imap, http: http) }

    /// Starts `letterbox` with `arguments` after the port flags and waits (up to 30 s) until it
    /// has printed its four `… listening on` lines.
    init(_ arguments: [String] = []) throws {
        let bench = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
        let executable = bench.deletingLastPathComponent().appendingPathComponent("letterbox").path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(
                description: "\(executable) not found: build it too (swift build -c release --product letterbox)")
        }
        logPath = NSTemporaryDirectory() + "letterbox-bench-server-\(getpid())-\(Self.started.next()).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process = try ChildProcess(
            executable,
            ["--smtp-port", "0", "--pop3-port", "0", "--imap-port", "0", "--http-port", "0", "--log-level", "error"]
                + arguments,
            output: logPath)
        var ports: [String: Int] = [:]
        let deadline = Date().addingTimeInterval(30)
        while ports.count < 4 {
            guard process.isRunning, Date() < deadline else {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                process.stop()
                throw Failure(description: "letterbox did not start: \(log.suffix(500))")
            }
            usleep(20_000)
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            for line in log.split(separator: "\n") where line.contains(" listening on ") {
                let name = String(line.prefix { $0 != " " })
                if let port = line.split(separator: ":").last.flatMap({ Int($0) }) { ports[name] = port }
            }
        }
        smtp = ports["smtp"] ?? 0
        pop3 = ports["pop3"] ?? 0
        imap = ports["imap"] ?? 0
        http = ports["http"] ?? 0
    }

    /// Numbers the children of this bench, for their log files' names.
    private final class Counter: @unchecked Sendable {  // used from the main flow only
        private var value = 0
        func next() -> Int {
            value += 1
            return value
        }
    }
    private static let started = Counter()

    /// Whether the server is still running (reaping it if it has exited).
    var isRunning: Bool { process.isRunning }

    /// How the server ended, e.g. "killed by signal 4 (SIGILL)", or nil while it runs.
    var ending: String? {
        guard !process.isRunning, let status = process.waitStatus else { return nil }
        let signal = status & 0x7F
        if signal == 0 { return "exited with status \((status >> 8) & 0xFF)" }
        let name = strsignal(signal).map { String(cString: $0) } ?? "?"
        return "killed by signal \(signal) (\(name))"
    }

    /// The last `bytes` of the server's output (a trap's message is there).
    func logTail(_ bytes: Int = 600) -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(bytes))
    }

    /// Where the server trapped, from the Swift runtime's backtrace in its output: the fatal error
    /// message if any, and the first frame of the crashed thread in Letterbox's own sources, e.g.
    /// "SMTPCommand.parsePath(_:keyword:syntax:) at SMTPCommand.swift:99:28"; nil without a crash.
    func crashSite() -> String? {
        guard let log = try? String(contentsOfFile: logPath, encoding: .utf8), log.contains("crashed") else {
            return nil
        }
        let lines = log.split(separator: "\n")
        var found: [String] = []
        if let fatal = lines.first(where: { $0.contains("Fatal error") }) { found.append(String(fatal.prefix(200))) }
        if let crashed = lines.firstIndex(where: { $0.hasPrefix("Thread") && $0.hasSuffix("crashed:") }),
            let frame = lines[crashed...].first(where: { $0.contains(".swift:") && !$0.contains("[system]") })
        {
            let words = frame.split(separator: " ", omittingEmptySubsequences: true)
            let file = words.last.map { $0.split(separator: "/").last.map(String.init) ?? "" } ?? ""
            if let inIndex = words.lastIndex(of: "in"), let hex = words.firstIndex(where: { $0.hasPrefix("0x") }),
                hex + 1 < inIndex
            {
                let symbol = words[(hex + 1)..<inIndex].filter {
                    !["specialized", "static", "+"].contains($0) && Int($0) == nil
                }
                found.append("\(symbol.joined(separator: " ")) at \(file)")
            } else {
                found.append(String(frame.prefix(200)))
            }
        }
        return found.isEmpty ? "crashed (no backtrace)" : found.joined(separator: "; ")
    }

    /// A field of /proc/<pid>/status in bytes (`VmRSS`, `VmHWM`), 0 when unavailable.
    func statusBytes(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return 0 }
        return (line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
    }

    /// Resident memory now.
    var residentBytes: Int { statusBytes("VmRSS") }

    /// CPU time the child has used so far (user and system, from /proc/<pid>/stat), in seconds:
    /// a measure of the server's work that a loaded machine does not distort as it does rates.
    var cpuSeconds: Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
    /// The resident peak since start or since the last ``resetPeak()``.
    var peakBytes: Int { statusBytes("VmHWM") }

    /// Starts a new peak: writing 5 to /proc/<pid>/clear_refs resets VmHWM (Linux ≥ 4.0).
    func resetPeak() {
        try? "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
    }

    /// Open file descriptors, from /proc/<pid>/fd.
    var openFiles: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0 }

    /// SIGTERM (SIGKILL after 5 s) and waits; removes the log unless asked to keep it.
    func stop(keepLog: Bool = false) {
        process.stop()
        if !keepLog { try? FileManager.default.removeItem(atPath: logPath) }
    }
}

/// Prints a line and flushes at once, so a long run's progress shows in a file or pipe too.
func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// Mebibytes, for reports.
func mebibytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

/// The `p` quantile (0…1) of `samples` in milliseconds (samples in seconds), NaN when empty.
func percentileMilliseconds(_ samples: [Double], _ p: Double) -> Double {
    guard !samples.isEmpty else { return .nan }
    let sorted = samples.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000
}
