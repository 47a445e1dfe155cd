import Letterbox
import LetterboxFaults
import LetterboxNet
import LetterboxSMTP
import LetterboxStore
import LetterboxText

/// One setting of the executable: a flag, its environment variable, and how it changes the configuration.
struct Option: Sendable {
    let flag: String
    let environment: String
    let valueName: String
    let help: String
    let apply: @Sendable (String, inout Settings) throws(UsageError) -> Void
}

/// Everything the command line decides.
struct Settings {
    var configuration = Configuration.standardPorts
    var logLevel = Logger.Level.info
    var logFormat = Logger.Format.text
    var storage = StorageSettings()
    /// `--tls-cert` and `--tls-key`, resolved together once all options are read.
    var tlsCertificateFile: String?
    var tlsKeyFile: String?
}

/// The storage flags as given, resolved into the configuration after each one, so their order
/// does not matter (`--max-age 1h --storage maildir` means the same as the other way round).
struct StorageSettings {
    /// `--storage`; nil: a Maildir if `--maildir` was given, memory otherwise.
    var kind: String?
    var maildir: String?
    /// `--maildir-fsync`.
    var fsync = MaildirFsync.always
    /// A given limit; `.some(nil)` when the user lifted it with 0.
    var maxMessages: Int??
    var maxAge: Duration??
    var maxBytes: Int??

    /// The Maildir used with `--storage maildir` and no `--maildir`.
    static let defaultMaildir = "maildir"

    func apply(to configuration: inout Configuration) {
        let useMaildir = kind.map { $0 == "maildir" } ?? (maildir != nil)
        configuration.storage = useMaildir ? .maildir(maildir ?? Self.defaultMaildir, fsync: fsync) : .memory
        guard maxMessages != nil || maxAge != nil || maxBytes != nil else {
            configuration.retention = nil
            return
        }
        var policy = useMaildir ? RetentionPolicy.unlimited : .memoryDefault
        if let maxMessages { policy.maxMessages = maxMessages }
        if let maxAge { policy.maxAge = maxAge }
        if let maxBytes { policy.maxBytes = maxBytes }
        configuration.retention = policy
    }
}

/// A command-line mistake, shown with the usage hint.
struct UsageError: Error, CustomStringConvertible {
    let description: String
}

/// The executable's options. Every flag has an environment variable; a flag wins over it.
enum CommandLineOptions {
    static let all: [Option] = [
        Option(
            flag: "--host", environment: "LETTERBOX_HOST", valueName: "ADDRESS",
            help: "address to bind (default 127.0.0.1; 0.0.0.0 for every interface)"
        ) { value, settings in
            settings.configuration.host = value
        },
        Option(
            flag: "--smtp-port", environment: "LETTERBOX_SMTP_PORT", valueName: "PORT|off",
            help: "SMTP port (default 1025; 0 = any free port)"
        ) { value, settings throws(UsageError) in
            settings.configuration.smtpPort = try port(value, "--smtp-port")
        },
        Option(
            flag: "--pop3-port", environment: "LETTERBOX_POP3_PORT", valueName: "PORT|off",
            help: "POP3 port (default 1110; 0 = any free port)"
        ) { value, settings throws(UsageError) in
            settings.configuration.pop3Port = try port(value, "--pop3-port")
        },
        Option(
            flag: "--imap-port", environment: "LETTERBOX_IMAP_PORT", valueName: "PORT|off",
            help: "IMAP port (default 1143; 0 = any free port)"
        ) { value, settings throws(UsageError) in
            settings.configuration.imapPort = try port(value, "--imap-port")
        },
        Option(
            flag: "--http-port", environment: "LETTERBOX_HTTP_PORT", valueName: "PORT|off",
            help: "HTTP inspection port (default 8025; 0 = any free port)"
        ) { value, settings throws(UsageError) in
            settings.configuration.httpPort = try port(value, "--http-port")
        },
        Option(
            flag: "--http-allowed-hosts", environment: "LETTERBOX_HTTP_ALLOWED_HOSTS", valueName: "NAME,...",
            help: "more Host names HTTP answers (IPs, localhost, dotless names and --hostname always; .suffix; * = any)"
        ) { value, settings in
            settings.configuration.httpAllowedHosts += value.split(separator: ",").map(String.init)
        },
        Option(
            flag: "--hostname", environment: "LETTERBOX_HOSTNAME", valueName: "NAME",
            help: "name in the SMTP greeting (default letterbox)"
        ) { value, settings in
            settings.configuration.smtp.hostname = value
        },
        Option(
            flag: "--users", environment: "LETTERBOX_USERS", valueName: "NAME:PASSWORD,...",
            help: "only these users may log in (SMTP AUTH, POP3, IMAP); default: anyone"
        ) { value, settings throws(UsageError) in
            try addUsers(value.split(separator: ","), from: "--users", to: &settings)
        },
        Option(
            flag: "--users-file", environment: "LETTERBOX_USERS_FILE", valueName: "PATH",
            help: "like --users, one NAME:PASSWORD per line (# comments)"
        ) { value, settings throws(UsageError) in
            guard let text = try? String(contentsOfFile: value, encoding: .utf8) else {
                throw UsageError(description: "--users-file: cannot read '\(value)'")
            }
            let lines = text.split(whereSeparator: \.isNewline).filter {
                !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace)
            }
            try addUsers(lines, from: "--users-file", to: &settings)
        },
        Option(
            flag: "--max-message-size", environment: "LETTERBOX_MAX_MESSAGE_SIZE", valueName: "BYTES",
            help: "largest message accepted, advertised as SIZE (default 33554432)"
        ) { value, settings throws(UsageError) in
            settings.configuration.smtp.maxMessageSize = try number(value, "--max-message-size", minimum: 1)
        },
        Option(
            flag: "--max-recipients", environment: "LETTERBOX_MAX_RECIPIENTS", valueName: "N",
            help: "recipients per message (default 1000, at least 100)"
        ) { value, settings throws(UsageError) in
            settings.configuration.smtp.maxRecipients = try number(value, "--max-recipients", minimum: 100)
        },
        Option(
            flag: "--max-connections", environment: "LETTERBOX_MAX_CONNECTIONS", valueName: "N",
            help: "open connections per listener (default 1024)"
        ) { value, settings throws(UsageError) in
            settings.configuration.maxConnections = try number(value, "--max-connections", minimum: 1)
        },
        Option(
            flag: "--smtp-timeout", environment: "LETTERBOX_SMTP_TIMEOUT", valueName: "DURATION",
            help: "SMTP silence allowed between commands after EHLO (default 5m, RFC 5321)"
        ) { value, settings throws(UsageError) in
            settings.configuration.timeouts.smtp = try timeout(value, "--smtp-timeout")
        },
        Option(
            flag: "--pop3-timeout", environment: "LETTERBOX_POP3_TIMEOUT", valueName: "DURATION",
            help: "POP3 silence allowed after login (default 10m, RFC 1939)"
        ) { value, settings throws(UsageError) in
            settings.configuration.timeouts.pop3 = try timeout(value, "--pop3-timeout")
        },
        Option(
            flag: "--imap-timeout", environment: "LETTERBOX_IMAP_TIMEOUT", valueName: "DURATION",
            help: "IMAP silence allowed after login, IDLE included (default 30m, RFC 3501)"
        ) { value, settings throws(UsageError) in
            settings.configuration.timeouts.imap = try timeout(value, "--imap-timeout")
        },
        Option(
            flag: "--http-timeout", environment: "LETTERBOX_HTTP_TIMEOUT", valueName: "DURATION",
            help: "HTTP keep-alive: silence allowed between requests (default 75s)"
        ) { value, settings throws(UsageError) in
            settings.configuration.timeouts.httpKeepAlive = try timeout(value, "--http-timeout")
        },
        Option(
            flag: "--login-timeout", environment: "LETTERBOX_LOGIN_TIMEOUT", valueName: "DURATION",
            help: "time from connecting to login (POP3, IMAP) or EHLO (SMTP) (default 60s)"
        ) { value, settings throws(UsageError) in
            settings.configuration.timeouts.login = try timeout(value, "--login-timeout")
        },
        Option(
            flag: "--command-timeout", environment: "LETTERBOX_COMMAND_TIMEOUT", valueName: "DURATION",
            help: "time for a command line or HTTP request head from its first byte (default 60s)"
        ) { value, settings throws(UsageError) in
            settings.configuration.timeouts.command = try timeout(value, "--command-timeout")
        },
        Option(
            flag: "--min-transfer-rate", environment: "LETTERBOX_MIN_TRANSFER_RATE", valueName: "BYTES",
            help: "bytes/s that DATA, BDAT, literals, bodies and replies must keep after 60s (default 500; 0 = none)"
        ) { value, settings throws(UsageError) in
            settings.configuration.timeouts.minimumTransferRate = try number(value, "--min-transfer-rate", minimum: 0)
        },
        Option(
            flag: "--idle-timeout", environment: "LETTERBOX_IDLE_TIMEOUT", valueName: "DURATION",
            help: "overrides --smtp-, --pop3-, --imap- and --http-timeout at once (default: unset)"
        ) { value, settings throws(UsageError) in
            settings.configuration.idleTimeout = try timeout(value, "--idle-timeout")
        },
        Option(
            flag: "--storage", environment: "LETTERBOX_STORAGE", valueName: "memory|maildir",
            help: "where mail is kept (default memory; maildir survives restarts)"
        ) { value, settings throws(UsageError) in
            guard ["memory", "maildir"].contains(value.lowercased()) else {
                throw UsageError(description: "--storage must be memory or maildir, not '\(value)'")
            }
            settings.storage.kind = value.lowercased()
            settings.storage.apply(to: &settings.configuration)
        },
        Option(
            flag: "--maildir", environment: "LETTERBOX_MAILDIR", valueName: "PATH",
            help: "the Maildir folder, created if missing (implies --storage maildir; default ./maildir)"
        ) { value, settings throws(UsageError) in
            guard !value.isEmpty else { throw UsageError(description: "--maildir needs a folder path") }
            settings.storage.maildir = value
            settings.storage.apply(to: &settings.configuration)
        },
        Option(
            flag: "--maildir-fsync", environment: "LETTERBOX_MAILDIR_FSYNC", valueName: "always|never",
            help: "sync before 250 (default always); never survives kill -9, OOM, docker kill, not power loss"
        ) { value, settings throws(UsageError) in
            guard let fsync = MaildirFsync(rawValue: value.lowercased()) else {
                throw UsageError(description: "--maildir-fsync must be always or never, not '\(value)'")
            }
            settings.storage.fsync = fsync
            settings.storage.apply(to: &settings.configuration)
        },
        Option(
            flag: "--max-messages", environment: "LETTERBOX_MAX_MESSAGES", valueName: "N",
            help: "keep at most N messages, oldest removed first (memory default 50000; 0 = no limit)"
        ) { value, settings throws(UsageError) in
            let number = try number(value, "--max-messages", minimum: 0)
            settings.storage.maxMessages = .some(number == 0 ? nil : number)
            settings.storage.apply(to: &settings.configuration)
        },
        Option(
            flag: "--max-age", environment: "LETTERBOX_MAX_AGE", valueName: "DURATION",
            help: "remove messages older than this, e.g. 90s, 30m, 24h, 7d (default none; 0 = no limit)"
        ) { value, settings throws(UsageError) in
            settings.storage.maxAge = .some(try duration(value, "--max-age"))
            settings.storage.apply(to: &settings.configuration)
        },
        Option(
            flag: "--max-bytes", environment: "LETTERBOX_MAX_BYTES", valueName: "SIZE",
            help: "keep at most this much raw mail, e.g. 500MB, 2GB, 1GiB (memory default 1GiB; 0 = no limit)"
        ) { value, settings throws(UsageError) in
            settings.storage.maxBytes = .some(try size(value, "--max-bytes"))
            settings.storage.apply(to: &settings.configuration)
        },
        Option(
            flag: "--fault", environment: "LETTERBOX_FAULTS", valueName: "RULE",
            help:
                "inject an SMTP fault, e.g. 'rcpt=bounce@*:550 5.1.1' (repeatable; env: rules separated by ; or lines)"
        ) { value, settings throws(UsageError) in
            do throws(FaultRuleSyntaxError) {
                settings.configuration.faults += try FaultRule.parseList(value)
            } catch {
                throw UsageError(description: "--fault '\(value)': \(error.description)")
            }
        },
        Option(
            flag: "--latency", environment: "LETTERBOX_LATENCY", valueName: "DURATION",
            help: "delay every SMTP reply, e.g. 200ms or 2s (default none)"
        ) { value, settings throws(UsageError) in
            settings.configuration.latency = try duration(value, "--latency")
        },
        Option(
            flag: "--webhook", environment: "LETTERBOX_WEBHOOK", valueName: "URL",
            help: "POST each captured message as JSON to this http:// URL (retried with back-off)"
        ) { value, settings in
            settings.configuration.webhookURL = value.isEmpty ? nil : value
        },
        Option(
            flag: "--tls", environment: "LETTERBOX_TLS", valueName: "on|off",
            help: "offer STARTTLS/STLS (default off; on too with --tls-cert, --require-tls or a TLS port)"
        ) { value, settings throws(UsageError) in
            settings.configuration.tls.enabled = try boolean(value, "--tls")
        },
        Option(
            flag: "--smtps-port", environment: "LETTERBOX_SMTPS_PORT", valueName: "PORT|off",
            help: "SMTP with implicit TLS (RFC 8314; default off; e.g. 1465; 0 = any free port)"
        ) { value, settings throws(UsageError) in
            settings.configuration.tls.smtpsPort = try port(value, "--smtps-port")
        },
        Option(
            flag: "--pop3s-port", environment: "LETTERBOX_POP3S_PORT", valueName: "PORT|off",
            help: "POP3 over TLS (default off; e.g. 1995; 0 = any free port)"
        ) { value, settings throws(UsageError) in
            settings.configuration.tls.pop3sPort = try port(value, "--pop3s-port")
        },
        Option(
            flag: "--imaps-port", environment: "LETTERBOX_IMAPS_PORT", valueName: "PORT|off",
            help: "IMAP over TLS (default off; e.g. 1993; 0 = any free port)"
        ) { value, settings throws(UsageError) in
            settings.configuration.tls.imapsPort = try port(value, "--imaps-port")
        },
        Option(
            flag: "--tls-cert", environment: "LETTERBOX_TLS_CERT", valueName: "PATH",
            help: "PEM certificate (chain) for TLS, with --tls-key (default: self-signed for localhost)"
        ) { value, settings in
            settings.tlsCertificateFile = value
        },
        Option(
            flag: "--tls-key", environment: "LETTERBOX_TLS_KEY", valueName: "PATH",
            help: "PEM private key of --tls-cert"
        ) { value, settings in
            settings.tlsKeyFile = value
        },
        Option(
            flag: "--require-tls", environment: "LETTERBOX_REQUIRE_TLS", valueName: "",
            help: "refuse login and MAIL on plaintext ports until STARTTLS/STLS"
        ) { value, settings throws(UsageError) in
            settings.configuration.tls.requireTLS = try boolean(value, "--require-tls")
        },
        Option(
            flag: "--log-level", environment: "LETTERBOX_LOG_LEVEL", valueName: "LEVEL",
            help: "trace, debug, info, warning, error or off (default info)"
        ) { value, settings throws(UsageError) in
            guard let level = Logger.Level(name: value) else {
                throw UsageError(description: "unknown log level '\(value)'")
            }
            settings.logLevel = level
        },
        Option(
            flag: "--log-format", environment: "LETTERBOX_LOG_FORMAT", valueName: "text|json",
            help: "log line format on stderr (default text)"
        ) { value, settings throws(UsageError) in
            guard let format = Logger.Format(rawValue: value) else {
                throw UsageError(description: "unknown log format '\(value)' (text or json)")
            }
            settings.logFormat = format
        },
        Option(
            flag: "--verbose", environment: "LETTERBOX_VERBOSE", valueName: "",
            help: "log every protocol line in and out"
        ) { value, settings throws(UsageError) in
            settings.configuration.transcript = try boolean(value, "--verbose")
        },
    ]

    /// Reads the environment first, then the flags (so a flag wins).
    static func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> Settings {
        var settings = Settings()
        for option in all {
            if let value = environment[option.environment] { try option.apply(value, &settings) }
        }
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            let (name, inline) = split(argument)
            guard let option = all.first(where: { $0.flag == name }) else {
                throw UsageError(description: "unknown option '\(argument)'")
            }
            if option.valueName.isEmpty {
                try option.apply(inline ?? "true", &settings)
                continue
            }
            guard let value = inline ?? remaining.popFirst() else {
                throw UsageError(description: "\(option.flag) needs a value (\(option.valueName))")
            }
            try option.apply(value, &settings)
        }
        switch (settings.tlsCertificateFile, settings.tlsKeyFile) {
        case (let certificate?, let key?):
            settings.configuration.tls.certificate = .files(certificate: certificate, key: key)
        case (nil, nil): break
        default:
            throw UsageError(description: "--tls-cert and --tls-key go together (a certificate and its private key)")
        }
        return settings
    }

    /// `--flag=value` → (`--flag`, `value`).
    private static func split(_ argument: String) -> (String, String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private static func addUsers(_ entries: [Substring], from flag: String, to settings: inout Settings)
        throws(UsageError)
    {
        var users = settings.configuration.credentials.users ?? [:]
        for entry in entries {
            let pair = entry.split(separator: ":", maxSplits: 1)
            guard pair.count == 2, !pair[0].isEmpty else {
                throw UsageError(description: "\(flag): '\(entry)' is not NAME:PASSWORD")
            }
            users[String(pair[0]).trimmingWhitespace()] = String(pair[1])
        }
        settings.configuration.credentials = Credentials(users: users)
    }

    private static func port(_ value: String, _ flag: String) throws(UsageError) -> Int? {
        if value.lowercased() == "off" { return nil }
        guard let port = Int(value), (0...65535).contains(port) else {
            throw UsageError(description: "\(flag) must be a port number 0-65535 or 'off', not '\(value)'")
        }
        return port
    }

    private static func number(_ value: String, _ flag: String, minimum: Int) throws(UsageError) -> Int {
        guard let number = Int(value), number >= minimum else {
            throw UsageError(description: "\(flag) must be a whole number of at least \(minimum), not '\(value)'")
        }
        return number
    }

    /// A timeout: a ``duration(_:_:)`` other than 0 (plain numbers are seconds, as `--idle-timeout`
    /// always took).
    private static func timeout(_ value: String, _ flag: String) throws(UsageError) -> Duration {
        guard let duration = try duration(value, flag) else {
            throw UsageError(description: "\(flag) must be more than 0, not '\(value)'")
        }
        return duration
    }

    /// `90s`, `30m`, `24h`, `7d`, `2w`, or plain seconds; nil for 0 (no limit).
    static func duration(_ value: String, _ flag: String) throws(UsageError) -> Duration? {
        let text = value.trimmingWhitespace().lowercased()
        let units: [(suffix: String, seconds: Double)] = [
            ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800),
        ]
        let unit = units.first { text.hasSuffix($0.suffix) && Double(text.dropLast($0.suffix.count)) != nil }
        guard let amount = Double(unit.map { String(text.dropLast($0.suffix.count)) } ?? text), amount >= 0,
            amount.isFinite
        else {
            throw UsageError(description: "\(flag) must be a duration such as 90s, 30m, 24h or 7d, not '\(value)'")
        }
        let milliseconds = amount * (unit?.seconds ?? 1) * 1000
        guard milliseconds < 1e15 else { throw UsageError(description: "\(flag) '\(value)' is too long") }
        return milliseconds == 0 ? nil : .milliseconds(Int64(milliseconds.rounded()))
    }

    /// `2GB` (10^9), `1GiB` (2^30), `500MB`, `64KiB`, `1024` (bytes); nil for 0 (no limit).
    static func size(_ value: String, _ flag: String) throws(UsageError) -> Int? {
        let text = value.trimmingWhitespace().lowercased()
        let units: [(suffix: String, factor: Double)] = [
            ("kib", 1024), ("mib", 1_048_576), ("gib", 1_073_741_824), ("tib", 1_099_511_627_776),
            ("kb", 1e3), ("mb", 1e6), ("gb", 1e9), ("tb", 1e12), ("k", 1024), ("m", 1_048_576), ("g", 1_073_741_824),
            ("b", 1),
        ]
        let unit = units.first { text.hasSuffix($0.suffix) && Double(text.dropLast($0.suffix.count)) != nil }
        guard let amount = Double(unit.map { String(text.dropLast($0.suffix.count)) } ?? text), amount >= 0,
            amount * (unit?.factor ?? 1) < 9e18
        else {
            throw UsageError(description: "\(flag) must be a size such as 500MB, 2GB or 1GiB, not '\(value)'")
        }
        let bytes = Int((amount * (unit?.factor ?? 1)).rounded())
        return bytes == 0 ? nil : bytes
    }

    private static func boolean(_ value: String, _ flag: String) throws(UsageError) -> Bool {
        switch value.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw UsageError(description: "\(flag) must be true or false, not '\(value)'")
        }
    }

    static var usage: String {
        var text = """
            letterbox \(version) — a mail catcher for development and tests.
            Accepts every SMTP message, relays nothing, and shows what it caught over HTTP.

            Usage: letterbox [options]
                   letterbox healthcheck [options]   probe a running server's /healthz; exit 0 or 1
                   letterbox --help | --version

            Options (every option can also be set by the environment variable shown; a flag wins):

            """
        for option in all {
            let flag = option.valueName.isEmpty ? option.flag : "\(option.flag) \(option.valueName)"
            text += "  \(padded(flag)) \(option.help)\n"
            text += "  \(padded("")) env \(option.environment)\n"
        }
        return text
    }

    /// `text` padded with spaces to the help's flag column (30 characters).
    private static func padded(_ text: String) -> String {
        text + String(repeating: " ", count: max(0, 30 - text.count))
    }

    static let version = "0.1.0"
}

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
