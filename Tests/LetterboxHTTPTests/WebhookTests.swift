import Foundation
import LetterboxHTTP
import LetterboxNet
import LetterboxStore
import LetterboxThreads
import Synchronization
import Testing

/// A tiny HTTP receiver on an ephemeral port: records each request and answers with the status
/// its script gives for that request number (`nil`: never answers, holds the connection).
private final class Receiver: Sendable {
    struct Request: Sendable {
        var head: [String]
        var body: [UInt8]
        func header(_ name: String) -> String? {
            head.first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The requests so far, shared with the serving closure.
    private final class Log: Sendable {
        let requests = Mutex<[Request]>([])
    }

    let server: TCPServer
    private let received = Log()

    init(script: @escaping @Sendable (Int) -> Int?) throws {
        server = try TCPServer(
            host: "127.0.0.1", port: 0, group: EventLoopGroup.shared.get(),
            options: .init(maxConnections: 64, idleTimeout: .seconds(60), overCapacityReply: []))
        try server.start { [received] connection in
            guard let request = try? await Self.read(connection) else { return }
            let number = received.requests.withLock { list in
                list.append(request)
                return list.count
            }
            guard let status = script(number) else {
                // Holds the connection until the client gives up.
                _ = try? await connection.readExactly(1)
                return
            }
            try? await connection.send(Array("HTTP/1.1 \(status) X\r\nContent-Length: 0\r\n\r\n".utf8))
        }
    }

    private static func read(_ connection: Connection) async throws -> Request {
        var head: [String] = []
        while true {
            let line = String(decoding: try await connection.readLine(maxLength: 8192), as: UTF8.self)
            if line.isEmpty { break }
            head.append(line)
        }
        let partial = Request(head: head, body: [])
        let length = Int(partial.header("Content-Length") ?? "0") ?? 0
        return Request(head: head, body: try await connection.readExactly(length))
    }

    var requests: [Request] { received.requests.withLock { $0 } }

    /// Waits until `count` requests have arrived (a generous 90 s: the whole suite shares 2 cores).
    func waitFor(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        while requests.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if requests.count < count { throw WaitFailed(wanted: count, got: requests.count) }
    }

    struct WaitFailed: Error { let wanted: Int, got: Int }

    /// The receiver by name, so the lookup is part of the test.
    var url: WebhookURL { get throws { try WebhookURL(parsing: "http://localhost:\(server.port)/hooks/mail?x=1") } }
    /// The receiver by address: for tests about something else than the lookup, which a loaded
    /// machine can make take most of a connect timeout.
    var numericURL: WebhookURL { get throws { try WebhookURL(parsing: "http://127.0.0.1:\(server.port)/hooks/mail") } }
}

/// Lines a logger wrote.
private final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var logger: Logger { Logger(level: .debug, sink: { line in self.lines.withLock { $0.append(line) } }) }

    /// Waits (up to 90 s) until `count` lines contain `text`.
    func waitFor(_ count: Int, containing text: String) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        while all.filter({ $0.contains(text) }).count < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if all.filter({ $0.contains(text) }).count < count { throw Missing(text: text, lines: all) }
    }

    struct Missing: Error { let text: String, lines: [String] }
}

private func capture(_ store: MemoryStore, subject: String) async throws -> Message {
    try await store.append(
        Array("From: shop@example.com\r\nTo: ana@example.com\r\nSubject: \(subject)\r\n\r\nHi\r\n".utf8),
        envelope: Envelope(sender: "shop@example.com", recipients: ["ana@example.com"], helo: "h", peer: "127.0.0.1:1"))
}

@Suite struct WebhookTests {
    /// The time an attempt, and its connect, may take where the test is about something else:
    /// far beyond any stall. The receiver answers from a task, the attempt's steps are tasks, and
    /// on CI's loaded 2-core machine a task has waited more than 10 s to run; an attempt timed
    /// out meanwhile is retried, and the attempts the test counts are not the ones it expects.
    /// Tests of either deadline set their own.
    static let attemptTimeout = Duration.seconds(120)

    /// A store, its log, and a notifier posting what it captures to `url`, retrying after 20 ms.
    private func notifying(
        _ url: WebhookURL, _ adjust: (inout WebhookNotifier.Policy) -> Void = { _ in }
    ) -> (MemoryStore, LogLines, WebhookNotifier) {
        var policy = WebhookNotifier.Policy()
        policy.firstBackoff = .milliseconds(20)
        policy.attemptTimeout = Self.attemptTimeout
        policy.connectTimeout = Self.attemptTimeout
        adjust(&policy)
        let (store, log) = (MemoryStore(), LogLines())
        return (store, log, WebhookNotifier(url: url, store: store, logger: log.logger, policy: policy))
    }

    @Test func postsTheListEntryOfEachCapturedMessage() async throws {
        let receiver = try Receiver { _ in 204 }
        let (store, _, notifier) = notifying(try receiver.url)
        defer { notifier.stop() }
        _ = try await capture(store, subject: "First")
        _ = try await capture(store, subject: "Second")
        try await receiver.waitFor(2)
        let requests = receiver.requests
        #expect(requests.map(\.head.first) == ["POST /hooks/mail?x=1 HTTP/1.1", "POST /hooks/mail?x=1 HTTP/1.1"])
        #expect(requests.first?.header("Host") == "localhost:\(receiver.server.port)")
        #expect(requests.first?.header("Content-Type") == "application/json")
        #expect(requests.map { $0.header("X-Letterbox-Message-Id") } == ["1", "2"])
        // The same object GET /messages.json lists for it.
        let router = HTTPRouter(store: store)
        let listed = try #require(try await router.get("/messages.json").jsonBody() as? [Any])
        for (request, entry) in zip(requests, listed) {
            let posted = try JSONSerialization.jsonObject(with: Data(request.body))
            #expect((posted as? NSDictionary) == (entry as? NSDictionary))
        }
        #expect(
            (try JSONSerialization.jsonObject(with: Data(requests[1].body)) as? [String: Any])?["subject"] as? String
                == "Second")
        await receiver.server.shutdown(gracePeriod: .zero)
    }

    @Test func retriesFailuresWithBackoffButNotRefusals() async throws {
        // Message 1: 503, then 200 on its second attempt. Message 2: 400, never retried. Message 3: 200.
        let receiver = try Receiver { number in [1: 503, 2: 200, 3: 400, 4: 200][number] ?? 200 }
        let (store, log, notifier) = notifying(try receiver.numericURL)
        defer { notifier.stop() }
        for subject in ["a", "b", "c"] { _ = try await capture(store, subject: subject) }
        try await receiver.waitFor(4)
        let seen = receiver.requests.map {
            ($0.header("X-Letterbox-Message-Id") ?? "", $0.header("X-Letterbox-Attempt") ?? "")
        }
        #expect(seen.map(\.0) == ["1", "1", "2", "3"])
        #expect(seen.map(\.1) == ["1", "2", "1", "1"])
        #expect(log.all.contains { $0.contains("refused message 2 with 400") })
        await receiver.server.shutdown(gracePeriod: .zero)
    }

    @Test func aWaitForAConnectThreadDoesNotCountAgainstTheConnectTimeout() async throws {
        // The connect pool's one thread is busy for 4 s, longer than the 3 s a connect may take
        // (generous for a loaded machine): the receiver is not to blame for that wait, so the
        // first attempt still connects.
        let receiver = try Receiver { _ in 200 }
        let pool = BlockingPool(maxThreads: 1)
        let (store, log, notifier) = notifying(try receiver.numericURL) {
            $0.connectPool = pool
            $0.connectTimeout = .seconds(3)
        }
        defer { notifier.stop() }
        pool.submit { usleep(4_000_000) }
        _ = try await capture(store, subject: "queued")
        try await receiver.waitFor(1)
        #expect(receiver.requests.map { $0.header("X-Letterbox-Attempt") } == ["1"], "\(log.all)")
        await receiver.server.shutdown(gracePeriod: .zero)
    }

    @Test func givesUpAfterTheAttemptsAndGoesOn() async throws {
        let receiver = try Receiver { number in number <= 3 ? 500 : 200 }
        let (store, log, notifier) = notifying(try receiver.numericURL) { $0.attempts = 3 }
        defer { notifier.stop() }
        _ = try await capture(store, subject: "lost")
        _ = try await capture(store, subject: "kept")
        try await receiver.waitFor(4)
        #expect(receiver.requests.map { $0.header("X-Letterbox-Message-Id") } == ["1", "1", "1", "2"])
        #expect(log.all.contains { $0.contains("message 1 not posted") && $0.contains("after 3 attempts") })
        await receiver.server.shutdown(gracePeriod: .zero)
    }

    @Test func aStuckReceiverNeitherDelaysCaptureNorGrowsTheQueue() async throws {
        let receiver = try Receiver { _ in nil }  // accepts, reads, never answers
        let (store, log, notifier) = notifying(try receiver.numericURL) { $0.capacity = 2 }
        defer { notifier.stop() }
        // Storing (after which SMTP answers 250) finishes while the first post hangs.
        for number in 1...8 { _ = try await capture(store, subject: "m\(number)") }
        try await receiver.waitFor(1)
        // One in flight, two queued: the others are dropped, each with a log line. Five or six:
        // the sender may take message 1 before or after message 3 finds the queue full. Message 8
        // is always dropped and logged last, so the test waits for it: waiting for five lines
        // returned after message 7's when six were coming.
        try await log.waitFor(1, containing: "message 8 is not posted")
        let dropped = log.all.filter { $0.contains("2 messages already wait") }
        #expect(dropped.count >= 5 && dropped.count <= 6)
        #expect(dropped.last?.contains("message 8 is not posted") == true)
        await receiver.server.shutdown(gracePeriod: .zero)
    }

    @Test func unreachableReceiverIsRetriedThenLogged() async throws {
        // A port bound but not listening: connects to it are refused (RST), and while the test
        // holds it no other test's listener can take it (closing a listener instead freed the
        // port, and a server another test started got it: the post reached that server).
        let refusing = try LoopbackSocket()
        defer { refusing.close() }
        let port = refusing.port
        let (store, log, notifier) = notifying(try WebhookURL(parsing: "http://127.0.0.1:\(port)")) { $0.attempts = 2 }
        defer { notifier.stop() }
        _ = try await capture(store, subject: "x")
        try await log.waitFor(1, containing: "not posted")
        #expect(
            log.all.contains {
                $0.contains("message 1 not posted to http://127.0.0.1:\(port)/ after 2 attempts: cannot connect")
                    && $0.contains("refused")
            }, "\(log.all)")
    }

    @Test func aLookupThatNeverAnswersIsAbandonedAtTheConnectTimeoutAndRetried() async throws {
        // A resolver that never answers (until the test ends): getaddrinfo has no timeout of its own.
        let release = DispatchSemaphore(value: 0)
        let lookups = Mutex(0)
        let resolver = WebhookResolver { _, _ in
            lookups.withLock { $0 += 1 }
            release.wait()
            return .success(["127.0.0.1"])
        }
        defer { release.signal() }
        let (store, log, notifier) = notifying(try WebhookURL(parsing: "http://receiver.invalid:9000/hook")) {
            $0.attempts = 3
            $0.connectTimeout = .milliseconds(200)
            $0.resolver = resolver
        }
        defer { notifier.stop() }
        _ = try await capture(store, subject: "x")
        try await log.waitFor(1, containing: "not posted")
        let line = log.all.first { $0.contains("message 1 not posted") }
        #expect(line?.contains("after 3 attempts: cannot resolve") == true, "\(log.all)")
        #expect(line?.contains("no answer within 0.2 seconds") == true, "\(log.all)")
        #expect(log.all.filter { $0.contains("attempt") && $0.contains("failed (cannot resolve") }.count == 2)
        // The retries wait for the lookup still running instead of starting one each.
        #expect(lookups.withLock { $0 } == 1)
    }

    @Test func aNumericHostIsNotLookedUpAndANameUsesTheResolver() async throws {
        let receiver = try Receiver { _ in 204 }
        let lookups = Mutex<[String]>([])
        let resolver = WebhookResolver { host, _ in
            lookups.withLock { $0.append(host) }
            return .success(["127.0.0.1"])
        }
        let (store, _, notifier) = notifying(try WebhookURL(parsing: "http://127.0.0.1:\(receiver.server.port)/")) {
            $0.resolver = resolver
        }
        _ = try await capture(store, subject: "numeric")
        try await receiver.waitFor(1)
        notifier.stop()
        #expect(lookups.withLock { $0 }.isEmpty)
        let (named, _, byName) = notifying(try WebhookURL(parsing: "http://receiver.test:\(receiver.server.port)/")) {
            $0.resolver = resolver
        }
        defer { byName.stop() }
        _ = try await capture(named, subject: "named")
        try await receiver.waitFor(2)
        #expect(lookups.withLock { $0 } == ["receiver.test"])
        #expect(receiver.requests.last?.header("Host") == "receiver.test:\(receiver.server.port)")
        await receiver.server.shutdown(gracePeriod: .zero)
    }

    #if os(Linux)
        @Test func aReceiverThatNeverAnswersTheConnectIsGivenUpOnInTime() async throws {
            let hole = try await BlackHole()
            defer { hole.close() }
            let url = try WebhookURL(parsing: "http://127.0.0.1:\(hole.port)/hook")
            let (store, log, notifier) = notifying(url) {
                $0.attempts = 2
                $0.connectTimeout = .milliseconds(200)
            }
            defer { notifier.stop() }
            _ = try await capture(store, subject: "x")
            // Without a connect timeout each attempt waits for the kernel (about two minutes).
            try await log.waitFor(1, containing: "not posted")
            let line = log.all.first { $0.contains("message 1 not posted") }
            #expect(line?.contains("after 2 attempts: cannot connect") == true)
            #expect(line?.contains("timed out") == true)
        }

        @Test func anAttemptEndsAtItsDeadlineHoweverTheReceiverTrickles() async throws {
            // Accepts, then sends the status line one byte per 100 ms: every wait is short, but
            // the attempt as a whole must end at its deadline.
            let server = try TCPServer(
                host: "127.0.0.1", port: 0, group: EventLoopGroup.shared.get(),
                options: .init(maxConnections: 8, idleTimeout: .seconds(60), overCapacityReply: []))
            try server.start { connection in
                for byte in "HTTP/1.1 200 OK, but very slowly indeed, one octet at a time".utf8 {
                    try? await connection.send([byte])
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            let url = try WebhookURL(parsing: "http://127.0.0.1:\(server.port)/hook")
            let (store, log, notifier) = notifying(url) {
                $0.attempts = 1
                $0.attemptTimeout = .milliseconds(500)
            }
            defer { notifier.stop() }
            _ = try await capture(store, subject: "x")
            try await log.waitFor(1, containing: "not posted")
            #expect(
                log.all.contains {
                    $0.contains("message 1 not posted") && $0.contains("no answer within 0.5 seconds")
                }, "\(log.all)")
            await server.shutdown(gracePeriod: .zero)
        }
    #endif

    @Test func urlsAreHTTPOnlyAndChecked() throws {
        let url = try WebhookURL(parsing: "http://receiver:9000/hook?a=b#frag")
        #expect(
            url.host == "receiver" && url.port == 9000 && url.target == "/hook?a=b" && url.hostField == "receiver:9000")
        let plain = try WebhookURL(parsing: "HTTP://[::1]")
        #expect(plain.host == "[::1]" && plain.port == 80 && plain.target == "/" && plain.hostField == "[::1]")
        func reason(_ text: String) -> String {
            do {
                _ = try WebhookURL(parsing: text)
                return "parsed"
            } catch { return error.description }
        }
        #expect(reason("https://hooks.example.com/x").contains("https, which is not supported: use http://"))
        #expect(reason("ftp://x").contains("must start with http://"))
        #expect(reason("http://:80/").contains("names no host"))
        #expect(reason("http://x:99999/").contains("invalid port '99999'"))
        #expect(reason("http://u:p@x/").contains("credentials"))
    }
}

#if canImport(Glibc)
    private let streamType = Int32(SOCK_STREAM.rawValue)
    private func closeDescriptor(_ fd: Int32) { _ = Glibc.close(fd) }
#else
    private let streamType = SOCK_STREAM
    private func closeDescriptor(_ fd: Int32) { _ = Darwin.close(fd) }
#endif

/// A TCP socket bound to an ephemeral port on 127.0.0.1 and not listening: connects to it are
/// refused, and while it is open no other test's listener can take its port.
private final class LoopbackSocket: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, streamType, 0)
        self.descriptor = descriptor
        var address = Self.address(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        guard descriptor >= 0, bound == 0, named == 0 else {
            close()
            throw SetUpFailed()
        }
    }

    /// 127.0.0.1 and `port`.
    static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        #if canImport(Darwin)
            address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    func close() { closeDescriptor(descriptor) }
}

private struct SetUpFailed: Error {}

#if os(Linux)
    /// A listener whose accept queue is full and which never accepts: Linux drops the SYNs of
    /// further connects, so they hang as a black-holed receiver's would (until `tcp_syn_retries`
    /// runs out, about two minutes), on a port the test owns.
    private final class BlackHole: Sendable {
        let port: Int
        private let listener: LoopbackSocket
        private let clients: [Int32]

        init() async throws {
            listener = try LoopbackSocket()
            port = listener.port
            guard listen(listener.descriptor, 0) == 0 else {
                listener.close()
                throw SetUpFailed()
            }
            // Connects until one is not answered: the queue is then full.
            var address = LoopbackSocket.address(port: port)
            var clients: [Int32] = []
            var full = false
            for _ in 0..<16 where !full {
                let client = socket(AF_INET, streamType, 0)
                _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL, 0) | O_NONBLOCK)
                clients.append(client)
                _ = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                full = try await !Self.connects(client, within: .milliseconds(500))
            }
            self.clients = clients
            guard full else {
                close()
                throw SetUpFailed()
            }
        }

        func close() {
            for fd in clients { closeDescriptor(fd) }
            listener.close()
        }

        /// Whether the non-blocking connect on `fd` completes (the socket turns writable) within
        /// `limit`: polled without waiting, a sleep between, so no thread of the cooperative pool
        /// is held for the wait.
        private static func connects(_ fd: Int32, within limit: Duration) async throws -> Bool {
            let deadline = ContinuousClock.now + limit
            while true {
                var polled = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&polled, 1, 0) != 0 { return true }
                if ContinuousClock.now >= deadline { return false }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }
#endif
