import Foundation
import Letterbox
import TestSupport

/// letterbox-bench: measurements for the figures the issues name. Build with `-c release`.
let arguments = Array(CommandLine.arguments.dropFirst())
switch BenchCommandLine.check(arguments) {
case .run: break
case .exit(let text, let status):
    if status == 0 {
        print(text, terminator: "")
    } else {
        FileHandle.standardError.write(Data(text.utf8))
    }
    exit(status)
}
// The servers the bench starts (letterbox, Dovecot, smtp-sink) end with it, also when it is
// interrupted or its reader goes away (`| head`), instead of running on as orphans.
ChildProcess.endWithThisProcess()

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
                    sessions: sessions, seconds: seconds, seed: seed, parallel: parallel, fixtures: fixtures,
                    first: max(0, option("first", 0)))
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
        // Rounds of 20,000 messages (about a second each), nearer a steady rate than rounds of
        // 5,000 (a quarter of a second): 47–52 % over 5,000 here, 59–63 % over 20,000 or 40,000.
        let (messages, size, connections) = (option("messages", 20_000), option("size", 1024), option("connections", 8))
        let (fanOut, held, rate) = (option("subscribers", 100), option("held", 1000), option("rate", 5000))
        try await onThread {
            try SSEFanOut.run(
                messages: messages, size: size, connections: connections, fanOut: fanOut, held: held, rate: rate)
        }
    case "inbox":
        let (messages, loads, deliveries) = (option("messages", 50_000), option("loads", 5), option("deliveries", 200))
        let (interval, chromedriver, chromium) = (
            option("interval", 50), stringOption("chromedriver"), stringOption("chromium")
        )
        try await onThread {
            try WebInboxBenchmark.run(
                messages: messages, loads: loads, deliveries: deliveries, interval: interval,
                chromedriver: chromedriver, chromium: chromium)
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
        // Every mode BenchCommandLine accepts has a case above.
        FileHandle.standardError.write(Data("letterbox-bench: no case for \(arguments[0])\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("letterbox-bench: \(error)\n".utf8))
    exit(1)
}
