import LetterboxHTTP
import LetterboxNet
import LetterboxSMTP
import LetterboxStore
import Synchronization

/// A running mail catcher: SMTP in, HTTP out, one shared store.
///
/// ```swift
/// let mail = try await MailCatcher.start()
/// try await sendWelcomeEmail(smtpPort: mail.ports.smtp)
/// let message = try await mail.waitForMessage(to: "ana@example.com")
/// await mail.shutdown()
/// ```
/// Safe to use from any task.
public final class MailCatcher: Sendable {
    /// The ports actually bound.
    public let ports: Ports
    /// The configuration it was started with.
    public let configuration: Configuration
    /// Where captured mail is kept.
    public let store: any MessageStore
    private let servers: [(name: String, server: TCPServer)]
    private let events: ProtocolEvents
    private let stopped = Mutex(false)

    private init(
        configuration: Configuration, store: any MessageStore, servers: [(String, TCPServer)], events: ProtocolEvents
    ) {
        self.configuration = configuration
        self.store = store
        self.servers = servers
        self.events = events
        func port(_ name: String) -> Int { servers.first { $0.0 == name }?.1.port ?? 0 }
        self.ports = Ports(smtp: port("smtp"), http: port("http"))
    }

    /// Binds every configured listener and starts serving; returns once all are listening.
    ///
    /// - Throws: ``NetError`` when a port cannot be bound (already in use, bad host); nothing is
    ///   left listening then.
    public static func start(_ configuration: Configuration = Configuration()) async throws -> MailCatcher {
        let group = try EventLoopGroup.shared.get()
        let store = configuration.store ?? MemoryStore()
        let events = ProtocolEvents(logger: configuration.logger, transcript: configuration.transcript)
        var smtpConfiguration = configuration.smtp
        smtpConfiguration.credentials = configuration.credentials

        var bound: [(String, TCPServer, [UInt8])] = []
        do {
            if let port = configuration.smtpPort {
                bound.append(("smtp", try server(configuration, port, group, SMTPServer.overCapacityReply), []))
            }
            if let port = configuration.httpPort {
                bound.append(("http", try server(configuration, port, group, HTTPServer.overCapacityReply), []))
            }
        } catch {
            for (_, server, _) in bound { await server.shutdown(gracePeriod: .zero) }
            throw error
        }
        let catcher = MailCatcher(
            configuration: configuration, store: store, servers: bound.map { ($0.0, $0.1) }, events: events)

        let smtp = SMTPServer(configuration: smtpConfiguration, store: store, events: events)
        let http = HTTPServer(store: store, events: events, metrics: { [weak catcher] in catcher?.metrics ?? HTTPMetrics(sessionsOpen: [:], protocolErrors: 0) })
        for (name, server) in catcher.servers {
            switch name {
            case "smtp": try server.start { await smtp.serve($0) }
            default: try server.start { await http.serve($0) }
            }
            configuration.logger.log(.info, "\(name) listening on \(server.host):\(server.port)")
        }
        return catcher
    }

    private static func server(
        _ configuration: Configuration, _ port: Int, _ group: EventLoopGroup, _ overCapacity: [UInt8]
    ) throws -> TCPServer {
        try TCPServer(
            host: configuration.host, port: port, group: group,
            options: .init(
                maxConnections: configuration.maxConnections, idleTimeout: configuration.idleTimeout,
                overCapacityReply: overCapacity))
    }

    /// Starts a catcher, runs `body`, and shuts the catcher down afterwards, even if `body` throws.
    public static func withRunning<Result>(
        _ configuration: Configuration = Configuration(), _ body: (MailCatcher) async throws -> Result
    ) async throws -> Result {
        let catcher = try await start(configuration)
        do {
            let result = try await body(catcher)
            await catcher.shutdown()
            return result
        } catch {
            await catcher.shutdown()
            throw error
        }
    }

    /// Every captured message, oldest first.
    public var messages: [Message] { store.messages() }

    /// The captured messages that match, oldest first. Text matches are case-insensitive substrings.
    public func messages(to: String? = nil, from: String? = nil, subject: String? = nil) -> [Message] {
        store.messages(matching: MessageFilter(to: to, from: from, subject: subject))
    }

    /// Returns the first message that matches, waiting up to `timeout` for it to arrive. Mail
    /// that arrived before the call counts, so there is no race between sending and waiting.
    ///
    /// - Parameters: `to` matches envelope recipients (Bcc included) and To/Cc; `from` the
    ///   envelope sender and From; `subject` the decoded subject. All case-insensitive substrings.
    /// - Throws: ``WaitTimeout`` describing what was awaited and what was there instead.
    public func waitForMessage(
        to: String? = nil, from: String? = nil, subject: String? = nil, timeout: Duration = .seconds(10)
    ) async throws -> Message {
        try await waitForMessage(matching: MessageFilter(to: to, from: from, subject: subject), timeout: timeout)
    }

    /// Returns the first message matching `filter`, waiting up to `timeout`.
    public func waitForMessage(matching filter: MessageFilter, timeout: Duration = .seconds(10)) async throws -> Message {
        if let message = await store.waitForMessage(matching: filter, timeout: timeout) { return message }
        throw WaitTimeout(filter: filter, timeout: timeout, seen: store.messages().map(\.summary))
    }

    /// Deletes every captured message; listeners keep running.
    public func reset() {
        store.removeAll()
    }

    /// Stops accepting, lets sessions finish within the grace period, then closes the rest.
    /// Safe to call more than once.
    public func shutdown() async {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        await withTaskGroup(of: Void.self) { group in
            for (_, server) in servers {
                group.addTask { await server.shutdown(gracePeriod: self.configuration.shutdownGracePeriod) }
            }
        }
        configuration.logger.log(.info, "shut down")
    }

    /// Open sessions per protocol and protocol errors so far.
    var metrics: HTTPMetrics {
        var open: [String: Int] = [:]
        for (name, server) in servers { open[name] = server.openConnections }
        return HTTPMetrics(sessionsOpen: open, protocolErrors: events.protocolErrors)
    }
}
