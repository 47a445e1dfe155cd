import Letterbox
import LetterboxNet
import LetterboxStore
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a peer that pipelines commands can make the server do without reading the answers, or
/// after it has left (issue 16, found by `letterbox-bench netfuzz`): the answers queued for it
/// stay bounded (the server sends once enough is queued, then waits for the peer up to the send
/// deadline and closes), and a peer that resets stops the commands still buffered from running.
///
/// Observed through the store (\Seen flags that a FETCH of BODY[] sets, messages an APPEND adds),
/// never through memory use or time.
@Suite("A peer that does not read, or has left", .timeLimit(.minutes(2)))
struct PeerBacklogTests {
    /// Messages in the store, and their size: each FETCH answer is this large.
    static let messages = 400
    static let messageSize = 64 * 1024

    /// A catcher whose IMAP sessions give up on a peer that does not read within its 8 s timeout, with
    /// its session log kept, and `messages` messages of `messageSize` octets in the store.
    private func withFilledCatcher(_ body: (MailCatcher, SessionLog) async throws -> Void) async throws {
        let log = SessionLog()
        try await withCatcher({ configuration in
            // Ends the session whose peer reads nothing; long enough that a loaded machine still
            // gets from the greeting through LOGIN and SELECT.
            configuration.timeouts.imap = .seconds(8)
            configuration.logger = Logger(level: .debug, sink: { line in log.record(line) })
        }) { mail in
            let filler = String(repeating: "0123456789abcde\n", count: Self.messageSize / 16)
            for number in 1...Self.messages {
                _ = try await mail.store.append(
                    Array(sampleMessage(subject: "m\(number)", body: filler).utf8),
                    envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]))
            }
            try await body(mail, log)
        }
    }

    /// Logs in as a client that reads nothing after SELECT.
    private func selectedClient(_ mail: MailCatcher) async throws -> LineClient {
        let client = try LineClient(port: mail.ports.imap)
        _ = try await client.line()
        try await client.send("a LOGIN ana secret\r\nb SELECT INBOX\r\n")
        while !(try await client.line()).hasPrefix("b OK") {}
        return client
    }

    private func seenCount(_ mail: MailCatcher) -> Int {
        mail.store.messages().filter { mail.store.flags(of: $0.id).contains(MessageFlags.seen) }.count
    }

    @Test("IMAP: FETCH BODY[] pipelined for every message, never read: the server stops sending and closes")
    func pipelinedFetchesAreNotAllAnswered() async throws {
        try await withFilledCatcher { mail, log in
            let client = try await selectedClient(mail)
            // A few kilobytes of commands (they all fit in the socket buffers) asking for 25 MB.
            try await client.send((1...Self.messages).map { "f\($0) FETCH \($0) (BODY[])\r\n" }.joined())
            #expect(await log.waitForClose(of: "imap"), "the session did not end")
            // Each FETCH that ran marked its message \Seen: once its answers filled the socket
            // buffers, the server waited for the peer instead of running (and holding) the rest.
            let seen = seenCount(mail)
            #expect(
                seen > 0 && seen < Self.messages,
                "\(seen) FETCH commands ran for a peer that read nothing; log: \(log.all.suffix(8))")
            await client.close()
        }
    }

    @Test("IMAP: one FETCH 1:* BODY[] never read is sent chunk by chunk, and stops when the peer does not read")
    func oneLargeFetchIsNotHeldWhole() async throws {
        try await withFilledCatcher { mail, log in
            let client = try await selectedClient(mail)
            try await client.send("f FETCH 1:* (BODY[])\r\n")
            #expect(await log.waitForClose(of: "imap"), "the session did not end")
            let seen = seenCount(mail)
            #expect(
                seen > 0 && seen < Self.messages,
                "the whole \(seen)-message answer was built for a peer that read nothing; log: \(log.all.suffix(8))")
            await client.close()
        }
    }

    @Test("HTTP: GET of a 12 KB message pipelined 1,000 times, never read: the server stops reading and closes")
    func pipelinedGetsAreNotAllAnswered() async throws {
        let log = SessionLog()
        let requests = 1000
        try await withCatcher({ configuration in
            configuration.timeouts.httpKeepAlive = .seconds(3)  // room for a loaded machine to send the requests
            configuration.transcript = true
            configuration.logger = Logger(level: .debug, sink: { line in log.record(line) })
        }) { mail in
            // Below the size sent without copying: each answer is queued with the others.
            let body = String(repeating: "0123456789abcde\n", count: 12 * 1024 / 16)
            _ = try await mail.store.append(
                Array(sampleMessage(body: body).utf8),
                envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]))
            let port = mail.ports.http
            let request = "GET /messages/1/raw HTTP/1.1\r\nHost: localhost\r\n\r\n"
            // 49 KB of requests (one read) asking for 12 MB; the send may wait while the server does not read.
            let client = Task {
                let client = try LineClient(port: port)
                try? await client.send(String(repeating: request, count: requests))
                _ = await log.waitForClose(of: "http")
                client.connection.closeAbruptly()
            }
            #expect(await log.waitForClose(of: "http"), "the session did not end")
            try await client.value
            let answered = log.count(where: { $0.contains("C: GET /messages/1/raw") })
            #expect(answered > 0 && answered < requests, "\(answered) requests were read from a peer that read nothing")
        }
    }

    @Test("IMAP: 1,000 APPENDs pipelined, then a reset: the server stops instead of storing them all")
    func resetStopsPipelinedAppends() async throws {
        let log = SessionLog()
        let appends = 1000
        try await withCatcher({ configuration in
            configuration.credentials = Credentials(
                users: ["ana": "secret"], loginFailures: LoginFailurePolicy(limit: 10, delay: .seconds(600)))
            configuration.logger = Logger(level: .debug, sink: { line in log.record(line) })
        }) { mail in
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            // The failed login holds the session for its delay: the whole pipeline (some 30 KB)
            // and the reset arrive before it runs the next command, however slow the machine.
            // The delay ends at the reset (the pause notices the peer leave), so its length costs
            // the test nothing.
            let pipeline =
                "a LOGIN ana wrong\r\nb LOGIN ana secret\r\n"
                + (1...appends).map { "c\($0) APPEND INBOX {1+}\r\nx\r\n" }.joined()
            try await client.send(pipeline)
            #expect(await client.waitUntilAcknowledged(), "the pipeline did not reach the server")
            client.reset()
            #expect(await log.waitForClose(of: "imap"), "the session did not end")
            let stored = mail.store.statistics.messages
            #expect(stored < appends / 2, "\(stored) of \(appends) APPENDs ran after the peer reset")
        }
    }
}

/// The catcher's log lines, to see when a session has ended.
final class SessionLog: Sendable {
    private let lines = Mutex<[String]>([])

    func record(_ line: String) { lines.withLock { $0.append(line) } }

    /// Every line logged so far.
    var all: [String] { lines.withLock { $0 } }

    /// How many lines logged so far satisfy `predicate`.
    func count(where predicate: (String) -> Bool) -> Int { lines.withLock { $0.count(where: predicate) } }

    /// Waits (up to 60 s) until a session of `protocolName` has logged its end.
    func waitForClose(of protocolName: String) async -> Bool {
        for _ in 0..<600 {
            let closed = lines.withLock { lines in
                lines.contains { $0.contains("\(protocolName) ") && $0.contains("session closed") }
            }
            if closed { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}

extension LineClient {
    /// Waits (up to 30 s) until the peer's kernel has acknowledged every byte sent.
    func waitUntilAcknowledged() async -> Bool { await waitUntilTaken(sentOn: [connection.descriptor]) }

    /// Closes with a reset (`SO_LINGER` of zero), as a peer that crashed or gave up does.
    func reset() {
        var value = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(
            connection.descriptor, SOL_SOCKET, SO_LINGER, &value, socklen_t(MemoryLayout<linger>.size))
        connection.closeAbruptly()
    }
}
