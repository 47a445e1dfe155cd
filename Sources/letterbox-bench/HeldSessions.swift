import Foundation

/// Sessions held open by a child process (`letterbox-bench smtp|pop3|imap-clients`), so that the
/// memory a server grows by is measured apart from its clients' memory.
///
/// The child opens the sessions one after another, prints `ready <opened> <seconds> <first error>`
/// and holds them until its standard input closes.
final class HeldSessions: @unchecked Sendable {  // set up in init; `end()` called once, by its creator
    /// How many sessions the child opened, how long that took, and the first failure if any.
    struct Report {
        var opened = 0
        var seconds = 0.0
        var firstError = ""
    }

    let report: Report
    private let child: Process
    private let release: Pipe

    /// Starts `letterbox-bench <subcommand> --port <port> --sessions <sessions>` and blocks until it
    /// reports (call it off the cooperative pool, e.g. in ``onThread(_:)``).
    init(subcommand: String, port: Int, sessions: Int) throws {
        child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = [subcommand, "--port", String(port), "--sessions", String(sessions)]
        let ready = Pipe()
        release = Pipe()
        child.standardOutput = ready
        child.standardInput = release
        try child.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = ready.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let fields = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .newlines)
            .split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        var report = Report()
        if fields.count >= 3, fields[0] == "ready" {
            report.opened = Int(fields[1]) ?? 0
            report.seconds = Double(fields[2]) ?? 0
            report.firstError = fields.count > 3 ? String(fields[3]) : ""
        } else {
            report.firstError = "holder process reported \(fields.joined(separator: " "))"
        }
        self.report = report
    }

    /// Lets the child close its sessions and waits until it has exited.
    func end() throws {
        try release.fileHandleForWriting.close()
        child.waitUntilExit()
    }

    /// The child side: opens `sessions` sessions with `open`, reports, holds them until standard
    /// input closes, then ends each with `close`.
    static func hold<Client>(sessions: Int, open: () throws -> Client, close: (Client) -> Void) {
        var clients: [Client] = []
        var firstError = ""
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<sessions {
            do {
                clients.append(try open())
            } catch {
                if firstError.isEmpty { firstError = "\(error)".replacingOccurrences(of: "\n", with: " ") }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        FileHandle.standardOutput.write(Data("ready \(clients.count) \(seconds) \(firstError)\n".utf8))
        _ = FileHandle.standardInput.readDataToEndOfFile()
        for client in clients { close(client) }
    }
}

/// Runs blocking `body` on a thread of its own, so the cooperative pool stays free.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
