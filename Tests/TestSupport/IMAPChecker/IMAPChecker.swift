import Foundation

/// A randomized multi-session IMAP checker: N concurrent sessions send random APPEND, STORE
/// (flags and keywords), COPY, MOVE, EXPUNGE, SEARCH, FETCH and IDLE to a few shared mailboxes,
/// each keeping a model of its mailbox from what the server told it (EXISTS, EXPUNGE, FETCH,
/// FLAGS), and report every disagreement: a keyword never announced in FLAGS, a SEARCH result
/// that contradicts flags the session knows, a FETCH or EXPUNGE of a sequence number it was not
/// told exists, an EXPUNGE during FETCH, STORE or SEARCH (RFC 3501 §7.4.1), UIDs out of order,
/// a MOVE that did not expunge, a BAD or an unexplained NO.
///
/// Any server that speaks IMAP4rev1 with UIDPLUS and MOVE can be checked; run it against
/// Dovecot to check the checker. Sessions run on their own threads (blocking sockets), never on
/// Swift's cooperative pool.
public enum IMAPChecker {
    /// What to run.
    public struct Options: Sendable {
        public var port: Int
        public var user = "checker"
        public var password = "checker"
        public var sessions = 4
        /// Stop after this long…
        public var seconds: Double?
        /// …or after this many commands per session (whichever comes first).
        public var commandsPerSession: Int?
        public var seed: UInt64 = 1
        /// Shared by every session. Not INBOX: a Maildir store keeps INBOX for what SMTP delivered.
        public var mailboxes = ["check-a", "check-b", "check-c"]

        public init(port: Int) { self.port = port }
    }

    /// What a run found.
    public struct Report: Sendable {
        public var commands = 0
        public var seconds = 0.0
        /// Every disagreement, each naming the session, its mailbox and the command.
        public var disagreements: [String] = []
        /// A session that could not go on (connection lost, timeout): also a failure.
        public var errors: [String] = []

        public var passed: Bool { disagreements.isEmpty && errors.isEmpty }

        public var summary: String {
            var text =
                "\(commands) commands in \(String(format: "%.1f", seconds)) s: \(disagreements.count) disagreements, \(errors.count) session errors"
            for line in (errors + disagreements).prefix(20) { text += "\n  \(line)" }
            if errors.count + disagreements.count > 20 { text += "\n  …" }
            return text
        }
    }

    /// Runs the sessions to the end and returns what they found. Blocks the calling thread; call
    /// it from a thread of its own (``run(_:)`` async does).
    public static func runBlocking(_ options: Options) -> Report {
        var report = Report()
        do {
            let setup = try CheckerConnection(port: options.port)
            _ = try setup.command("LOGIN \(options.user) \(options.password)")
            for name in options.mailboxes where name.uppercased() != "INBOX" {
                _ = try setup.command("CREATE \(name)")  // NO when it exists already: fine
            }
            setup.logOut()
        } catch {
            report.errors.append("setup: \(error)")
            return report
        }
        let start = Date()
        let deadline = options.seconds.map { start.addingTimeInterval($0) }
        let results = Results()
        let group = DispatchGroup()
        for number in 0..<options.sessions {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                var session: CheckerSession?
                var failure: String?
                do {
                    let running = try CheckerSession(
                        number: number, port: options.port, user: options.user, password: options.password,
                        mailboxes: options.mailboxes, seed: options.seed)
                    session = running
                    while deadline.map({ Date() < $0 }) ?? true,
                        options.commandsPerSession.map({ running.commands < $0 }) ?? true
                    {
                        try running.step()
                    }
                } catch {
                    failure = "session \(number): \(error)"
                }
                let commands = session?.commands ?? 0
                let disagreements = session?.disagreements ?? []
                results.add(commands: commands, disagreements: disagreements, failure: failure)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        report.seconds = Date().timeIntervalSince(start)
        (report.commands, report.disagreements, report.errors) = results.totals
        return report
    }

    /// ``runBlocking(_:)`` on a thread of its own.
    public static func run(_ options: Options) async -> Report {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: runBlocking(options)) }.start()
        }
    }

    /// The sessions' findings, gathered from their threads.
    private final class Results: @unchecked Sendable {
        // @unchecked: every access holds `lock`.
        private let lock = NSLock()
        private var commands = 0
        private var disagreements: [String] = []
        private var errors: [String] = []

        func add(commands: Int, disagreements: [String], failure: String?) {
            lock.lock()
            defer { lock.unlock() }
            self.commands += commands
            self.disagreements += disagreements
            if let failure { errors.append(failure) }
        }

        var totals: (Int, [String], [String]) {
            lock.lock()
            defer { lock.unlock() }
            return (commands, disagreements, errors)
        }
    }
}
