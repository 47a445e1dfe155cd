import Foundation
import Letterbox
import LetterboxNet
import LetterboxStore
import LetterboxTLS
import TestSupport

/// `letterbox-bench tls`: TLS handshakes per server CPU-second, bulk throughput each way, and a
/// 1 MiB message over SMTP STARTTLS against plaintext; `openssl s_server` with the same
/// certificate as the reference, in the same run.
enum TLSBenchmark {
    static func report(handshakes: Int, bulkBytes: Int, messages: Int, idleSessions: Int = 1000) async throws {
        let identity = try CertificateAndKey.selfSigned()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("letterbox-tls-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try identity.certificatePEM.write(toFile: certificate, atomically: false, encoding: .utf8)
        try identity.privateKeyPEM.write(toFile: key, atomically: false, encoding: .utf8)
        let client = try TLSContext.unverifiedClient()
        let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first(where: FileManager.default.isExecutableFile)
        if openssl == nil { print("tls: openssl not installed (apt-get install openssl): no s_server reference") }

        // Handshakes: the server in a child process, so its CPU time is its own.
        let ours = try ChildServer(CommandLine.arguments[0], ["tls-server", certificate, key])
        let oursRate = try await handshakeRate(server: ours, client: client, count: handshakes, probe: nil)
        var line = String(
            format: "tls handshakes (ECDSA P-256, %d): letterbox %.0f per server CPU-second", handshakes, oursRate)
        if let openssl {
            let port = try freeLoopbackPort()
            let reference = try ChildServer(
                openssl,
                ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-rev", "-quiet"],
                port: port)
            let referenceRate = try await handshakeRate(
                server: reference, client: client, count: handshakes, probe: Array("ping\n".utf8))
            reference.stop()
            line += String(format: "; openssl s_server %.0f (goal >= 1,000)", referenceRate)
        }
        print(line)

        try await bulk(
            server: ours, client: client, bytes: bulkBytes, openssl: openssl, certificate: certificate, key: key)
        try await smtpMessages(server: ours, client: client, count: messages)
        try await heldSessions(server: ours, client: client, count: idleSessions)
        ours.stop()
    }

    // MARK: Handshakes

    /// Handshakes per second of the server's CPU time: connect, handshake, read one line, close.
    private static func handshakeRate(server: ChildServer, client: TLSContext, count: Int, probe: [UInt8]?) async throws
        -> Double
    {
        let loop = try EventLoopGroup.shared.get().next()
        // Warm up (page faults, lazily initialised OpenSSL tables), then measure.
        for round in [20, count] {
            let before = server.cpuSeconds()
            for _ in 0..<round {
                let connection = try Connection.connect(host: "127.0.0.1", port: server.ports[0], loop: loop)
                try await connection.startTLS(client)
                if let probe { try await connection.send(probe) }
                _ = try await connection.readLine(maxLength: 1024)
                await connection.close()
            }
            if round == count { return Double(count) / max(server.cpuSeconds() - before, 0.001) }
        }
        return 0
    }

    // MARK: Bulk

    /// Upload and download against the child's bulk port (`upload N` / `download N`), so client
    /// and server run in separate processes as they do against s_server.
    private static func bulk(
        server: ChildServer, client: TLSContext, bytes: Int, openssl: String?, certificate: String, key: String
    ) async throws {
        let loop = try EventLoopGroup.shared.get().next()
        let chunk = [UInt8](repeating: 0x62, count: 1 << 20)
        let total = bytes / chunk.count * chunk.count

        // Upload: until the server has read everything and said so.
        var connection = try Connection.connect(
            host: "127.0.0.1", port: server.ports[1], loop: loop, idleTimeout: .seconds(120))
        try await connection.startTLS(client)
        var start = ContinuousClock.now
        connection.write("upload \(total)\n")
        for _ in 0..<(total / chunk.count) { try await connection.send(chunk) }
        _ = try await connection.readLine(maxLength: 100)
        let upload = rate(total, since: start)
        await connection.close()

        // Download: until the last byte has arrived.
        connection = try Connection.connect(
            host: "127.0.0.1", port: server.ports[1], loop: loop, idleTimeout: .seconds(120))
        try await connection.startTLS(client)
        start = ContinuousClock.now
        connection.write("download \(total)\n")
        try await connection.flush()
        try await connection.skip(total)
        let download = rate(total, since: start)
        await connection.close()

        var line = String(
            format: "tls bulk (%d MiB, loopback): letterbox upload %.0f MB/s, download %.0f MB/s", total >> 20, upload,
            download)
        if let openssl {
            // s_server writes what it receives to stdout (here /dev/null): an upload until the
            // last byte is handed to the kernel (socket buffers are a few MB of the total).
            let port = try freeLoopbackPort()
            let reference = try ChildServer(
                openssl, ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-quiet"],
                port: port)
            connection = try Connection.connect(host: "127.0.0.1", port: port, loop: loop, idleTimeout: .seconds(120))
            try await connection.startTLS(client)
            start = ContinuousClock.now
            for _ in 0..<(total / chunk.count) { try await connection.send(chunk) }
            let referenceUpload = rate(total, since: start)
            await connection.close()
            reference.stop()
            line += String(format: "; openssl s_server upload %.0f MB/s (goal >= 500 each way)", referenceUpload)
        }
        print(line)
    }

    // MARK: SMTP

    /// 1 MiB messages over one SMTP session, plaintext and after STARTTLS, to the catcher in the
    /// child process: the server's work (decryption included) gets a core of its own, as it would
    /// beside a real client, instead of sharing this process's event loop with the client's
    /// encryption.
    private static func smtpMessages(server: ChildServer, client: TLSContext, count: Int) async throws {
        let body = SMTPLoad.body(size: 1 << 20)
        // Plaintext and TLS alternate seven times; the best of each counts, so a burst of load
        // from elsewhere on the machine does not decide the ratio (with three, the ratio of
        // repeated runs on a busy 2-core machine spread from 44% to 79%). The server's CPU time
        // per MiB, summed over all rounds, is reported beside: it moves far less with load, and
        // since the server is the slower side, its ratio is the rate ratio reached when the
        // server has a core to itself.
        var rates = [0.0, 0.0]
        var serverCPU = [0.0, 0.0]
        for (index, tls) in Array(repeating: [nil, client], count: 7).joined().enumerated() {
            let loop = try EventLoopGroup.shared.get().next()
            let connection = try Connection.connect(host: "127.0.0.1", port: server.ports[2], loop: loop)
            _ = try await reply(connection)
            connection.write("EHLO bench\r\n")
            _ = try await reply(connection)
            if let tls {
                connection.write("STARTTLS\r\n")
                _ = try await reply(connection)
                try await connection.startTLS(tls)
                connection.write("EHLO bench\r\n")
                _ = try await reply(connection)
            }
            let start = ContinuousClock.now
            let cpuBefore = server.cpuSeconds()
            for _ in 0..<count {
                connection.write("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
                for _ in 0..<3 { _ = try await reply(connection) }
                try await connection.send(body)
                let code = try await reply(connection)
                guard code == 250 else { throw TLSError("message refused with \(code)") }
            }
            rates[index % 2] = max(rates[index % 2], rate(count * body.count, since: start))
            serverCPU[index % 2] += server.cpuSeconds() - cpuBefore
            connection.write("QUIT\r\n")
            await connection.close()
        }
        print(
            String(
                format:
                    "tls smtp (%d × 1 MiB, one session, best of 7 alternating rounds): plaintext %.0f MB/s, STARTTLS %.0f MB/s = %.0f%% (goal >= 60%%); server CPU per MiB: plaintext %.2f ms, STARTTLS %.2f ms = %.0f%%",
                count, rates[0], rates[1], rates[1] / rates[0] * 100, serverCPU[0] * 1000 / Double(7 * count),
                serverCPU[1] * 1000 / Double(7 * count), serverCPU[0] / serverCPU[1] * 100))
    }

    // MARK: Idle sessions

    /// What an idle session costs the server: `count` plaintext SMTP sessions after EHLO, then as
    /// many implicit-TLS ones on top (the plaintext ones stay open, so the TLS sessions cannot
    /// reuse memory they freed), with the server's RSS growth per session for each.
    private static func heldSessions(server: ChildServer, client: TLSContext, count: Int) async throws {
        var held: [Connection] = []
        var growth: [Double] = []
        for (port, tls) in [(server.ports[2], nil), (server.ports[0], client)] as [(Int, TLSContext?)] {
            let before = server.residentBytes()
            for _ in 0..<count {
                let loop = try EventLoopGroup.shared.get().next()
                let connection = try Connection.connect(host: "127.0.0.1", port: port, loop: loop)
                if let tls { try await connection.startTLS(tls) }
                _ = try await reply(connection)
                connection.write("EHLO bench\r\n")
                _ = try await reply(connection)
                held.append(connection)
            }
            try await Task.sleep(for: .milliseconds(300))
            growth.append(Double(server.residentBytes() - before) / 1024 / Double(count))
        }
        for connection in held {
            connection.write("QUIT\r\n")
            await connection.close()
        }
        print(
            String(
                format:
                    "tls idle sessions (%d SMTP sessions after EHLO, held open): server RSS +%.1f KiB per plaintext session, +%.1f KiB per TLS session (goal: TLS no more than plaintext)",
                count, growth[0], growth[1]))
    }

    /// The code of the next SMTP reply (all its lines read).
    private static func reply(_ connection: Connection) async throws -> Int {
        while true {
            let line = try await connection.readLine(maxLength: 4096)
            if line.count < 4 || line[3] != UInt8(ascii: "-") {
                return Int(String(decoding: line.prefix(3), as: UTF8.self)) ?? 0
            }
        }
    }

    private static func rate(_ bytes: Int, since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(bytes) / seconds / 1e6
    }

    // MARK: The child-process server

    /// `letterbox-bench tls-server CERT KEY`: a catcher with an implicit-TLS and a plain (STARTTLS)
    /// SMTP port, keeping the last 16 messages, and a bulk server (TLS, then `upload N`: read N
    /// bytes and answer `ok`, or `download N`: send N bytes), printing `port SMTPS BULK SMTP`,
    /// until killed.
    static func serve(certificate: String, key: String) async throws {
        let serverTLS = try TLSContext.server(
            CertificateAndKey(
                certificatePEM: try String(contentsOfFile: certificate, encoding: .utf8),
                privateKeyPEM: try String(contentsOfFile: key, encoding: .utf8)))
        let bulk = try TCPServer(
            host: "127.0.0.1", port: 0, group: try EventLoopGroup.shared.get(),
            options: .init(maxConnections: 16, idleTimeout: .seconds(120), overCapacityReply: []))
        try bulk.start { connection in
            do {
                try await connection.startTLS(serverTLS)
                let words = String(decoding: try await connection.readLine(maxLength: 100), as: UTF8.self).split(
                    separator: " ")
                guard words.count == 2, let size = Int(words[1]) else { return }
                if words[0] == "upload" {
                    try await connection.skip(size)
                    connection.write("ok\n")
                    try await connection.flush()
                } else {
                    let chunk = [UInt8](repeating: 0x61, count: 1 << 20)
                    var sent = 0
                    while sent < size {
                        try await connection.send(chunk)
                        sent += chunk.count
                    }
                }
            } catch {}
        }
        var configuration = Configuration()
        configuration.smtpPort = 0
        configuration.pop3Port = nil
        configuration.imapPort = nil
        configuration.httpPort = nil
        configuration.retention = RetentionPolicy(maxMessages: 16)
        configuration.tls.smtpsPort = 0
        configuration.tls.certificate = .files(certificate: certificate, key: key)
        let catcher = try await MailCatcher.start(configuration)
        FileHandle.standardOutput.write(Data("port \(catcher.ports.smtps) \(bulk.port) \(catcher.ports.smtp)\n".utf8))
        try await Task.sleep(for: .seconds(86_400))
    }
}

/// A server in a child process: its port and its CPU time so far.
private final class ChildServer {
    let process = Process()
    /// The ports it listens on (a child bench prints three: SMTPS, bulk and SMTP).
    let ports: [Int]
    var port: Int { ports[0] }
    /// Never written: s_server watches stdin, and /dev/null would be readable (at EOF) all the time.
    private let input = Pipe()

    /// Starts `executable`; the port is either given or read from a `port N` line on stdout.
    init(_ executable: String, _ arguments: [String], port: Int? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = port == nil ? output : FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = input
        try process.run()
        if let port {
            self.ports = [port]
            // Wait until it listens.
            for _ in 0..<200 {
                if acceptsConnections(port: port) { return }
                usleep(20_000)
            }
            throw TLSError("\(executable) did not listen on \(port)")
        }
        var text = ""
        while !text.contains("\n") {
            let data = output.fileHandleForReading.availableData
            guard !data.isEmpty else { throw TLSError("\(executable) exited before printing its port") }
            text += String(decoding: data, as: UTF8.self)
        }
        let ports = text.split(separator: "\n").first?.split(separator: " ").dropFirst().compactMap { Int($0) } ?? []
        guard ports.count == 3 else { throw TLSError("unexpected output: \(text)") }
        self.ports = ports
    }

    /// The child's resident set size in bytes, from /proc.
    func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/statm", encoding: .utf8)
        else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// User plus system CPU seconds of the child, from /proc.
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// SIGKILL: `openssl s_server` ignores SIGTERM.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// Whether something accepts connections on 127.0.0.1:`port` (a blocking connect, for the bench).
private func acceptsConnections(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    return LoopbackPort.connect(fd, to: port)
}
