import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Dovecot's POP3 or IMAP server as the reference figure: a private instance (``DovecotServer``)
/// with the same messages in its Maildir, sized for `sessions` at once, any login with password
/// `bench` accepted as `bench`. It stays in the bench's process group, so ^C stops it too.
final class DovecotReference {
    typealias Service = DovecotServer.Service

    let server: DovecotServer
    /// Where new mail is delivered, as Dovecot's own LDA would (tmp/ then rename into new/).
    let maildir: MaildirDrop
    /// `dovecot --version`.
    let version: String

    /// The port it listens on (127.0.0.1).
    var port: Int { server.port }

    /// The `dovecot` binary when it can serve `service` (its session binary is installed too).
    static func executable(for service: Service) -> String? { DovecotServer.executable(for: service) }

    /// Writes the config, the login and the Maildir (`messages` in order, oldest first), starts
    /// Dovecot and returns once it greets.
    ///
    /// - Throws: ``DovecotServer/Failure`` with Dovecot's log when it does not come up within 10 s.
    init(executable: String, messages: [[UInt8]], sessions: Int, service: Service = .pop3) throws {
        version = Self.output(of: executable, ["--version"]).trimmingCharacters(in: .whitespacesAndNewlines)
        var options = DovecotServer.Options()
        options.user = "bench"
        options.password = "bench"
        options.host = "letterbox-bench"
        options.sizesInNames = true  // the bench's messages are CRLF already
        options.sessions = sessions
        options.startup = .seconds(10)
        if service == .pop3 {
            options.extraConfig = """
                # POP3 only, and nothing but this Dovecot touches the Maildir: RETR sets no \\Seen flag
                # (its rename at QUIT made the next session rescan all of cur/), and no readdir per sync.
                pop3_no_flag_updates = yes
                maildir_very_dirty_syncs = yes

                """
        }
        // Dovecot's defaults otherwise (IMAP): mail arrives from outside (``maildir``), as with an LDA.
        server = try DovecotServer(executable: executable, service: service, messages: messages, options: options)
        maildir = MaildirDrop(path: server.maildir, uid: server.mailUID, gid: server.mailGID)
    }

    /// Stops Dovecot (SIGTERM to the master, which ends its children; SIGKILL after 5 s) and
    /// removes its folder.
    func stop() { server.stop(grace: 5) }

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
        var pending = [server.pid]
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
