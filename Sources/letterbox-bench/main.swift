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
      maildir      Maildir ingest (fsync) vs memory, start-up and RSS with stored mail
                   --messages 4000 --stored 100000 [--dir PATH: a folder on the disk to measure]
      tls          TLS handshakes per server CPU-second, bulk each way, 1 MiB over SMTP STARTTLS vs plaintext,
                   beside openssl s_server with the same certificate, server memory per idle TLS session
                   --handshakes 2000 --bulk 1073741824 --messages 100 --idle-sessions 1000
      all          every measurement above with the issue's parameters

    """

func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count,
        let value = Int(arguments[index + 1])
    else { return fallback }
    return value
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
            handshakes: option("handshakes", 2000), bulkBytes: option("bulk", 1 << 30), messages: option("messages", 100),
            idleSessions: option("idle-sessions", 1000))
    case "tls-server":
        try await TLSBenchmark.serve(certificate: arguments[1], key: arguments[2])
    case "imap-mailboxes":
        try await IMAPMailboxLoad.report(
            messages: option("messages", 10_000), appends: option("appends", 1000), size: option("size", 10_240))
    case "mime": MIMEBenchmark.report(iterations: option("iterations", 20))
    case "maildir":
        try await MaildirBenchmark.report(
            messages: option("messages", 4000), storedMessages: option("stored", 100_000),
            directory: arguments.firstIndex(of: "--dir").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil })
    case "maildir-open": try await MaildirBenchmark.measureStart(arguments.count > 1 ? arguments[1] : "maildir")
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
