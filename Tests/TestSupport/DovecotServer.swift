public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A private Dovecot 2.3 POP3 or IMAP server, the reference the differential tests and the bench
/// compare with: a minimal config, a passwd-file user and a Maildir holding the given messages,
/// all in a fresh temporary folder, served by `dovecot -F` on a free loopback port. A system
/// Dovecot, running or not, is left alone. Needs `apt-get install dovecot-pop3d` (POP3) or
/// `dovecot-imapd` (IMAP); `.ci/run` installs them.
public final class DovecotServer: Sendable {
    /// The protocol an instance serves.
    public enum Service: String, Sendable {
        case pop3
        case imap

        /// The binary Dovecot runs for a session, which the distribution package provides.
        public var binary: String { "/usr/lib/dovecot/\(rawValue)" }
        /// The Debian package that provides it.
        public var package: String { "dovecot-\(rawValue)d" }
    }

    /// What an instance holds and how it is set up, beyond the defaults.
    public struct Options: Sendable {
        /// The one login; any other is refused.
        public var user = "test"
        public var password = "test"
        /// Ends the Maildir file names (where a delivery names its host).
        public var host = "letterbox-test"
        /// Whether the file names carry `,S=` and `,W=` sizes (the messages then must be CRLF
        /// already), which spares Dovecot measuring each file.
        public var sizesInNames = false
        /// Sessions it must serve at once (its process and client limits); Dovecot's default when nil.
        public var sessions: Int?
        /// Appended to the config: namespaces, tuning.
        public var extraConfig = ""
        /// How long it may take to greet.
        public var startup: Duration = .seconds(30)

        public init() {}
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    public let service: Service
    /// The port on 127.0.0.1.
    public let port: Int
    /// The temporary folder holding config, Maildir, state and logs; removed by ``stop(grace:)``.
    public let directory: String
    /// The user mail is read as: Dovecot refuses root, so as root it is `nobody`.
    public let mailUID: uid_t
    public let mailGID: gid_t
    /// The master process; it ends its children when it ends.
    private let master: ChildProcess

    /// The INBOX Maildir.
    public var maildir: String { "\(directory)/Maildir" }
    /// The master's process id (its sessions are its descendants).
    public var pid: pid_t { master.pid }

    /// The `dovecot` binary when it and `service`'s session binary are installed.
    public static func executable(for service: Service) -> String? {
        guard FileManager.default.isExecutableFile(atPath: service.binary) else { return nil }
        return ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"].map { "\($0)/dovecot" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The internal date (the file's mtime) of message `index` (from 0): one second apart from
    /// 2023-11-14, the seconds the file names carry, so Dovecot numbers the messages in order.
    public static func internalDate(ofMessage index: Int) -> Date {
        Date(timeIntervalSince1970: Double(1_700_000_000 + index))
    }

    /// Writes the folder (`messages` in INBOX, oldest first), starts Dovecot and returns once it
    /// greets. Another free port is tried when the one chosen was taken meanwhile. Blocks while
    /// it waits: from a task, start it on a thread of its own (``onOwnThread(_:)``).
    ///
    /// - Throws: ``Failure`` with Dovecot's log when it does not start within `options.startup`.
    public init(executable: String, service: Service, messages: [[UInt8]], options: Options = Options()) throws {
        self.service = service
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-dovecot-\(service.rawValue)-\(getpid())-\(UUID().uuidString.prefix(8))")
            .path
        self.directory = directory
        let mail = Self.mailUser
        (mailUID, mailGID) = (mail.uid, mail.gid)
        var started: (port: Int, master: ChildProcess)?
        do {
            try Self.prepare(directory, messages: messages, options: options, uid: mail.uid, gid: mail.gid)
            for attempt in 1...3 {
                let port = try freeLoopbackPort()
                let config = Self.config(
                    service: service, directory: directory, port: port, options: options, mailUser: mail)
                try Data(config.utf8).write(to: URL(fileURLWithPath: "\(directory)/dovecot.conf"))
                let master = try ChildProcess(
                    executable, ["-F", "-c", "\(directory)/dovecot.conf"], output: "\(directory)/stderr.log")
                switch Self.waitUntilGreeting(port: port, master: master, within: options.startup) {
                case .ready:
                    started = (port, master)
                case .exited where attempt < 3 && Self.log(in: directory).contains("Address already in use"):
                    continue
                case .exited, .timedOut:
                    master.stop(grace: 10)
                    throw Failure(
                        description: "dovecot did not start on port \(port):\n\(Self.log(in: directory).suffix(3000))")
                }
                break
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        guard let started else { throw Failure(description: "dovecot did not start") }
        (port, master) = started
    }

    /// Stops Dovecot (SIGTERM to the master, which ends its children; SIGKILL after `grace`
    /// seconds) and removes the folder. Safe to call more than once.
    public func stop(grace: Double = 10) {
        master.stop(grace: grace)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Dovecot's own log and its stderr, for failure messages.
    public var log: String { Self.log(in: directory) }

    private static func log(in directory: String) -> String {
        ["stderr.log", "dovecot.log"].compactMap { try? String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8) }
            .joined(separator: "\n")
    }

    // MARK: Start-up

    private enum Startup {
        case ready
        case exited
        case timedOut
    }

    private static func waitUntilGreeting(port: Int, master: ChildProcess, within limit: Duration) -> Startup {
        let deadline = ContinuousClock.now + limit
        while true {
            if greets(port: port) { return .ready }
            if !master.isRunning { return .exited }
            if ContinuousClock.now > deadline { return .timedOut }
            usleep(50_000)
        }
    }

    /// Whether a server on `port` answers a new connection with a POP3 or IMAP greeting.
    private static func greets(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connectToLoopback(fd, port: port) else { return false }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return false }
        let greeting = String(decoding: buffer[..<count], as: UTF8.self)
        return greeting.hasPrefix("+OK") || greeting.hasPrefix("* OK")
    }

    // MARK: Files

    private static var mailUser: (name: String, uid: uid_t, gid: gid_t) {
        let name = getuid() == 0 ? "nobody" : String(cString: getpwuid(getuid()).pointee.pw_name)
        guard let entry = getpwnam(name) else { return (name, getuid(), getgid()) }
        return (name, entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    private static func prepare(
        _ directory: String, messages: [[UInt8]], options: Options, uid: uid_t, gid: gid_t
    ) throws {
        for folder in ["", "run", "state", "home", "Maildir", "Maildir/new", "Maildir/cur", "Maildir/tmp"] {
            try FileManager.default.createDirectory(
                atPath: "\(directory)/\(folder)", withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755])
        }
        for folder in ["home", "Maildir", "Maildir/new", "Maildir/cur", "Maildir/tmp"] {
            chown("\(directory)/\(folder)", uid, gid)
        }
        // Named as Dovecot's own deliveries are (<seconds>.M<microseconds>P<pid>.<host>): the
        // seconds increase, so Dovecot assigns UIDs in this order; microseconds and pid vary as in
        // real deliveries (names that differed only in a counter, one pid for all, made every
        // Dovecot login take ~1 s with 10,000 messages: its uidlist parsing degrades on such names).
        for (index, message) in messages.enumerated() {
            var name = "\(1_700_000_000 + index).M\(index &* 7919 % 1_000_000)P\(10_000 + index).\(options.host)"
            if options.sizesInNames { name += ",S=\(message.count),W=\(message.count)" }
            let file = "\(directory)/Maildir/new/\(name)"
            try Data(message).write(to: URL(fileURLWithPath: file))
            chown(file, uid, gid)
            try FileManager.default.setAttributes(
                [.modificationDate: internalDate(ofMessage: index)], ofItemAtPath: file)
        }
        try Data("\(options.user):{PLAIN}\(options.password)\n".utf8).write(
            to: URL(fileURLWithPath: "\(directory)/passwd"))
    }

    private static func config(
        service: Service, directory: String, port: Int, options: Options,
        mailUser mail: (name: String, uid: uid_t, gid: gid_t)
    ) -> String {
        let root = getuid() == 0
        // As root, Debian's unprivileged users (nobody where they are missing); else the current user.
        func system(_ name: String) -> String { root ? (getpwnam(name) != nil ? name : "nobody") : mail.name }
        let name = service.rawValue
        var config = """
            # A private Dovecot 2.3 \(name.uppercased()) server for Letterbox's tests and bench; not a production config.
            protocols = \(name)
            listen = 127.0.0.1
            base_dir = \(directory)/run
            state_dir = \(directory)/state
            log_path = \(directory)/dovecot.log
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain
            default_login_user = \(system("dovenull"))
            default_internal_user = \(system("dovecot"))
            first_valid_uid = \(min(mail.uid, 500))
            passdb {
              driver = passwd-file
              args = \(directory)/passwd
            }
            userdb {
              driver = static
              args = uid=\(mail.uid) gid=\(mail.gid) home=\(directory)/home mail=maildir:\(directory)/Maildir
            }
            service \(name)-login {
              inet_listener \(name) {
                port = \(port)
              }
            }

            """
        if let sessions = options.sessions {
            let limit = sessions + 64
            config += """
                default_process_limit = \(limit)
                default_client_limit = \(limit * 4)
                mail_max_userip_connections = \(limit)

                """
        }
        if service == .imap { config += "service imap-login {\n  inet_listener imaps {\n    port = 0\n  }\n}\n" }
        // Without root there is nothing to chroot into or switch to.
        if !root { config += "service \(name)-login {\n  chroot =\n}\nservice anvil {\n  chroot =\n}\n" }
        return config + options.extraConfig
    }
}
