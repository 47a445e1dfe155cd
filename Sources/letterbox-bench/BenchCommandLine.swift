/// The measurements `letterbox-bench` knows, the options each takes, and the check of a command
/// line before anything starts: `--help` (or `-h`) after any mode prints that mode's usage and
/// exits 0, and an option the mode does not take, a missing value or a value that is not a number
/// prints the usage and exits 2, so a mistyped flag never starts a 30-minute run with its defaults.
enum BenchCommandLine {
    /// What an option's value must be.
    enum Value {
        case int
        case number
        case text
        /// No value: the option alone is a switch.
        case none
    }

    /// One measurement: its usage text (as in the overview) and its options.
    struct Mode {
        let names: [String]
        let usage: String
        let options: [String: Value]
        /// Arguments that are not options (paths), for the modes the bench runs in a child of itself.
        var positional = 0
        /// Started by the bench itself, not listed in the overview.
        var internalUse = false

        /// The usage as lines that end in a newline.
        var block: String { usage.hasSuffix("\n") ? usage : usage + "\n" }
    }

    /// The outcome of the check.
    enum Outcome: Equatable {
        case run
        /// Print `text` (on standard output when the status is 0, else on standard error) and exit.
        case exit(text: String, status: Int32)
    }

    static let modes: [Mode] = [
        Mode(
            names: ["smtp"],
            usage: """
                  smtp         SMTP ingest with Letterbox's own load generator
                               --connections 8 --messages 5000 --size 1024 [--no-reuse] [--port P: an external server]
                """,
            options: ["connections": .int, "messages": .int, "size": .int, "no-reuse": .none, "port": .int]),
        Mode(
            names: ["smtp-source"],
            usage: """
                  smtp-source  postfix's smtp-source against smtp-sink and against Letterbox, in one run
                               --messages 5000 --size 1024 --sessions 8
                """,
            options: ["messages": .int, "size": .int, "sessions": .int]),
        Mode(
            names: ["startup"],
            usage: """
                  startup      in-process MailCatcher.start() with every listener on port 0 --iterations 200
                """,
            options: ["iterations": .int]),
        Mode(
            names: ["idle"],
            usage: """
                  idle         1,000 idle SMTP sessions held while another client sends --sessions 1000
                """,
            options: ["sessions": .int]),
        Mode(
            names: ["memory"],
            usage: """
                  memory       RSS after storing messages --messages 2000 --size 102400
                """,
            options: ["messages": .int, "size": .int]),
        Mode(
            names: ["testing"],
            usage: """
                  testing      LetterboxTesting: in-process cycle, parallel catchers, remote wait latency
                               --cycles 200 --parallel 200 --samples 200
                """,
            options: ["cycles": .int, "parallel": .int, "samples": .int]),
        Mode(
            names: ["pop3"],
            usage: """
                  pop3         RETR, LIST, UIDL and held sessions, Letterbox and Dovecot side by side
                               --messages 10000 --big 10485760 --sessions 200 (apt-get install dovecot-pop3d)
                """,
            options: ["messages": .int, "big": .int, "sessions": .int]),
        Mode(
            names: ["imap"],
            usage: """
                  imap         UID FETCH, UID SEARCH, IDLE latency and held IDLE sessions, Letterbox and Dovecot side by side
                               --messages 10000 --size 10240 --deliveries 200 --sessions 500 (apt-get install dovecot-imapd)
                """,
            options: ["messages": .int, "size": .int, "deliveries": .int, "sessions": .int, "port": .int]),
        Mode(
            names: ["imap-mailboxes"],
            usage: """
                  imap-mailboxes  APPEND over one connection, COPY and MOVE of a whole INBOX, Letterbox and Dovecot
                               --messages 10000 --appends 1000 --size 10240
                """,
            options: ["messages": .int, "appends": .int, "size": .int]),
        Mode(
            names: ["qresync"],
            usage: """
                  qresync      a QRESYNC client reopening a big mailbox after a few changes made elsewhere: what the
                               server sends and how long SELECT takes, beside a full UID FETCH 1:* (FLAGS)
                               --messages 10000 --changes 10 --expunges 10 --repetitions 20 [--dir PATH: Maildir store]
                """,
            options: ["messages": .int, "changes": .int, "expunges": .int, "repetitions": .int, "dir": .text]),
        Mode(
            names: ["maildir"],
            usage: """
                  maildir      Maildir ingest (fsync) vs memory, start-up and RSS with stored mail
                               --messages 4000 --stored 100000 (0: skip) --rounds 3 [--dir PATH: a folder on the disk to measure]
                """,
            options: ["messages": .int, "stored": .int, "rounds": .int, "dir": .text]),
        Mode(
            names: ["mime"],
            usage: """
                  mime         MIME parsing of the fixtures --iterations 20
                """,
            options: ["iterations": .int]),
        Mode(
            names: ["tls"],
            usage: """
                  tls          TLS handshakes per server CPU-second, bulk each way, 1 MiB over SMTP STARTTLS vs plaintext,
                               beside openssl s_server with the same certificate, server memory per idle TLS session
                               --handshakes 2000 --bulk 1073741824 --messages 100 --idle-sessions 1000
                """,
            options: ["handshakes": .int, "bulk": .int, "messages": .int, "idle-sessions": .int]),
        Mode(
            names: ["imapcheck"],
            usage: """
                  imapcheck    randomized multi-session IMAP checker: concurrent sessions doing random APPEND, STORE,
                               COPY, MOVE, EXPUNGE, SEARCH, FETCH and IDLE on shared mailboxes, each checking the server's
                               answers against what it was told; exits 1 on any disagreement
                               --sessions 10 --seconds 60 --store memory|maildir|both --seed 1 [--against dovecot]
                """,
            options: ["sessions": .int, "seconds": .number, "store": .text, "seed": .int, "against": .text]),
        Mode(
            names: ["sse"],
            usage: """
                  sse          SMTP ingest with and without GET /events subscribers (goal ≥ 90 %), server CPU per event
                               per subscriber, the bench readers' share of the cores, the ceilings (no server cost; only the
                               kernel's sending, measured apart), then the same at a set rate
                               (--rate messages/s, 0 skips; compares server CPU), and server RSS per held subscriber
                               (goal ≤ 32 KiB); runs the letterbox executable as a child
                               --messages 20000 --size 1024 --connections 8 --subscribers 100 --held 1000 --rate 5000
                """,
            options: [
                "messages": .int, "size": .int, "connections": .int, "subscribers": .int, "held": .int, "rate": .int,
            ]),
        Mode(
            names: ["inbox"],
            usage: """
                  inbox        the web inbox in headless Chromium, driven over WebDriver (chromedriver): the assets
                               GET / pulls in all (goal ≤ 100 KB) and their server time (goal < 50 ms); with 50,000
                               messages stored, navigation → first rows rendered (goal < 300 ms) and rows in the DOM
                               (goal ≤ ~200); SMTP 250 → row in the open page (goal p99 < 100 ms); runs the letterbox
                               executable as a child (apt-get install chromium chromium-driver)
                               --messages 50000 --loads 5 --deliveries 200 --interval 50 (ms between deliveries)
                               [--chromedriver PATH] [--chromium PATH]
                """,
            options: [
                "messages": .int, "loads": .int, "deliveries": .int, "interval": .int, "chromedriver": .text,
                "chromium": .text,
            ]),
        Mode(
            names: ["all"],
            usage: """
                  all          every measurement above with the issue's parameters
                """,
            options: [:]),
        Mode(
            names: ["netfuzz"],
            usage: """
                  netfuzz      mutated SMTP (DATA, BDAT), POP3, IMAP (literals, IDLE) and HTTP (long polls) transcripts
                               in parallel sessions, health probe (/healthz + SMTP, POP3, IMAP greetings) after each batch;
                               inputs that kill the server or fail the probe are replayed alone and saved as
                               <fixtures>/<protocol>-seed<seed>-<session>-p<pieces>-e<ending>.bin; a probe that needs > 5 s
                               counts as a stall; exits 1 if the server died or stayed unhealthy
                               --sessions 100000 (total) --seconds 3600 --seed 1 --parallel 16 --fixtures Fixtures/netfuzz
                               [--replay DIR: send every saved .bin input again, probe after each]
                               [--first N: start at session N, e.g. a batch a longer run reported (batch × parallel × 16)]
                """,
            options: [
                "sessions": .int, "seconds": .int, "seed": .int, "parallel": .int, "fixtures": .text, "replay": .text,
                "first": .int,
            ]),
        Mode(
            names: ["soak"],
            usage: """
                  soak         well-behaved SMTP/POP3/IMAP/HTTP clients beside hostile peers (slowloris dribblers;
                               peers vanishing mid-command, mid-DATA, mid-literal, mid-long-poll; oversized lines and
                               literals); server RSS and fds over time with their slope, p99 per protocol, errors
                               --minutes 30 --hostile 1000 --clients 1 (per protocol) --sample 10 (seconds between samples)
                               [--ci: 0.5 minutes, samples every 2 s];
                               exits 1 if a well-behaved client saw an error or the server died
                """,
            options: ["minutes": .number, "hostile": .int, "clients": .int, "sample": .number, "ci": .none]),
        Mode(
            names: ["stall"],
            usage: """
                  stall        SMTP greeting and /healthz latency while one client runs IMAP SEARCH TEXT over a big
                               store of HTML-ish mail (goal p99 < 20 ms) --messages 20000 --size 10240 --searches 5
                """,
            options: ["messages": .int, "size": .int, "searches": .int]),
        Mode(
            names: ["memcycle"],
            usage: """
                  memcycle     fill, DELETE /messages, repeat: server RSS after each delete vs baseline (goal ≤ +32 MiB)
                               and peak per round (must not grow) --messages 20000 --size 10240 --rounds 10
                """,
            options: ["messages": .int, "size": .int, "rounds": .int]),
        Mode(
            names: ["bighead"],
            usage: """
                  bighead      one message of 2,000,000 `X-H: v` header lines: every HTTP, IMAP and POP3 view timed
                               (goal < 500 ms each) and the server's peak RSS (goal < 200 MiB) --lines 2000000
                """,
            options: ["lines": .int]),
        // Started by the bench itself, in a child process.
        Mode(
            names: ["idle-clients", "pop3-clients"],
            usage: "  idle-clients, pop3-clients  (started by the bench) --port P --sessions N\n",
            options: ["port": .int, "sessions": .int], internalUse: true),
        Mode(
            names: ["imap-sessions", "imap-clients"],
            usage: "  imap-sessions, imap-clients  (started by the bench) --port P --sessions N --deliveries N\n",
            options: ["messages": .int, "size": .int, "deliveries": .int, "sessions": .int, "port": .int],
            internalUse: true),
        Mode(
            names: ["tls-server"], usage: "  tls-server CERT KEY  (started by the bench)\n", options: [:],
            positional: 2,
            internalUse: true),
        Mode(
            names: ["maildir-open"], usage: "  maildir-open [PATH]  (started by the bench)\n", options: [:],
            positional: 1, internalUse: true),
    ]

    /// The overview: every measurement the bench offers.
    static var usage: String {
        let listed = modes.filter { !$0.internalUse }
        let measurements = listed.filter { !robustness.contains($0.names[0]) }.map(\.block).joined()
        let robust = listed.filter { robustness.contains($0.names[0]) }.map(\.block).joined()
        return """
            Usage: letterbox-bench <measurement> [options]   (build with: swift build -c release)
                   letterbox-bench <measurement> --help

            \(measurements)
            Robustness (each runs the `letterbox` executable built beside this one as a child process, so a
            crash is seen as the child dying and its memory is measured apart from the bench's):
            \(robust)

            """
    }

    private static let robustness: Set<String> = ["netfuzz", "soak", "stall", "memcycle", "bighead"]

    /// Checks `arguments` (without the program's name) against the mode they name.
    static func check(_ arguments: [String]) -> Outcome {
        guard let name = arguments.first, !["--help", "-h", "help"].contains(name) else {
            return .exit(text: usage, status: 0)
        }
        guard let mode = modes.first(where: { $0.names.contains(name) }) else {
            return .exit(text: "letterbox-bench: unknown measurement '\(name)'\n\n\(usage)", status: 2)
        }
        let help = "Usage: letterbox-bench \(name) [options]\n\n\(mode.block)"
        if arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) {
            return .exit(text: help, status: 0)
        }
        var positional = 0
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-") else {
                positional += 1
                if positional > mode.positional {
                    return .exit(
                        text: "letterbox-bench \(name): unexpected argument '\(argument)'\n\n\(help)", status: 2)
                }
                continue
            }
            guard let kind = mode.options[String(argument.drop { $0 == "-" })], argument.hasPrefix("--") else {
                return .exit(text: "letterbox-bench \(name): unknown option '\(argument)'\n\n\(help)", status: 2)
            }
            if kind == .none { continue }
            guard index < arguments.count else {
                return .exit(text: "letterbox-bench \(name): \(argument) needs a value\n\n\(help)", status: 2)
            }
            let value = arguments[index]
            index += 1
            let valid =
                switch kind {
                case .int: Int(value) != nil
                case .number: Double(value).map { $0.isFinite } ?? false
                case .text, .none: true
                }
            if !valid {
                return .exit(
                    text: "letterbox-bench \(name): \(argument) needs a number, not '\(value)'\n\n\(help)", status: 2)
            }
        }
        return .run
    }
}
