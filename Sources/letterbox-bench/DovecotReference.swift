import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Dovecot's POP3 or IMAP server as the reference figure: a private instance with a minimal
/// Dovecot 2.3 config in a temporary directory, run as a child process (`dovecot -F`) on a free
/// loopback port, with the same messages in its Maildir. Needs `apt-get install dovecot-pop3d`
/// (POP3) or `dovecot-imapd` (IMAP); a system Dovecot, running or not, is left alone.
final class DovecotReference {
    /// The protocol the instance serves.
    enum Service: String {
        case pop3
        case imap

        /// The binary Dovecot runs for a session, which the distribution package provides.
        var binary: String { "/usr/lib/dovecot/\(rawValue)" }
        var package: String { "dovecot-\(rawValue)d" }
    }

    /// The port it listens on (127.0.0.1), for ``service``.
    let port: Int
    let service: Service
    /// Where new mail is delivered, as Dovecot's own LDA would (tmp/ then rename into new/).
    let maildir: MaildirDrop
    /// `dovecot --version`.
    let version: String
    /// The master process; it ends its children when it ends.
    private let process: ChildProcess
    private let directory: URL

    /// The installed `dovecot` binary, if any.
    static var executable: String? {
        ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"].map { "\($0)/dovecot" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The `dovecot` binary when it can serve `service` (its session binary is installed too).
    static func executable(for service: Service) -> String? {
        FileManager.default.isExecutableFile(atPath: service.binary) ? executable : nil
    }

    /// Writes the config, the login and the Maildir (`messages` in order, oldest first), starts
    /// Dovecot and returns once it greets. Any login with password `bench` is accepted as `bench`.
    ///
    /// - Throws: `BlockingPOP3Client.Failure` with Dovecot's log when it does not come up within 10 s.
    init(executable: String, messages: [[UInt8]], sessions: Int, service: Service = .pop3) throws {
        self.service = service
        version = Self.output(of: executable, ["--version"]).trimmingCharacters(in: .whitespacesAndNewlines)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "letterbox-bench-dovecot-\(service.rawValue)-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        let path = directory.path
        port = try freeLoopbackPort()

        // Mail is never accessed as root (Dovecot refuses UID 0): as root, the mail user is
        // `nobody` and the login/internal users are Debian's `dovenull`/`dovecot`.
        let root = getuid() == 0
        let current = String(cString: getpwuid(getuid()).pointee.pw_name)
        let mailUser = root ? "nobody" : current
        guard let mailEntry = getpwnam(mailUser) else {
            throw BlockingPOP3Client.Failure(description: "no user \(mailUser)")
        }
        let (uid, gid) = (mailEntry.pointee.pw_uid, mailEntry.pointee.pw_gid)
        maildir = MaildirDrop(path: "\(path)/Maildir", uid: uid, gid: gid)
        func existing(_ name: String) -> String { root ? (getpwnam(name) != nil ? name : "nobody") : current }

        for folder in ["", "run", "state", "home", "Maildir", "Maildir/new", "Maildir/cur", "Maildir/tmp"] {
            try FileManager.default.createDirectory(
                atPath: "\(path)/\(folder)", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        for folder in ["home", "Maildir", "Maildir/new", "Maildir/cur", "Maildir/tmp"] {
            chown("\(path)/\(folder)", uid, gid)
        }
        // Named as Dovecot's own delivery names them: <seconds>.M<microseconds>P<pid>.<host>, S= size,
        // W= size with CRLF (these are CRLF already). Seconds increase, so Dovecot numbers them in
        // this order; microseconds and pid vary as in real deliveries. (Names that differed only in
        // a counter, one pid for all, made every Dovecot login take ~1 s here with 10,000 messages:
        // its uidlist parsing degrades on such names.)
        for (index, message) in messages.enumerated() {
            let name = "\(1_700_000_000 + index).M\(index &* 7919 % 1_000_000)P\(10_000 + index).letterbox-bench"
            let file = "\(path)/Maildir/new/\(name),S=\(message.count),W=\(message.count)"
            try Data(message).write(to: URL(fileURLWithPath: file))
            chown(file, uid, gid)
        }
        try Data("bench:{PLAIN}bench\n".utf8).write(to: URL(fileURLWithPath: "\(path)/passwd"))

        let limit = sessions + 64
        var config = """
            # A private Dovecot 2.3 \(service.rawValue.uppercased()) server for letterbox-bench; not a production config.
            protocols = \(service.rawValue)
            listen = 127.0.0.1
            base_dir = \(path)/run
            state_dir = \(path)/state
            log_path = \(path)/dovecot.log
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain
            default_login_user = \(existing("dovenull"))
            default_internal_user = \(existing("dovecot"))
            first_valid_uid = \(min(uid, 500))
            default_process_limit = \(limit)
            default_client_limit = \(limit * 4)
            mail_max_userip_connections = \(limit)
            passdb {
              driver = passwd-file
              args = \(path)/passwd
            }
            userdb {
              driver = static
              args = uid=\(uid) gid=\(gid) home=\(path)/home mail=maildir:\(path)/Maildir
            }
            service \(service.rawValue)-login {
              inet_listener \(service.rawValue) {
                port = \(port)
              }
            }

            """
        switch service {
        case .pop3:
            config += """
                # POP3 only, and nothing but this Dovecot touches the Maildir: RETR sets no \\Seen flag
                # (its rename at QUIT made the next session rescan all of cur/), and no readdir per sync.
                pop3_no_flag_updates = yes
                maildir_very_dirty_syncs = yes

                """
        case .imap:
            // Dovecot's defaults otherwise: mail arrives from outside (``maildir``), as with an LDA.
            config += "service imap-login {\n  inet_listener imaps {\n    port = 0\n  }\n}\n"
        }
        // Without root there is nothing to chroot into or switch to.
        if !root { config += "service \(service.rawValue)-login {\n  chroot =\n}\nservice anvil {\n  chroot =\n}\n" }
        try Data(config.utf8).write(to: URL(fileURLWithPath: "\(path)/dovecot.conf"))

        process = try ChildProcess(executable, ["-F", "-c", "\(path)/dovecot.conf"], output: "\(path)/stderr.log")

        let deadline = DispatchTime.now().uptimeNanoseconds + 10_000_000_000
        while true {
            if service == .pop3, let client = try? BlockingPOP3Client(port: port) {
                client.quit()
                break
            }
            if service == .imap, let client = try? BlockingIMAPClient(port: port) {
                client.logOut()
                break
            }
            guard process.isRunning, DispatchTime.now().uptimeNanoseconds < deadline else {
                let log = ["stderr.log", "dovecot.log"].compactMap {
                    try? String(contentsOfFile: "\(path)/\($0)", encoding: .utf8)
                }
                stop()
                throw BlockingPOP3Client.Failure(
                    description: "dovecot (config \(path)/dovecot.conf) did not start:\n\(log.joined().suffix(2000))")
            }
            usleep(50_000)
        }
    }

    /// Stops Dovecot (SIGTERM to the master, which ends its children; SIGKILL after 5 s) and
    /// removes the directory. It stays in the bench's process group, so ^C stops it too.
    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Resident memory of the master and every process below it: the sum of RSS (shared pages
    /// counted in each process) and of PSS (shared pages divided among their users), from /proc.
    func memory() -> (rss: Int, pss: Int, processes: Int) {
        var children: [pid_t: [pid_t]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // pid (comm) state ppid …: comm may hold spaces, so count from the last ")".
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { children[parent, default: []].append(pid) }
        }
        var (rss, pss, count) = (0, 0, 0)
        var pending = [process.pid]
        while let pid = pending.popLast() {
            pending += children[pid] ?? []
            guard let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else {
                continue
            }
            count += 1
            for line in rollup.split(separator: "\n") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count >= 2, let kilobytes = Int(parts[1]) else { continue }
                if parts[0] == "Rss:" { rss += kilobytes * 1024 }
                if parts[0] == "Pss:" { pss += kilobytes * 1024 }
            }
        }
        return (rss, pss, count)
    }

    private static func output(of executable: String, _ arguments: [String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return "unknown version" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A Maildir that mail is delivered into from outside, as an LDA does (write into tmp/, then
/// rename into new/), owned by the user Dovecot reads mail as.
struct MaildirDrop: Sendable {
    let path: String
    let uid: uid_t
    let gid: gid_t

    /// Delivers `message` under a name unique to `number`; returns once the rename into new/ is
    /// done, which is when a Maildir reader can see it.
    func deliver(_ message: [UInt8], number: Int) throws {
        let name =
            "\(1_800_000_000 + number).M\(number % 1_000_000)P\(getpid()).letterbox-bench"
            + ",S=\(message.count),W=\(message.count)"
        let temporary = "\(path)/tmp/\(name)"
        try Data(message).write(to: URL(fileURLWithPath: temporary))
        chown(temporary, uid, gid)
        guard rename(temporary, "\(path)/new/\(name)") == 0 else {
            throw BlockingPOP3Client.Failure(description: "rename into \(path)/new failed: errno \(errno)")
        }
    }
}
