import Letterbox
import LetterboxNet
import LetterboxStore
import Testing

/// Time budgets over TCP, for every protocol: a peer that dribbles a command line (slowloris) or a
/// transfer is answered with the protocol's timeout error and closed; a peer that does not log in
/// in time likewise; a logged-in session is held to the protocol's own, longer timeout instead.
/// Budgets are configured short, so the tests wait little; nothing here measures time.
@Suite("Deadlines over TCP", .timeLimit(.minutes(2)))
struct DeadlineTests {
    /// A short command deadline, a short transfer grace with a rate no dribbler keeps.
    static func short(_ configuration: inout Configuration) {
        configuration.timeouts.command = .milliseconds(300)
        configuration.timeouts.transferGrace = .milliseconds(300)
        configuration.timeouts.minimumTransferRate = 1000
    }

    // MARK: Slowloris

    @Test("SMTP: a command line dribbled a byte at a time gets 421 and is closed")
    func smtpDribbledLine() async throws {
        try await withCatcher(Self.short) { mail in
            try await Self.expectCutOff(.smtp, on: mail, dribbling: "EHLO slow.example")
        }
    }

    @Test("SMTP: DATA below the minimum rate gets 421 and is closed")
    func smtpSlowData() async throws {
        try await withCatcher(Self.short) { mail in
            try await Self.expectCutOff(
                .smtp, on: mail, after: Self.smtpTransaction + [("DATA", "354")],
                dribbling: "Subject: slow\r\n\r\nbody")
            #expect(mail.store.statistics.messages == 0)
        }
    }

    @Test("SMTP: a BDAT chunk below the minimum rate gets 421 and is closed")
    func smtpSlowChunk() async throws {
        try await withCatcher(Self.short) { mail in
            try await Self.expectCutOff(
                .smtp, on: mail, after: Self.smtpTransaction + [("BDAT 100000 LAST", nil)],
                dribbling: "Subject: slow\r\n\r\n")
        }
    }

    @Test("POP3: a command line dribbled a byte at a time gets -ERR and is closed")
    func pop3DribbledLine() async throws {
        try await withCatcher(Self.short) { mail in
            try await Self.expectCutOff(.pop3, on: mail, dribbling: "USER ana@example.com")
        }
    }

    @Test("IMAP: a command line dribbled a byte at a time gets BYE and is closed")
    func imapDribbledLine() async throws {
        try await withCatcher(Self.short) { mail in
            try await Self.expectCutOff(.imap, on: mail, dribbling: "a1 LOGIN ana secret")
        }
    }

    @Test("IMAP: a literal below the minimum rate gets BYE and is closed")
    func imapSlowLiteral() async throws {
        try await withCatcher(Self.short) { mail in
            try await Self.expectCutOff(
                .imap, on: mail, after: [("a LOGIN ana secret", "a OK"), ("b APPEND INBOX {100000+}", nil)],
                dribbling: "Subject: slow\r\n\r\n")
        }
    }

    @Test("SMTP: many small BDAT chunks share one minimum rate (each does not restart the grace)")
    func smtpSmallChunks() async throws {
        try await withCatcher(Self.short) { mail in
            let client = try await Self.open(.smtp, on: mail, after: Self.smtpTransaction)
            // 10 octets every 50 ms (200 B/s against 1,000 B/s), each chunk whole and quick: only
            // the message as a whole is slow.
            var last: [String] = []
            for _ in 0..<300 {
                try await client.send("BDAT 10\r\n0123456789")
                last = try await client.reply()
                guard last.last?.hasPrefix("250") == true else { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(last.last?.hasPrefix("421 4.4.2 ") == true, "the server took every chunk: \(last)")
            #expect(await client.isClosedByServer())
            #expect(mail.store.statistics.messages == 0)
        }
    }

    @Test("IMAP: many small literals in one command share one minimum rate")
    func imapSmallLiterals() async throws {
        try await withCatcher(Self.short) { mail in
            // Each line with its literal arrives whole, 50 ms after the last: every literal is
            // quick; the command as a whole keeps 200 B/s against 1,000.
            let pieces = "b SEARCH TEXT {10+}\r\n" + String(repeating: "0123456789 TEXT {10+}\r\n", count: 300)
            try await Self.expectCutOff(
                .imap, on: mail, after: [("a LOGIN ana secret", "a OK")], dribbling: pieces,
                interval: .milliseconds(50), wholeLines: true)
        }
    }

    @Test("HTTP: a request head dribbled line by line gets 408 and is closed")
    func httpDribbledHead() async throws {
        try await withCatcher(Self.short) { mail in
            // Each line arrives whole, 100 ms after the last: every line is in time; the head as a
            // whole is not (the command deadline is 300 ms).
            try await Self.expectCutOff(
                .http, on: mail,
                dribbling: "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\n",
                interval: .milliseconds(100), wholeLines: true)
        }
    }

    @Test("HTTP: a request body below the minimum rate gets 408 and is closed")
    func httpSlowBody() async throws {
        try await withCatcher(Self.short) { mail in
            try await Self.expectCutOff(
                .http, on: mail,
                after: [("POST /faults HTTP/1.1\r\nHost: localhost\r\nContent-Length: 60000\r\n", nil)],
                dribbling: "smtp")
        }
    }

    // MARK: Login phase

    @Test("SMTP: no EHLO within the login timeout gets 421; after EHLO the SMTP timeout applies")
    func smtpLoginPhase() async throws {
        try await withCatcher({ $0.timeouts.login = .milliseconds(300) }) { mail in
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            #expect(try await client.reply().last?.hasPrefix("421 4.4.2 ") == true)
            #expect(await client.isClosedByServer())
        }
        try await Self.expectLoginPhaseEnds(.smtp, after: [("EHLO x", "250")], probe: ("NOOP", "250"))
    }

    @Test("POP3: no login within the login timeout gets -ERR; after login the POP3 timeout applies")
    func pop3LoginPhase() async throws {
        try await withCatcher({ $0.timeouts.login = .seconds(1) }) { mail in
            let client = try LineClient(port: mail.ports.pop3)
            _ = try await client.line()
            // Commands before login do not extend it: a client that keeps asking CAPA is still
            // logged out (however slowly the machine answers: no window to meet).
            #expect(
                await Self.keepSending("CAPA", on: client, until: "-ERR autologout: no login in time"),
                "commands before login kept the session open")
            #expect(await client.isClosedByServer())
        }
        try await Self.expectLoginPhaseEnds(
            .pop3, after: [("USER ana@example.com", "+OK"), ("PASS secret", "+OK")], probe: ("STAT", "+OK"))
    }

    @Test("IMAP: no login within the login timeout gets BYE; after login the IMAP timeout applies")
    func imapLoginPhase() async throws {
        try await withCatcher({ $0.timeouts.login = .milliseconds(300) }) { mail in
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            #expect(try await client.line() == "* BYE autologout: no login in time")
            #expect(await client.isClosedByServer())
        }
        try await Self.expectLoginPhaseEnds(.imap, after: [("a LOGIN ana secret", "a OK")], probe: ("b NOOP", "b OK"))
    }

    @Test("the defaults follow the RFCs: SMTP 5 minutes, POP3 10, IMAP 30; 60 s before login")
    func defaults() {
        let timeouts = Configuration().timeouts
        #expect(timeouts.smtp >= .seconds(300))
        #expect(timeouts.pop3 >= .seconds(600))
        #expect(timeouts.imap >= .seconds(1800))
        #expect(timeouts.login == .seconds(60))
        #expect(Configuration().idleTimeout == nil)
    }

    // MARK: Helpers

    /// How long a helper waits for the server to react (a timeout reply, a close, a freed slot)
    /// before it says the server did not: the reaction is due within about a second; the limit
    /// only ends a wait the server never ends. Far beyond any stall: on CI's loaded 2-core
    /// machine a task (the server's sessions run as tasks) has waited more than 10 s to run.
    static let reactionLimit = Duration.seconds(60)

    /// A protocol as these tests drive it: where it listens, how its replies read, and how it
    /// answers a deadline that passed.
    struct Wire: Sendable {
        let port: @Sendable (Ports) -> Int
        /// Whether it greets a new connection.
        let greets: Bool
        /// Whether replies are SMTP's (several lines, the last one after the code with a space).
        let multilineReplies: Bool
        /// How the answer to a passed deadline begins.
        let timeoutReply: String

        static let smtp = Wire(port: { $0.smtp }, greets: true, multilineReplies: true, timeoutReply: "421 4.4.2 ")
        static let pop3 = Wire(port: { $0.pop3 }, greets: true, multilineReplies: false, timeoutReply: "-ERR ")
        static let imap = Wire(port: { $0.imap }, greets: true, multilineReplies: false, timeoutReply: "* BYE ")
        static let http = Wire(
            port: { $0.http }, greets: false, multilineReplies: false, timeoutReply: "HTTP/1.1 408 Request Timeout")
    }

    /// The commands that open an SMTP transaction, each answered 250.
    static let smtpTransaction: [(String, String?)] = [
        ("EHLO x", "250"), ("MAIL FROM:<a@example.com>", "250"), ("RCPT TO:<b@example.com>", "250"),
    ]

    /// The next reply's (last) line; untagged IMAP lines are skipped unless `expected` is one.
    static func reply(on client: LineClient, _ wire: Wire, expected: String) async throws -> String {
        if wire.multilineReplies { return try await client.reply().last ?? "" }
        var line = try await client.line()
        while line.hasPrefix("* ") && !expected.hasPrefix("* ") { line = try await client.line() }
        return line
    }

    /// Connects over `wire`, reads the greeting, and sends each of `setup` with CRLF, checking
    /// that its reply begins as given (nil: sent without waiting for a reply).
    static func open(_ wire: Wire, on mail: MailCatcher, after setup: [(String, String?)] = []) async throws
        -> LineClient
    {
        let client = try LineClient(port: wire.port(mail.ports))
        if wire.greets { _ = try await wire.multilineReplies ? client.reply().last : client.line() }
        for (command, expected) in setup {
            try await client.send(command + "\r\n")
            guard let expected else { continue }
            let line = try await reply(on: client, wire, expected: expected)
            #expect(line.hasPrefix(expected), "\(command): \(line)")
        }
        return client
    }

    /// After `setup`, the peer dribbles `text` (see ``LineClient/dribble(_:interval:limit:wholeLines:)``):
    /// the server answers its timeout reply and closes.
    static func expectCutOff(
        _ wire: Wire, on mail: MailCatcher, after setup: [(String, String?)] = [], dribbling text: String,
        interval: Duration = .milliseconds(30), wholeLines: Bool = false
    ) async throws {
        let client = try await open(wire, on: mail, after: setup)
        #expect(
            await client.dribble(text, interval: interval, wholeLines: wholeLines), "the server let the peer dribble on"
        )
        let line = try await reply(on: client, wire, expected: wire.timeoutReply)
        #expect(line.hasPrefix(wire.timeoutReply), "\(line)")
        #expect(await client.isClosedByServer())
    }

    /// Sends `command` every 200 ms and reads what comes back, until a line equal to `expected`
    /// (true), the end of the connection, or ``reactionLimit`` (false).
    static func keepSending(_ command: String, on client: LineClient, until expected: String) async -> Bool {
        let saved = client.connection.timeouts
        client.connection.timeouts = ConnectionTimeouts(idle: .milliseconds(200))
        defer { client.connection.timeouts = saved }
        let end = ContinuousClock.now + reactionLimit
        var sending = true
        while ContinuousClock.now < end {
            if sending { sending = (try? await client.send(command + "\r\n")) != nil }
            while true {
                do {
                    if try await client.line() == expected { return true }
                } catch let error as NetError where error == .idleTimeout {
                    break
                } catch {
                    return false
                }
            }
        }
        return false
    }

    /// With 10 s to log in, a session that logged in (`login`) still answers `probe` after 12 s:
    /// from then on the protocol's own, longer timeout applies. (The login must be read within
    /// the 10 s: a loaded machine once took more than 3 s to connect, greet and answer USER.)
    static func expectLoginPhaseEnds(
        _ wire: Wire, after login: [(String, String?)], probe: (command: String, reply: String)
    ) async throws {
        try await withCatcher({ $0.timeouts.login = .seconds(10) }) { mail in
            let client = try await open(wire, on: mail, after: login)
            try await Task.sleep(for: .seconds(12))
            try await client.send(probe.command + "\r\n")
            let line = try await reply(on: client, wire, expected: probe.reply)
            #expect(line.hasPrefix(probe.reply), "\(probe.command): \(line)")
        }
    }

    // MARK: Long polls

    @Test("waits whose clients left free their connections at once: a new client is served")
    func abandonedWaits() async throws {
        try await withCatcher({
            $0.maxConnections = 10
            $0.maxLongPolls = 100
        }) { mail in
            var waits: [LineClient] = []
            for _ in 0..<10 {
                let client = try LineClient(port: mail.ports.http)
                try await client.send("GET /messages/wait?timeout=120 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                waits.append(client)
            }
            // Every slot is taken by a wait.
            let refused = try LineClient(port: mail.ports.http)
            #expect(try await refused.line() == "HTTP/1.1 503 Service Unavailable")
            await refused.close()
            for client in waits { await client.close() }
            #expect(
                try await Self.eventuallyServed(port: mail.ports.http),
                "/healthz still refused: the waits kept their slots")
        }
    }

    @Test("a wait beyond the limit of concurrent waits is refused with 503 and a reason")
    func tooManyWaits() async throws {
        try await withCatcher({ $0.maxLongPolls = 2 }) { mail in
            // Waits are opened one by one, each kept open, until one is refused at once.
            var waits: [LineClient] = []
            var refusal: [String]?
            for _ in 0..<50 where refusal == nil {
                let client = try LineClient(port: mail.ports.http)
                try await client.send("GET /messages/wait?timeout=120 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                client.connection.timeouts = ConnectionTimeouts(idle: .milliseconds(300))
                if let status = try? await client.line() {
                    var lines = [status]
                    while let line = try? await client.line() {
                        lines.append(line)
                        if line.isEmpty { break }  // the end of the head
                    }
                    lines.append((try? await client.line()) ?? "")  // the one-line body
                    refusal = lines
                }
                client.connection.timeouts = ConnectionTimeouts(idle: LineClient.idleTimeout)
                waits.append(client)
            }
            #expect(refusal?.first == "HTTP/1.1 503 Service Unavailable")
            #expect(refusal?.last?.contains("too many waits in progress (at most 2)") == true, "\(refusal ?? [])")
            #expect(waits.count >= 3)
            for client in waits { await client.close() }
        }
    }

    /// Whether `GET /healthz` on a new connection is answered 200 within ``reactionLimit``.
    static func eventuallyServed(port: Int) async throws -> Bool {
        let end = ContinuousClock.now + reactionLimit
        while ContinuousClock.now < end {
            let client = try LineClient(port: port)
            try await client.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            let status = try? await client.line()
            await client.close()
            if status == "HTTP/1.1 200 OK" { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}

extension LineClient {
    /// Sends `text`, then `x`, one byte every `interval` (a slowloris peer), until the server
    /// sends something or closes; gives up after `limit`.
    ///
    /// - Returns: whether the server reacted; false if it let the peer dribble on.
    func dribble(
        _ text: String, interval: Duration = .milliseconds(30), limit: Duration = DeadlineTests.reactionLimit,
        wholeLines: Bool = false
    ) async -> Bool {
        // One byte per send, or one line per send (then each line arrives at once, and more header
        // lines follow the text, so no single line is ever slow).
        let pieces: [[UInt8]] =
            wholeLines
            ? text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { Array($0) + [0x0A] }
            : text.utf8.map { [$0] }
        let saved = connection.timeouts
        connection.timeouts = ConnectionTimeouts(idle: interval)
        defer { connection.timeouts = saved }
        let end = ContinuousClock.now + limit
        var index = 0
        while ContinuousClock.now < end {
            let piece =
                index < pieces.count ? pieces[index] : wholeLines ? Array("X-More: 1\r\n".utf8) : [UInt8(ascii: "x")]
            index += 1
            do { try await connection.send(piece) } catch { return true }
            do {
                try await connection.fill()
                return true
            } catch let error as NetError where error == .idleTimeout {
                continue
            } catch {
                return true
            }
        }
        return false
    }
}
