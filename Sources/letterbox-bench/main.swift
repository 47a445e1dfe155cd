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
    case "startup":
        try await Startup.report(iterations: option("iterations", 200))
    case "idle":
        try await IdleSessions.report(sessions: option("sessions", 1000))
    case "idle-clients":
        try IdleSessions.holdClients(port: option("port", 0), sessions: option("sessions", 1000))
    case "memory":
        try await StoreMemory.report(messages: option("messages", 2000), size: option("size", 102_400))
    case "all":
        try await SMTPSourceComparison.run(messages: 5000, size: 1024, sessions: 8)
        try await SMTPSourceComparison.run(messages: 5000, size: 102_400, sessions: 8)
        try await SMTPLoad.report(connections: 8, messages: 5000, size: 1024, reuse: true, externalPort: nil)
        try await SMTPLoad.report(connections: 8, messages: 2000, size: 102_400, reuse: true, externalPort: nil)
        try await Startup.report(iterations: 200)
        try await IdleSessions.report(sessions: 1000)
        try await StoreMemory.report(messages: 2000, size: 102_400)
    default:
        print(usage, terminator: "")
        exit(arguments.isEmpty || arguments.first == "--help" ? 0 : 2)
    }
} catch {
    FileHandle.standardError.write(Data("letterbox-bench: \(error)\n".utf8))
    exit(1)
}
