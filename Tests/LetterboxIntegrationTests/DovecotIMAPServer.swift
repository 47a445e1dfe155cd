import Foundation
import LetterboxNet
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A private Dovecot IMAP server for differential tests: a minimal Dovecot 2.3 config, a
/// passwd-file user (`test`/`test`) and a Maildir holding the given messages, all in a fresh
/// temporary folder, served by `dovecot -F` on a free loopback port. A system Dovecot, running or
/// not, is left alone. Needs `apt-get install dovecot-imapd` (`.ci/run` installs it).
final class DovecotIMAPServer {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let user = "test"
    static let password = "test"

    /// The IMAP port on 127.0.0.1.
    let port: Int
    /// The temporary folder holding config, Maildir, state and logs; removed by ``stop()``.
    let directory: String
    private let master: ChildProcess

    /// The `dovecot` binary; when it or the IMAP service is missing the test is skipped (failed
    /// under `LETTERBOX_REQUIRE_CLIENTS=1`) with an install hint.
    static func executable() throws -> String {
        try ExternalTool.available { () throws(ThirdPartyProgram.Missing) in
            for needed in ["/usr/sbin/dovecot", "/usr/lib/dovecot/imap"] {
                try ThirdPartyProgram.require(needed, package: "dovecot-imapd")
            }
            return "/usr/sbin/dovecot"
        }
    }

    /// Starts Dovecot with `messages` in its INBOX (sequence numbers in this order), runs `body`,
    /// and stops Dovecot and removes its folder afterwards, also when `body` throws.
    static func withRunning<Result>(
        messages: [[UInt8]], _ body: (DovecotIMAPServer) async throws -> Result
    ) async throws -> Result {
        let server = try await start(messages: messages)
        do {
            let result = try await body(server)
            server.stop()
            return result
        } catch {
            server.stop()
            throw error
        }
    }

    private init(port: Int, directory: String, master: ChildProcess) {
        self.port = port
        self.directory = directory
        self.master = master
    }

    /// Writes the folder and starts Dovecot; returns once it greets. Another free port is tried
    /// when the chosen one was taken in the meantime.
    private static func start(messages: [[UInt8]]) async throws -> DovecotIMAPServer {
        let executable = try executable()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("letterbox-dovecot-\(getpid())-\(UUID().uuidString.prefix(8))").path
        do {
            try prepare(directory, messages: messages)
            var attempt = 0
            while true {
                attempt += 1
                let port = try freeLoopbackPort()
                try writeConfig(directory, port: port)
                let master = try ChildProcess(
                    executable, ["-F", "-c", "\(directory)/dovecot.conf"], output: "\(directory)/stderr.log")
                let server = DovecotIMAPServer(port: port, directory: directory, master: master)
                switch await server.waitUntilGreeting(deadline: .now + .seconds(30)) {
                case .ready: return server
                case .exited(let log) where attempt < 3 && log.contains("Address already in use"): continue
                case .exited(let log), .timedOut(let log):
                    server.stop()
                    throw Failure(description: "dovecot did not start on port \(port):\n\(log.suffix(3000))")
                }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Stops Dovecot (SIGTERM to the master, which ends its children; SIGKILL after 10 s) and
    /// removes the folder. Safe to call more than once.
    func stop() {
        master.stop(grace: 10)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Dovecot's own log and its stderr, for failure messages.
    var log: String {
        ["stderr.log", "dovecot.log"].compactMap { try? String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8) }
            .joined(separator: "\n")
    }

    private enum Startup {
        case ready
        case exited(String)
        case timedOut(String)
    }

    private func waitUntilGreeting(deadline: ContinuousClock.Instant) async -> Startup {
        while true {
            if let client = try? IMAPScriptClient(port: port), (try? await client.greeting())?.hasPrefix("* OK") == true
            {
                await client.close()
                return .ready
            }
            if !master.isRunning { return .exited(log) }
            if ContinuousClock.now > deadline { return .timedOut(log) }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    // MARK: Files

    /// The mail user: Dovecot refuses to open mail as root, so as root it is `nobody`.
    private static var mailUser: (name: String, uid: uid_t, gid: gid_t) {
        let name = getuid() == 0 ? "nobody" : String(cString: getpwuid(getuid()).pointee.pw_name)
        guard let entry = getpwnam(name) else { return (name, getuid(), getgid()) }
        return (name, entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    private static func prepare(_ directory: String, messages: [[UInt8]]) throws {
        let mail = mailUser
        for folder in ["", "run", "state", "home", "Maildir", "Maildir/new", "Maildir/cur", "Maildir/tmp"] {
            try FileManager.default.createDirectory(
                atPath: "\(directory)/\(folder)", withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755])
        }
        for folder in ["home", "Maildir", "Maildir/new", "Maildir/cur", "Maildir/tmp"] {
            chown("\(directory)/\(folder)", mail.uid, mail.gid)
        }
        // Named as Dovecot's own deliveries are (<seconds>.M<microseconds>P<pid>.<host>); the
        // seconds increase, so Dovecot assigns UIDs in this order. No S=/W= sizes: Dovecot
        // measures the files itself.
        for (index, message) in messages.enumerated() {
            let file =
                "\(directory)/Maildir/new/\(1_700_000_000 + index).M\(index * 7919 % 1_000_000)P\(10_000 + index).letterbox-test"
            try Data(message).write(to: URL(fileURLWithPath: file))
            chown(file, mail.uid, mail.gid)
            // The internal date (a Maildir file's mtime): one second apart, as ``internalDate(ofMessage:)`` says.
            try FileManager.default.setAttributes(
                [.modificationDate: internalDate(ofMessage: index)], ofItemAtPath: file)
        }
        try Data("\(user):{PLAIN}\(password)\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/passwd"))
    }

    /// The internal date the differential tests give message `index` (from 0) on both servers.
    static func internalDate(ofMessage index: Int) -> Date {
        Date(timeIntervalSince1970: Double(1_700_000_000 + index))
    }

    private static func writeConfig(_ directory: String, port: Int) throws {
        let root = getuid() == 0
        let mail = mailUser
        // As root, Debian's unprivileged users (nobody where they are missing); else the current user.
        func system(_ name: String) -> String { root ? (getpwnam(name) != nil ? name : "nobody") : mail.name }
        var config = """
            # A private Dovecot 2.3 IMAP server for Letterbox's differential test; not a production config.
            protocols = imap
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
            # The folders a Letterbox store has from the start: "/" as the delimiter, INBOX and
            # the RFC 6154 special-use folders, all subscribed.
            namespace inbox {
              inbox = yes
              separator = /
              mailbox INBOX {
                auto = subscribe
              }
              mailbox Sent {
                auto = subscribe
                special_use = \\Sent
              }
              mailbox Drafts {
                auto = subscribe
                special_use = \\Drafts
              }
              mailbox Trash {
                auto = subscribe
                special_use = \\Trash
              }
              mailbox Junk {
                auto = subscribe
                special_use = \\Junk
              }
              mailbox Archive {
                auto = subscribe
                special_use = \\Archive
              }
            }
            service imap-login {
              inet_listener imap {
                port = \(port)
              }
              inet_listener imaps {
                port = 0
              }
            }

            """
        // Without root there is nothing to chroot into or switch to.
        if !root { config += "service imap-login {\n  chroot =\n}\nservice anvil {\n  chroot =\n}\n" }
        try Data(config.utf8).write(to: URL(fileURLWithPath: "\(directory)/dovecot.conf"))
    }
}

/// A raw IMAP client for scripts: sends one tagged command at a time and collects every
/// response up to the tagged one, literals included, exactly as received.
final class IMAPScriptClient {
    /// One response: the untagged lines (each with its literals inline, `{n}` CRLF and the
    /// octets) and the tagged completion line.
    struct Response {
        var untagged: [[UInt8]]
        var completion: String
        /// `OK`, `NO` or `BAD`.
        var status: Substring { completion.split(separator: " ").dropFirst().first ?? "" }
    }

    private let connection: Connection
    private var counter = 0

    init(port: Int) throws {
        let loop = try EventLoopGroup.shared.get().next()
        // Generous: a loaded 2-core machine may stall a while; nothing here waits on purpose.
        connection = try Connection.connect(host: "127.0.0.1", port: port, loop: loop, idleTimeout: .seconds(120))
    }

    func greeting() async throws -> String {
        String(decoding: try await connection.readLine(maxLength: 1 << 16), as: UTF8.self)
    }

    /// Sends `command` (without tag and CRLF; LITERAL+ literals may be inline) and reads the reply.
    func send(_ command: [UInt8]) async throws -> Response {
        counter += 1
        let tag = "d\(counter)"
        try await connection.send(Array("\(tag) ".utf8) + command + [0x0D, 0x0A])
        var untagged: [[UInt8]] = []
        while true {
            var response = try await connection.readLine(maxLength: 1 << 20)
            // A line that ends in {n} continues after n octets (RFC 3501 §4.3).
            while let count = Self.literalCount(at: response) {
                response += [0x0D, 0x0A]
                response += try await connection.readExactly(count)
                response += try await connection.readLine(maxLength: 1 << 20)
            }
            if response.starts(with: Array("\(tag) ".utf8)) {
                return Response(untagged: untagged, completion: String(decoding: response, as: UTF8.self))
            }
            untagged.append(response)
        }
    }

    func send(_ command: String) async throws -> Response { try await send(Array(command.utf8)) }

    func close() async { await connection.close() }

    /// The n of a `{n}` that ends `line`.
    private static func literalCount(at line: [UInt8]) -> Int? {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        let digits = line[(open + 1)..<(line.count - 1)]
        guard !digits.isEmpty, digits.count < 10, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
