import Foundation
import Letterbox

/// letterbox-bench: measurements for the figures the issues name. Build with `-c release`.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
    Usage: letterbox-bench <measurement> [options]   (build with: swift build -c release)

      smtp         SMTP ingest with Letterbox's own load generator
                   --connections 8 --messages 5000 --size 1024 [--no-reuse] [--port P: an external server]
      smtp-source  postfix's smtp-source against smtp-sink and against Letterbox, in one run
                   --messages 5000 --size 1024 --sessions 8
      startup      in-process MailCatcher.start() with every listener on port 0 --iterations 200
      idle         1,000 idle SMTP sessions held while another client sends --sessions 1000
      memory       RSS after storing messages --messages 2000 --size 102400
      testing      LetterboxTesting: in-process cycle, parallel catchers, remote wait latency
      pop3         RETR, LIST, UIDL and held sessions, Letterbox and Dovecot side by side
                   --messages 10000 --big 10485760 --sessions 200 (apt-get install dovecot-pop3d)
      imap         UID FETCH, UID SEARCH, IDLE latency and held IDLE sessions, Letterbox and Dovecot side by side
                   --messages 10000 --size 10240 --deliveries 200 --sessions 500 (apt-get install dovecot-imapd)
      imap-mailboxes  APPEND over one connection, COPY and MOVE of a whole INBOX, Letterbox and Dovecot
                   --messages 10000 --appends 1000 --size 10240
      qresync      a QRESYNC client reopening a big mailbox after a few changes made elsewhere: what the
                   server sends and how long SELECT takes, beside a full UID FETCH 1:* (FLAGS)
                   --messages 10000 --changes 10 --expunges 10 --repetitions 20 [--dir PATH: Maildir store]
      maildir      Maildir ingest (fsync) vs memory, start-up and RSS with stored mail
                   --messages 4000 --stored 100000 (0: skip) --rounds 3 [--dir PATH: a folder on the disk to measure]
      tls          TLS handshakes per server CPU-second, bulk each way, 1 MiB over SMTP STARTTLS vs plaintext,
                   beside openssl s_server with the same certificate, server memory per idle TLS session
                   --handshakes 2000 --bulk 1073741824 --messages 100 --idle-sessions 1000
      imapcheck    randomized multi-session IMAP checker: concurrent sessions doing random APPEND, STORE,
                   COPY, MOVE, EXPUNGE, SEARCH, FETCH and IDLE on shared mailboxes, each checking the server's
                   answers against what it was told; exits 1 on any disagreement
                   --sessions 10 --seconds 60 --store memory|maildir|both --seed 1 [--against dovecot]
      sse          SMTP ingest with and without GET /events subscribers (goal ≥ 90 %), server CPU per event
                   per subscriber, the bench readers' share of the cores, then the same at a set rate
                   (--rate messages/s, 0 skips; compares server CPU), and server RSS per held subscriber
                   (goal ≤ 32 KiB); runs the letterbox executable as a child
                   --messages 5000 --size 1024 --connections 8 --subscribers 100 --held 1000 --rate 5000
      all          every measurement above with the issue's parameters

    Robustness (each runs the `letterbox` executable built beside this one as a child process, so a
    crash is seen as the child dying and its memory is measured apart from the bench's):
      netfuzz      mutated SMTP (DATA, BDAT), POP3, IMAP (literals, IDLE) and HTTP (long polls) transcripts
                   in parallel sessions, health probe (/healthz + SMTP, POP3, IMAP greetings) after each batch;
                   inputs that kill the server or fail the probe are replayed alone and saved as
                   <fixtures>/<protocol>-seed<seed>-<session>-p<pieces>-e<ending>.bin; a probe that needs > 5 s
                   counts as a stall; exits 1 if the server died or stayed unhealthy
                   --sessions 100000 (total) --seconds 3600 --seed 1 --parallel 16 --fixtures Fixtures/netfuzz
                   [--replay DIR: send every saved .bin input again, probe after each]
      soak         well-behaved SMTP/POP3/IMAP/HTTP clients beside hostile peers (slowloris dribblers;
                   peers vanishing mid-command, mid-DATA, mid-literal, mid-long-poll; oversized lines and
                   literals); server RSS and fds over time with their slope, p99 per protocol, errors
                   --minutes 30 --hostile 1000 --clients 1 (per protocol) --sample 10 (seconds between samples)
                   [--ci: 0.5 minutes, samples every 2 s];
                   exits 1 if a well-behaved client saw an error or the server died
      stall        SMTP greeting and /healthz latency while one client runs IMAP SEARCH TEXT over a big
                   store of HTML-ish mail (goal p99 < 20 ms) --messages 20000 --size 10240 --searches 5
      memcycle     fill, DELETE /messages, repeat: server RSS after each delete vs baseline (goal ≤ +32 MiB)
                   and peak per round (must not grow) --messages 20000 --size 10240 --rounds 10
      bighead      one message of 2,000,000 `X-H: v` header lines: every HTTP, IMAP and POP3 view timed
                   (goal < 500 ms each) and the server's peak RSS (goal < 200 MiB) --lines 2000000

    """

func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count,
        let value = Int(arguments[index + 1])
    else { return fallback }
    return value
}

func stringOption(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func doubleOption(_ name: String, _ fallback: Double) -> Double {
    stringOption(name).flatMap { Double($0) } ?? fallback
}

do {
    switch arguments.first {
    case "smtp":
        let external = arguments.contains("--port") ? option("port", 0) : nil
        try await SMTPLoad.report(
            connections: option("connections", 8), messages: option("messages", 5000), size: option("size", 1024),
            reuse: !arguments.contains("--no-reuse"), externalPort: external)
    case "smtp-source":
        try await SMTPSourceComparison.run(
            messages: option("messages", 5000), size: option("size", 1024), sessions: option("sessions", 8))
    case "testing":
        try await TestingBenchmark.report(
            cycles: option("cycles", 200), parallel: option("parallel", 200), remoteSamples: option("samples", 200))
    case "startup":
        try await Startup.report(iterations: option("iterations", 200))
    case "idle":
        try await IdleSessions.report(sessions: option("sessions", 1000))
    case "idle-clients":
        IdleSessions.holdClients(port: option("port", 0), sessions: option("sessions", 1000))
    case "memory":
        try await StoreMemory.report(messages: option("messages", 2000), size: option("size", 102_400))
    case "pop3":
        try await POP3Load.report(
            messages: option("messages", 10_000), big: option("big", 10_485_760), sessions: option("sessions", 200))
    case "pop3-clients":
        POP3Load.holdClients(port: option("port", 0), sessions: option("sessions", 200))
    case "imap", "imap-sessions", "imap-clients":
        try await IMAPLoad.run(
            arguments[0], messages: option("messages", 10_000), size: option("size", 10_240),
            deliveries: option("deliveries", 200), sessions: option("sessions", 500), port: option("port", 0))
    case "tls":
        try await TLSBenchmark.report(
            handshakes: option("handshakes", 2000), bulkBytes: option("bulk", 1 << 30),
            messages: option("messages", 100),
            idleSessions: option("idle-sessions", 1000))
    case "tls-server":
        try await TLSBenchmark.serve(certificate: arguments[1], key: arguments[2])
    case "imap-mailboxes":
        try await IMAPMailboxLoad.report(
            messages: option("messages", 10_000), appends: option("appends", 1000), size: option("size", 10_240))
    case "imapcheck":
        let store = stringOption("store") ?? "both"
        let passed = try await IMAPCheck.report(
            sessions: option("sessions", 10), seconds: doubleOption("seconds", 60),
            stores: store == "both" ? ["memory", "maildir"] : [store], dovecot: stringOption("against") == "dovecot",
            seed: UInt64(option("seed", 1)))
        if !passed { exit(1) }
    case "qresync":
        try await QResyncResync.report(
            messages: option("messages", 10_000), changes: option("changes", 10), expunges: option("expunges", 10),
            directory: stringOption("dir"), repetitions: option("repetitions", 20))
    case "mime": MIMEBenchmark.report(iterations: option("iterations", 20))
    case "maildir":
        try await MaildirBenchmark.report(
            messages: option("messages", 4000), storedMessages: option("stored", 100_000),
            rounds: max(option("rounds", 3), 1),
            directory: arguments.firstIndex(of: "--dir").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil })
    case "maildir-open": try await MaildirBenchmark.measureStart(arguments.count > 1 ? arguments[1] : "maildir")
    case "netfuzz":
        if let index = arguments.firstIndex(of: "--replay"), index + 1 < arguments.count {
            let directory = arguments[index + 1]
            exit(try await onThread { try NetworkFuzzer.replay(directory: directory) })
        }
        let (sessions, seconds, seed) = (
            option("sessions", 100_000), Double(option("seconds", 3600)), UInt64(max(0, option("seed", 1)))
        )
        let (parallel, fixtures) = (max(1, option("parallel", 16)), stringOption("fixtures") ?? "Fixtures/netfuzz")
        exit(
            try await onThread {
                try NetworkFuzzer.run(
                    sessions: sessions, seconds: seconds, seed: seed, parallel: parallel, fixtures: fixtures)
            })
    case "soak":
        let minutes = doubleOption("minutes", arguments.contains("--ci") ? 0.5 : 30)
        let (hostile, clients, sample) = (
            option("hostile", 1000), max(1, option("clients", 1)), doubleOption("sample", minutes <= 1 ? 2 : 10)
        )
        exit(
            try await onThread {
                try Soak.run(minutes: minutes, hostile: hostile, clients: clients, sampleSeconds: sample)
            })
    case "stall":
        let (messages, size, searches) = (option("messages", 20_000), option("size", 10_240), option("searches", 5))
        try await onThread { try LoopStall.run(messages: messages, size: size, searches: searches) }
    case "memcycle":
        let (messages, size, rounds) = (option("messages", 20_000), option("size", 10_240), option("rounds", 10))
        try await onThread { try MemoryCycle.run(messages: messages, size: size, rounds: rounds) }
    case "sse":
        let (messages, size, connections) = (option("messages", 5000), option("size", 1024), option("connections", 8))
        let (fanOut, held, rate) = (option("subscribers", 100), option("held", 1000), option("rate", 5000))
        try await onThread {
            try SSEFanOut.run(
                messages: messages, size: size, connections: connections, fanOut: fanOut, held: held, rate: rate)
        }
    case "bighead":
        let lines = option("lines", 2_000_000)
        try await onThread { try BigHeader.run(lines: lines) }
    case "all":
        try await SMTPSourceComparison.run(messages: 5000, size: 1024, sessions: 8)
        try await SMTPSourceComparison.run(messages: 5000, size: 102_400, sessions: 8)
        try await SMTPLoad.report(connections: 8, messages: 5000, size: 1024, reuse: true, externalPort: nil)
        try await SMTPLoad.report(connections: 8, messages: 2000, size: 102_400, reuse: true, externalPort: nil)
        try await Startup.report(iterations: 200)
        // Memory figures in a fresh process each: the heap earlier measurements grew (and the
        // allocator keeps) would otherwise hide or inflate what these measure.
        try runIsolated(["idle", "--sessions", "1000"])
        try runIsolated(["memory", "--messages", "2000", "--size", "102400"])
        try await POP3Load.report(messages: 10_000, big: 10_485_760, sessions: 200)
        try await IMAPLoad.report(messages: 10_000, size: 10_240, deliveries: 200, sessions: 500)
        try await IMAPMailboxLoad.report(messages: 10_000, appends: 1000, size: 10_240)
        try await TestingBenchmark.report(cycles: 200, parallel: 200, remoteSamples: 200)
    default:
        print(usage, terminator: "")
        exit(arguments.isEmpty || arguments.first == "--help" ? 0 : 2)
    }
} catch {
    FileHandle.standardError.write(Data("letterbox-bench: \(error)\n".utf8))
    exit(1)
}
