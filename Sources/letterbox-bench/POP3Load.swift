import Foundation
import Letterbox
import LetterboxStore
import TestSupport

/// POP3 out: RETR of one large message, LIST and UIDL of a large maildrop, and many sessions held
/// while another client reads. Letterbox and Dovecot (when installed) hold the same messages and
/// are read by the same blocking client in the same run, repetitions interleaved.
enum POP3Load {
    typealias Target = LoadTarget

    /// Seconds per repetition, each from sending the command to receiving the final `.`.
    struct Speed: Sendable {
        var retr: [Double] = []
        var list: [Double] = []
        var uidl: [Double] = []
        /// What the sanity checks found wrong; empty when every reply was complete and intact.
        var problems: [String] = []
    }

    /// Sessions held by another process while one more client logs in and reads.
    struct Held: Sendable {
        var loggedIn = 0
        var loginSeconds = 0.0
        var firstError = ""
        /// Seconds for connect, USER/PASS and RETR 1 by one more client; nil when it failed.
        var extraSeconds: Double?
        var extraProblem = ""
        var residentGrowth: Int?
    }

    static let user = "bench"
    static let password = "bench"

    /// A ~1 KiB message with CRLF line endings and its number in the subject.
    static func smallMessage(_ number: Int) -> [UInt8] {
        var bytes = Array(
            ("From: bench@example.com\r\nTo: sink@example.com\r\nSubject: bench message \(number)\r\n"
                + "Message-ID: <\(number)@letterbox-bench>\r\n\r\n").utf8)
        var line = 0
        while bytes.count + 78 <= 1024 {
            appendLine(76, seed: number &+ line, to: &bytes)
            line += 1
        }
        return bytes
    }

    /// A message of exactly `size` octets: headers, then 76-character CRLF lines (as base64
    /// would have them), each different so that a shifted or truncated transfer cannot compare equal.
    static func bigMessage(size: Int) -> [UInt8] {
        var bytes = Array(
            ("From: bench@example.com\r\nTo: sink@example.com\r\nSubject: bench attachment\r\n"
                + "Message-ID: <big@letterbox-bench>\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n").utf8)
        bytes.reserveCapacity(size)
        var line = 0
        while size - bytes.count > 2 * 78 {
            appendLine(76, seed: line, to: &bytes)
            line += 1
        }
        // The last two lines share what is left, so the total is exact.
        let left = size - bytes.count
        guard left >= 4 else { return bytes }
        let first = left / 2 - 2
        appendLine(first, seed: line, to: &bytes)
        appendLine(size - bytes.count - 2, seed: line + 1, to: &bytes)
        return bytes
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static func appendLine(_ length: Int, seed: Int, to bytes: inout [UInt8]) {
        for index in 0..<length { bytes.append(alphabet[(seed &* 7 &+ index) & 63]) }
        bytes.append(contentsOf: [0x0D, 0x0A])
    }

    static func report(messages: Int, big: Int, sessions: Int, repetitions: Int = 5) async throws {
        let stored = (1...max(messages, 1)).map(smallMessage) + [bigMessage(size: big)]

        var configuration = Configuration()
        configuration.httpPort = nil
        configuration.smtpPort = nil
        configuration.maxConnections = sessions + 16
        let catcher = try await MailCatcher.start(configuration)
        for message in stored {
            _ = try await catcher.store.append(
                message, envelope: Envelope(sender: "bench@example.com", recipients: ["sink@example.com"]))
        }
        var targets = [Target(name: "letterbox", port: catcher.ports.pop3)]

        var dovecot: DovecotReference?
        if let executable = DovecotReference.executable(for: .pop3) {
            do {
                dovecot = try DovecotReference(executable: executable, messages: stored, sessions: sessions)
            } catch {
                print("dovecot failed to start, reporting letterbox alone: \(error)")
            }
        } else {
            print("dovecot not installed: apt-get install dovecot-pop3d (reporting letterbox alone)")
        }
        defer { dovecot?.stop() }
        if let dovecot { targets.append(Target(name: "dovecot", port: dovecot.port)) }

        let measuredTargets = targets
        let speeds = try await Task.detached {
            try measure(measuredTargets, expected: stored, repetitions: repetitions)
        }.value
        var held: [Held] = []
        for target in targets {
            held.append(
                try await hold(
                    target, sessions: sessions, expectedFirst: stored[0], inProcess: target.name == "letterbox"))
        }
        await catcher.shutdown()

        let median = LoadTarget.median
        func side(separator: String = ", ", _ value: (Int) -> String) -> String {
            LoadTarget.compare(targets, referenceMissing: dovecot == nil, separator: separator, value)
        }
        let size = big % 1_048_576 == 0 ? "\(big / 1_048_576) MiB" : "\(big) B"
        let note = "median of \(repetitions) after a warm-up"
        if let version = dovecot?.version { print("pop3 reference: dovecot \(version), same messages in its Maildir") }
        print(
            "pop3 RETR \(size): "
                + side { String(format: "%.0f MB/s", Double(big) / median(speeds[$0].retr) / 1e6) }
                + " (\(note); goal ≥ 200 MB/s)")
        print(
            "pop3 LIST \(stored.count) messages: "
                + side { String(format: "%.2f ms", median(speeds[$0].list) * 1000) } + " (\(note); goal < 50 ms)")
        print(
            "pop3 UIDL \(stored.count) messages: "
                + side { String(format: "%.2f ms", median(speeds[$0].uidl) * 1000) } + " (\(note); goal < 50 ms)")
        print(
            "pop3 \(sessions) sessions held: "
                + side(separator: "; ") { index in
                    let result = held[index]
                    var text = String(
                        format: "%d/%d logged in within %.2f s", result.loggedIn, sessions, result.loginSeconds)
                    if let growth = result.residentGrowth {
                        text += String(
                            format: " (+%.0f KiB RSS each)", Double(growth) / 1024 / Double(max(result.loggedIn, 1)))
                    }
                    if let extra = result.extraSeconds {
                        text += String(
                            format: ", then another client's connect+login+RETR 1 took %.2f ms", extra * 1000)
                    } else {
                        text += ", then another client FAILED to log in and RETR"
                    }
                    return text
                })
        for (index, target) in targets.enumerated() {
            for problem in speeds[index].problems { print("  warning: \(target.name): \(problem)") }
            if !held[index].firstError.isEmpty {
                print("  warning: \(target.name): held session failed: \(held[index].firstError)")
            }
            if !held[index].extraProblem.isEmpty {
                print("  warning: \(target.name): another client: \(held[index].extraProblem)")
            }
        }
    }

    /// Opens one session per target, warms up (LIST, UIDL, RETR, checked against `expected`), then
    /// times RETR of the largest message, LIST and UIDL, round-robin across targets.
    static func measure(_ targets: [Target], expected: [[UInt8]], repetitions: Int) throws -> [Speed] {
        var speeds = [Speed](repeating: Speed(), count: targets.count)
        var clients: [(client: BlockingPOP3Client, largest: Int, octets: Int)] = []
        for (index, target) in targets.enumerated() {
            let client = try BlockingPOP3Client(port: target.port)
            try client.logIn(user: user, password: password)
            let sizes = try client.multiline("LIST").lines.compactMap { line -> (number: Int, size: Int)? in
                let fields = line.split(separator: " ")
                guard fields.count == 2, let number = Int(fields[0]), let size = Int(fields[1]) else { return nil }
                return (number, size)
            }
            if sizes.count != expected.count {
                speeds[index].problems.append("LIST gave \(sizes.count) of \(expected.count) messages")
            }
            let uids = try client.multiline("UIDL").lines.compactMap { $0.split(separator: " ").last }
            if Set(uids).count != expected.count {
                speeds[index].problems.append("UIDL gave \(Set(uids).count) distinct of \(expected.count)")
            }
            guard let largest = sizes.max(by: { $0.size < $1.size }) else {
                throw BlockingPOP3Client.Failure(description: "\(target.name): empty maildrop")
            }
            let retrieved = try client.multiline("RETR \(largest.number)")
            if BlockingPOP3Client.unstuff(retrieved.body) != expected.last {
                speeds[index].problems.append(
                    "RETR \(largest.number) body differs from the stored message (\(retrieved.body.count) octets)")
            }
            clients.append((client, largest.number, retrieved.body.count))
        }
        for _ in 0..<repetitions {
            for (index, session) in clients.enumerated() {
                let retrieved = try session.client.multiline("RETR \(session.largest)")
                speeds[index].retr.append(retrieved.seconds)
                if retrieved.body.count != session.octets {
                    speeds[index].problems.append(
                        "RETR gave \(retrieved.body.count) octets, the checked one \(session.octets)")
                }
                speeds[index].list.append(try session.client.multiline("LIST").seconds)
                speeds[index].uidl.append(try session.client.multiline("UIDL").seconds)
            }
        }
        for session in clients { session.client.quit() }
        return speeds
    }

    /// Holds `sessions` logged-in sessions from a child process (so the RSS growth measured for an
    /// in-process server is the server's alone), then times one more client's login and RETR 1.
    static func hold(_ target: Target, sessions: Int, expectedFirst: [UInt8], inProcess: Bool) async throws -> Held {
        var held = Held()
        let before = residentBytes()
        // The child reports once every session has answered STAT after logging in.
        let port = target.port
        let holder = try await onThread { try HeldSessions(subcommand: "pop3-clients", port: port, sessions: sessions) }
        (held.loggedIn, held.loginSeconds, held.firstError) = (
            holder.report.opened, holder.report.seconds, holder.report.firstError
        )
        try await Task.sleep(for: .milliseconds(200))
        if inProcess { held.residentGrowth = residentBytes() - before }

        let extra: Result<(Double, Bool), any Error> = await Task.detached {
            Result {
                let start = DispatchTime.now().uptimeNanoseconds
                let client = try BlockingPOP3Client(port: port)
                try client.logIn(user: user, password: password)
                let retrieved = try client.multiline("RETR 1")
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                client.quit()
                return (seconds, BlockingPOP3Client.unstuff(retrieved.body) == expectedFirst)
            }
        }.value
        switch extra {
        case .success(let (seconds, intact)):
            held.extraSeconds = seconds
            if !intact { held.extraProblem = "RETR 1 body differs from the first stored message" }
        case .failure(let error):
            held.extraProblem = "\(error)"
        }
        try holder.end()
        return held
    }

    /// The child side: logs `sessions` clients in (each answers STAT) and holds them, see ``HeldSessions``.
    static func holdClients(port: Int, sessions: Int) {
        HeldSessions.hold(sessions: sessions) {
            let client = try BlockingPOP3Client(port: port)
            try client.logIn(user: user, password: password)
            // Dovecot says +OK to PASS from its login process and opens the maildrop in a
            // fresh pop3 process afterwards; a command's answer shows the session is ready.
            try client.command("STAT")
            return client
        } close: { client in
            client.quit()
        }
    }
}
