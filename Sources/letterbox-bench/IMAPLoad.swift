import Foundation
import Letterbox
import LetterboxStore
import Synchronization
import TestSupport

/// IMAP out: UID FETCH of a large mailbox, UID SEARCH TEXT through it, new-mail latency at an
/// IDLE client, and many IDLE sessions held while another client reads. Letterbox and Dovecot
/// (when installed) hold the same messages and are driven by the same blocking client in the same
/// run. Blocking clients run on threads of their own, never on the cooperative pool, so an
/// in-process catcher is not starved of it.
enum IMAPLoad {
    typealias Target = LoadTarget

    /// Seconds per repetition, each from sending the command to receiving the tagged OK.
    struct Speed: Sendable {
        var fetch: [Double] = []
        var search: [Double] = []
        /// What the sanity checks found wrong; empty when every reply was complete and right.
        var problems: [String] = []
    }

    /// Milliseconds from the delivery (SMTP 250, or the rename into a Maildir's new/) to the
    /// `* n EXISTS` at an IDLE client; negative when the EXISTS came first.
    struct Latency: Sendable {
        var milliseconds: [Double] = []
        var problem = ""
    }

    /// Sessions held by another process while one more client logs in and reads.
    struct Held: Sendable {
        var idling = 0
        var seconds = 0.0
        var firstError = ""
        /// Seconds for connect, LOGIN, SELECT, UID FETCH 1:* (UID FLAGS) by one more client.
        var extraSeconds: Double?
        var extraProblem = ""
        /// Growth of the server's memory over the sessions, and how it was measured.
        var memoryGrowth: Int?
        var memoryNote = ""
    }

    static let user = "bench"
    static let password = "bench"
    static let fetchCommand = "UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)"
    static let searchCommand = "UID SEARCH TEXT \"needle\""

    /// `letterbox-bench imap` (the report), and the processes it starts: `imap-sessions` (IDLE
    /// latency and held sessions, in a fresh process) and `imap-clients` (holding the sessions).
    static func run(
        _ mode: String, messages: Int, size: Int, deliveries: Int, sessions: Int, port: Int
    ) async throws {
        switch mode {
        case "imap-clients": holdClients(port: port, sessions: sessions)
        case "imap-sessions": try await reportSessions(deliveries: deliveries, sessions: sessions)
        default: try await report(messages: messages, size: size, deliveries: deliveries, sessions: sessions)
        }
    }

    // MARK: Messages

    private static let words = [
        "account", "alpha", "bravo", "customer", "delivery", "invoice", "letter", "meeting", "message",
        "order", "project", "quarterly", "queue", "report", "review", "schedule", "shipping", "status",
        "the", "update", "with", "a", "for", "of",
    ].map { Array($0.utf8) }

    /// A text/plain message of about `size` octets (CRLF lines of words from a small vocabulary
    /// that never spells "needle"); with `needle`, one line in the middle says it. With `html`, a
    /// text/html one whose lines are `<p>` paragraphs with a little inline markup.
    static func message(_ number: Int, size: Int, needle: Bool, html: Bool = false) -> [UInt8] {
        var bytes = Array(
            ("From: Bench Sender <bench@example.com>\r\nTo: Sink <sink@example.com>\r\n"
                + "Subject: bench message \(number)\r\nDate: Fri, 27 Nov 2026 06:12:13 +0000\r\n"
                + "Message-ID: <\(number)@letterbox-bench>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/\(html ? "html" : "plain"); charset=utf-8\r\n\r\n").utf8)
        bytes.reserveCapacity(size + 80)
        var state = UInt64(number) &* 0x9E37_79B9_7F4A_7C15 | 1
        var line: [UInt8] = []
        let middle = (bytes.count + size) / 2
        var needleWritten = !needle
        while bytes.count + line.count < size - 2 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            if !line.isEmpty { line.append(0x20) }
            line += words[Int(state % UInt64(words.count))]
            if line.count >= 70 {
                bytes += html ? Self.paragraph(line) : line + [0x0D, 0x0A]
                line = []
                if !needleWritten && bytes.count >= middle {
                    bytes += Array("Somewhere in here is the needle you are looking for.\r\n".utf8)
                    needleWritten = true
                }
            }
        }
        if !line.isEmpty { bytes += html ? Self.paragraph(line) : line + [0x0D, 0x0A] }
        return bytes
    }

    /// `line` as an HTML paragraph with its second word in bold, CRLF-terminated.
    private static func paragraph(_ line: [UInt8]) -> [UInt8] {
        let space = line.firstIndex(of: 0x20) ?? line.count
        return Array("<p class=\"bench\">".utf8) + line[..<space] + Array(" <b>".utf8) + line[space...]
            + Array("</b></p>\r\n".utf8)
    }

    // MARK: Report

    /// Prints the FETCH and SEARCH figures, then runs ``reportSessions(deliveries:sessions:)`` in a
    /// fresh process, which prints the IDLE ones.
    static func report(messages: Int, size: Int, deliveries: Int, sessions: Int, repetitions: Int = 5) async throws {
        let count = max(messages, 1)
        let needleIndex = count * 7 / 9
        let stored = (0..<count).map { message($0, size: size, needle: $0 == needleIndex) }
        let averageSize = stored.reduce(0) { $0 + $1.count } / stored.count

        // Part 1: FETCH and SEARCH over the large mailbox.
        var configuration = Configuration()
        configuration.httpPort = nil
        configuration.pop3Port = nil
        configuration.smtpPort = nil
        let catcher = try await MailCatcher.start(configuration)
        var needleUIDs: [Int] = []
        for (index, bytes) in stored.enumerated() {
            let message = try await catcher.store.append(
                bytes, envelope: Envelope(sender: "bench@example.com", recipients: ["sink@example.com"]))
            if index == needleIndex { needleUIDs.append(Int(message.id)) }
        }
        var targets = [Target(name: "letterbox", port: catcher.ports.imap)]
        let executable = DovecotReference.executable(for: .imap)
        var dovecot: DovecotReference?
        if let executable {
            do {
                dovecot = try DovecotReference(executable: executable, messages: stored, sessions: 16, service: .imap)
                // A fresh Maildir: Dovecot numbers the messages 1, 2, … in the order written.
                needleUIDs.append(needleIndex + 1)
            } catch {
                print("dovecot failed to start, reporting letterbox alone: \(error)")
            }
        } else {
            print("dovecot-imapd not installed: apt-get install dovecot-imapd (reporting letterbox alone)")
        }
        if let dovecot { targets.append(Target(name: "dovecot", port: dovecot.port)) }
        let version = dovecot?.version
        let queried = targets
        let expectedUIDs = needleUIDs
        let speeds: [Speed]
        do {
            speeds = try await onThread {
                try measureQueries(queried, messages: count, needleUIDs: expectedUIDs, repetitions: repetitions)
            }
        } catch {
            dovecot?.stop()
            await catcher.shutdown()
            throw error
        }
        dovecot?.stop()
        await catcher.shutdown()

        // The report.
        let median = LoadTarget.median
        func side(separator: String = ", ", _ value: (Int) -> String) -> String {
            LoadTarget.compare(targets, referenceMissing: dovecot == nil, separator: separator, value)
        }
        let note = "median of \(repetitions) after a warm-up"
        if let version {
            print(
                "imap reference: dovecot \(version), same \(count) messages (\(averageSize) B each on average) in its Maildir"
            )
        }
        print(
            "imap \(fetchCommand), \(count) messages: "
                + side { String(format: "%.1f ms", median(speeds[$0].fetch) * 1000) } + " (\(note); goal < 250 ms)")
        print(
            "imap \(searchCommand), \(count) × \(averageSize / 1024) KiB, one match: "
                + side { String(format: "%.1f ms", median(speeds[$0].search) * 1000) } + " (\(note); goal < 500 ms)")
        for (index, target) in targets.enumerated() {
            for problem in speeds[index].problems { print("  warning: \(target.name): \(problem)") }
        }
        // IDLE and held sessions in a fresh process: its heap has not grown and shrunk with the
        // messages above (the allocator keeps freed pages), so the RSS growth is the sessions' alone.
        fflush(nil)  // every C stream, stdout included, before the child writes to it
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["imap-sessions", "--deliveries", String(deliveries), "--sessions", String(sessions)]
        try child.run()
        child.waitUntilExit()
    }

    /// IDLE latency and held IDLE sessions, on fresh, empty mailboxes (run as `imap-sessions`).
    static func reportSessions(deliveries: Int, sessions: Int) async throws {
        var configuration = Configuration()
        configuration.httpPort = nil
        configuration.pop3Port = nil
        configuration.maxConnections = sessions + 16
        let catcher = try await MailCatcher.start(configuration)
        var dovecot: DovecotReference?
        if let executable = DovecotReference.executable(for: .imap) {
            do {
                dovecot = try DovecotReference(executable: executable, messages: [], sessions: sessions, service: .imap)
            } catch {
                print("dovecot failed to start for IDLE, reporting letterbox alone: \(error)")
            }
        }
        var latencies: [Latency] = []
        var held: [Held] = []
        do {
            let smtpPort = catcher.ports.smtp
            let letterboxPort = catcher.ports.imap
            latencies.append(
                try await onThread {
                    var smtp = try BlockingSMTPClient(port: smtpPort)
                    defer { smtp.close() }
                    return idleLatency(port: letterboxPort, deliveries: deliveries) { number in
                        try smtp.send(
                            Array("MAIL FROM:<bench@example.com>\r\nRCPT TO:<sink@example.com>\r\nDATA\r\n".utf8))
                        _ = try smtp.expect(250)
                        _ = try smtp.expect(250)
                        _ = try smtp.expect(354)
                        try smtp.send(message(number, size: 1024, needle: false) + Array(".\r\n".utf8))
                        _ = try smtp.expect(250)
                        return DispatchTime.now().uptimeNanoseconds
                    }
                })
            if let dovecot {
                let drop = dovecot.maildir
                let port = dovecot.port
                latencies.append(
                    try await onThread {
                        idleLatency(port: port, deliveries: deliveries) { number in
                            try drop.deliver(message(number, size: 1024, needle: false), number: number)
                            return DispatchTime.now().uptimeNanoseconds
                        }
                    })
            }
            held.append(
                try await hold(Target(name: "letterbox", port: letterboxPort), sessions: sessions, dovecot: nil))
            if let dovecot {
                held.append(
                    try await hold(Target(name: "dovecot", port: dovecot.port), sessions: sessions, dovecot: dovecot))
            }
        } catch {
            dovecot?.stop()
            await catcher.shutdown()
            throw error
        }
        let mailboxSize = catcher.store.messages().count
        dovecot?.stop()
        await catcher.shutdown()

        let names = ["letterbox", "dovecot"]
        func percentile(_ samples: [Double], _ p: Double) -> Double {
            let sorted = samples.sorted()
            return sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
        let latencyNames = ["letterbox (SMTP 250 → EXISTS)", "dovecot (rename into Maildir new/ → EXISTS)"]
        print(
            "imap new mail at an IDLE client, \(deliveries) deliveries one at a time: "
                + latencies.indices.map { index in
                    let samples = latencies[index].milliseconds
                    return latencyNames[index]
                        + String(
                            format: " p50 %.2f ms, p99 %.2f ms, max %.2f ms", percentile(samples, 0.5),
                            percentile(samples, 0.99), samples.max() ?? .nan)
                        + (samples.contains { $0 < 0 } ? " (\(samples.count { $0 < 0 }) EXISTS before the 250)" : "")
                        + (samples.count < deliveries ? " [\(samples.count)/\(deliveries) seen]" : "")
                }.joined(separator: "; ") + (latencies.count < 2 ? "; dovecot n/a" : "") + " (goal p99 < 5 ms)")
        print(
            "imap \(sessions) sessions in IDLE held (mailbox of \(mailboxSize) messages, fresh process): "
                + held.indices.map { index in
                    let result = held[index]
                    var text =
                        "\(names[index]) "
                        + String(format: "%d/%d idling within %.2f s", result.idling, sessions, result.seconds)
                    if let growth = result.memoryGrowth {
                        text += String(
                            format: " (%+.1f KiB %@)", Double(growth) / 1024 / Double(max(result.idling, 1)),
                            result.memoryNote)
                    }
                    if let extra = result.extraSeconds {
                        text += String(
                            format: ", then another client's connect+login+select+fetch took %.2f ms", extra * 1000)
                    } else {
                        text += ", then another client FAILED"
                    }
                    return text
                }.joined(separator: "; ") + (held.count < 2 ? "; dovecot n/a" : "") + " (goal ≤ 32 KiB RSS each)")
        if latencies.count > 1 {
            print(
                "  note: dovecot learns of new mail in its Maildir through inotify, then waits a fixed 500 ms"
                    + " (NOTIFY_DELAY_MSECS, Dovecot 2.3 mailbox-watch.c) before IDLE reports it: its figure is that"
                    + " delay, not comparable with Letterbox's in-process path")
        }
        for (index, latency) in latencies.enumerated() where !latency.problem.isEmpty {
            print("  warning: \(latencyNames[index]): \(latency.problem)")
        }
        for (index, result) in held.enumerated() {
            if !result.firstError.isEmpty {
                print("  warning: \(names[index]): held session failed: \(result.firstError)")
            }
            if !result.extraProblem.isEmpty {
                print("  warning: \(names[index]): another client: \(result.extraProblem)")
            }
        }
    }

    // MARK: FETCH and SEARCH

    /// Opens one session per target, warms up (checking the FETCH count and the SEARCH result),
    /// then times the FETCH and the SEARCH, round-robin across targets.
    static func measureQueries(_ targets: [Target], messages: Int, needleUIDs: [Int], repetitions: Int) throws
        -> [Speed]
    {
        var speeds = [Speed](repeating: Speed(), count: targets.count)
        var clients: [BlockingIMAPClient] = []
        for (index, target) in targets.enumerated() {
            let client = try BlockingIMAPClient(port: target.port)
            try client.logIn(user: user, password: password)
            let exists = try client.selectInbox()
            if exists != messages { speeds[index].problems.append("SELECT: \(exists) EXISTS, expected \(messages)") }
            let fetched = try client.command(fetchCommand)
            if fetched.untaggedCount != messages {
                speeds[index].problems.append("FETCH gave \(fetched.untaggedCount) responses of \(messages)")
            }
            let found = try client.command(searchCommand, keep: true).searchResults
            if found != [needleUIDs[index]] {
                speeds[index].problems.append("SEARCH found \(found.prefix(5)), expected [\(needleUIDs[index])]")
            }
            clients.append(client)
        }
        for _ in 0..<repetitions {
            for (index, client) in clients.enumerated() {
                let fetched = try client.command(fetchCommand)
                speeds[index].fetch.append(fetched.seconds)
                if fetched.untaggedCount != messages {
                    speeds[index].problems.append("FETCH gave \(fetched.untaggedCount) responses of \(messages)")
                }
                speeds[index].search.append(try client.command(searchCommand).seconds)
            }
        }
        for client in clients { client.logOut() }
        return speeds
    }

    // MARK: IDLE

    /// What the IDLE client's reading thread tells the delivering thread.
    private final class Arrivals: Sendable {
        struct State {
            var initial: Int?
            var fd: Int32 = -1
            /// When `* n EXISTS` arrived, by n.
            var times: [Int: UInt64] = [:]
            var failure: String?
            var finished = false
        }

        private let state = Mutex(State())
        private let signal = DispatchSemaphore(value: 0)

        func post(_ change: (inout State) -> Void) {
            state.withLock { change(&$0) }
            signal.signal()
        }

        /// Waits until `check` gives a value, at most `timeout` seconds; nil if it never did.
        func wait<T>(timeout: Double, _ check: (State) -> T?) -> T? {
            let deadline = DispatchTime.now() + timeout
            while true {
                if let value = state.withLock({ check($0) }) { return value }
                if signal.wait(timeout: deadline) == .timedOut { return state.withLock { check($0) } }
            }
        }
    }

    /// Delivers `deliveries` messages one at a time with `deliver` (which returns when the
    /// delivery counts as done) and measures how long after that an IDLE client, reading on a
    /// thread of its own, receives the EXISTS for it.
    static func idleLatency(port: Int, deliveries: Int, deliver: (Int) throws -> UInt64) -> Latency {
        var latency = Latency()
        let arrivals = Arrivals()
        let reader = Thread {
            do {
                let client = try BlockingIMAPClient(port: port, timeout: 30)
                try client.logIn(user: user, password: password)
                let initial = try client.selectInbox()
                try client.idle()
                arrivals.post {
                    $0.initial = initial
                    $0.fd = client.fd
                }
                while true {
                    let (text, received) = try client.line()
                    let fields = text.split(separator: " ")
                    if fields.count == 3, fields[0] == "*", fields[2] == "EXISTS", let number = Int(fields[1]) {
                        arrivals.post { $0.times[number] = received }
                    } else if fields.first?.hasPrefix("b") == true {
                        break  // the tagged end of IDLE, after the DONE sent below
                    }
                }
                client.logOut()
            } catch {
                arrivals.post { $0.failure = "IDLE client: \(error)" }
            }
            arrivals.post { $0.finished = true }
        }
        reader.start()
        guard let initial = arrivals.wait(timeout: 60, { $0.initial ?? ($0.failure != nil ? -1 : nil) }), initial >= 0
        else {
            latency.problem = arrivals.wait(timeout: 0) { $0.failure } ?? "IDLE client did not start"
            return latency
        }
        for number in 0..<deliveries {
            do {
                let delivered = try deliver(number)
                let expected = initial + number + 1
                guard let arrived = arrivals.wait(timeout: 10, { $0.times[expected] ?? ($0.failure != nil ? 0 : nil) }),
                    arrived > 0
                else {
                    latency.problem =
                        "no EXISTS \(expected) within 10 s"
                        + (arrivals.wait(timeout: 0) { $0.failure }.map { ": \($0)" } ?? "")
                    break
                }
                latency.milliseconds.append(Double(Int64(bitPattern: arrived &- delivered)) / 1e6)
            } catch {
                latency.problem = "delivery \(number) failed: \(error)"
                break
            }
        }
        // End IDLE from here; the reader sees the tagged completion and leaves.
        if let fd = arrivals.wait(timeout: 0, { $0.fd >= 0 ? $0.fd : nil }) {
            _ = "DONE\r\n".withCString { send(fd, $0, 6, Int32(MSG_NOSIGNAL)) }
            if arrivals.wait(timeout: 10, { $0.finished ? true : nil }) == nil { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        return latency
    }

    // MARK: Held sessions

    /// Holds `sessions` IDLE sessions from a child process (so the RSS growth measured for the
    /// in-process server is the server's alone), then times one more client's connect, login,
    /// select and fetch. For Dovecot, the memory is the PSS of all its processes.
    static func hold(_ target: Target, sessions: Int, dovecot: DovecotReference?) async throws -> Held {
        var held = Held()
        let port = target.port
        // Warm-up: a few sessions through IDLE, so that what the first one creates lazily is there.
        _ = try? await onThread {
            for _ in 0..<4 {
                let client = try BlockingIMAPClient(port: port)
                try client.logIn(user: user, password: password)
                try client.selectInbox()
                try client.idle()
                try client.done()
                client.logOut()
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        let before = dovecot?.memory().pss ?? residentBytes()
        // The child reports once every session is in IDLE.
        let holder = try await onThread { try HeldSessions(subcommand: "imap-clients", port: port, sessions: sessions) }
        (held.idling, held.seconds, held.firstError) = (
            holder.report.opened, holder.report.seconds, holder.report.firstError
        )
        try await Task.sleep(for: .milliseconds(500))
        if let dovecot {
            let after = dovecot.memory()
            held.memoryGrowth = after.pss - before
            held.memoryNote = "PSS each, \(after.processes) processes"
        } else {
            held.memoryGrowth = residentBytes() - before
            held.memoryNote = "RSS each"
        }
        do {
            held.extraSeconds = try await onThread {
                let start = DispatchTime.now().uptimeNanoseconds
                let client = try BlockingIMAPClient(port: port)
                try client.logIn(user: user, password: password)
                try client.selectInbox()
                try client.command("UID FETCH 1:* (UID FLAGS)")
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                client.logOut()
                return seconds
            }
        } catch {
            held.extraProblem = "\(error)"
        }
        try holder.end()
        return held
    }

    /// The child side: opens `sessions` sessions (LOGIN, SELECT, IDLE) and holds them, see ``HeldSessions``.
    static func holdClients(port: Int, sessions: Int) {
        HeldSessions.hold(sessions: sessions) {
            let client = try BlockingIMAPClient(port: port)
            try client.logIn(user: user, password: password)
            try client.selectInbox()
            try client.idle()
            return client
        } close: { client in
            _ = try? client.send(Array("DONE\r\nz LOGOUT\r\n".utf8))
        }
    }
}
