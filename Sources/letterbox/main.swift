import Dispatch
import Letterbox
import LetterboxNet
import LetterboxSMTP
import LetterboxStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes `text` to a file descriptor at once, bypassing stdio's buffer.
func emit(_ text: String, to descriptor: Int32) {
    var text = text
    text.withUTF8 { bytes in
        guard let start = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, start + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}

TerminationSignals.install()
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(CommandLineOptions.usage, terminator: "")
    exit(0)
}
if arguments.contains("--version") {
    print("letterbox \(CommandLineOptions.version)")
    exit(0)
}

let isHealthCheck = arguments.first == "healthcheck"
let settings: Settings
do {
    settings = try CommandLineOptions.parse(
        Array(arguments.dropFirst(isHealthCheck ? 1 : 0)), environment: ProcessInfo.processInfo.environment)
} catch {
    emit("letterbox: \(error)\nTry 'letterbox --help'.\n", to: STDERR_FILENO)
    exit(2)
}

if isHealthCheck { exit(await HealthCheck.run(settings: settings)) }

var configuration = settings.configuration
let logger = Logger(level: settings.logLevel, format: settings.logFormat)
configuration.logger = logger

let catcher: MailCatcher
do {
    catcher = try await MailCatcher.start(configuration)
} catch {
    logger.log(.error, "could not start: \(error)")
    emit("letterbox: could not start: \(error)\n", to: STDERR_FILENO)
    exit(1)
}

// The contract other tools parse: one line per listener on stdout.
// Written unbuffered, so a parent process reading a pipe sees them at once.
let listeners = [
    ("smtp", catcher.ports.smtp), ("pop3", catcher.ports.pop3), ("imap", catcher.ports.imap),
    ("http", catcher.ports.http),
    ("smtps", catcher.ports.smtps), ("pop3s", catcher.ports.pop3s), ("imaps", catcher.ports.imaps),
]
for (name, port) in listeners where port != 0 {
    emit("\(name) listening on \(configuration.host):\(port)\n", to: STDOUT_FILENO)
}

// The configuration in force, as one log line on stderr (passwords left out): the first thing a
// container's log shows.
var summary = [
    "host": configuration.host,
    "users": configuration.credentials.users.map { "\($0.count)" } ?? "anyone",
    "hostname": configuration.smtp.hostname,
    "max_message_size": "\(configuration.smtp.maxMessageSize)",
    "max_recipients": "\(configuration.smtp.maxRecipients)",
    "max_connections": "\(configuration.maxConnections)",
    "idle_timeout": configuration.idleTimeout.map { "\($0.components.seconds)s" } ?? "per protocol",
    "timeouts": [
        "smtp \(configuration.timeouts.smtp.components.seconds)s",
        "pop3 \(configuration.timeouts.pop3.components.seconds)s",
        "imap \(configuration.timeouts.imap.components.seconds)s",
        "http \(configuration.timeouts.httpKeepAlive.components.seconds)s",
        "login \(configuration.timeouts.login.components.seconds)s",
        "command \(configuration.timeouts.command.components.seconds)s",
        "min_rate \(configuration.timeouts.minimumTransferRate)B/s",
    ].joined(separator: ", "),
    "log_level": "\(settings.logLevel)",
    "log_format": settings.logFormat.rawValue,
    "verbose": "\(configuration.transcript)",
    "tls": !configuration.tls.isEnabled
        ? "off" : configuration.tls.certificate == .selfSigned ? "self-signed" : "certificate file",
    "require_tls": "\(configuration.tls.requireTLS)",
]
for (name, port) in listeners { summary[name] = port == 0 ? "off" : "\(port)" }
logger.log(.info, "letterbox \(CommandLineOptions.version) configuration", summary)

let received = await TerminationSignals.next()
logger.log(.info, "received signal \(received), shutting down")
await catcher.shutdown()
exit(0)
