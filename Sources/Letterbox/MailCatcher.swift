public import LetterboxFaults
import LetterboxHTTP
import LetterboxIMAP
import LetterboxNet
import LetterboxPOP3
import LetterboxSMTP
public import LetterboxStore
import LetterboxTLS
import Synchronization

/// A running mail catcher: SMTP in; POP3, IMAP and HTTP out; one shared store.
///
/// ```swift
/// let mail = try await MailCatcher.start()
/// try await sendWelcomeEmail(smtpPort: mail.ports.smtp)
/// let message = try await mail.waitForMessage(to: "ana@example.com")
/// await mail.shutdown()
/// ```
/// Its waits (``MailInbox/waitForMessage(to:from:subject:containing:timeout:where:)`` and the
/// others) are those of every ``MailInbox``. Safe to use from any task.
public final class MailCatcher: MailInbox {
    /// The ports actually bound.
    public let ports: Ports
    /// The configuration it was started with.
    public let configuration: Configuration
    /// Where captured mail is kept (read it through ``messages`` and the waits).
    package let store: any MessageStore
    /// The SMTP fault rules in force: add, list and remove them while sessions run. Shared with
    /// the HTTP `/faults` endpoint.
    public let faults: FaultInjector
    /// The certificate the mail ports present over TLS, as PEM (also served at
    /// `GET /tls/certificate.pem`): trust it in a client to verify the connection. Nil when TLS is
    /// off (``TLSConfiguration/isEnabled``).
    public let tlsCertificatePEM: String?
    private let servers: [(name: String, server: TCPServer)]
    private let webhook: WebhookNotifier?
    /// `GET /events`' source, which watches the store for a while after its last stream: closed at shutdown.
    private let eventHub: EventHub
    private let stopped = Mutex(false)

    private init(
        configuration: Configuration, store: any MessageStore, faults: FaultInjector, servers: [(String, TCPServer)],
        tlsCertificatePEM: String?, webhook: WebhookNotifier?, eventHub: EventHub
    ) {
        self.webhook = webhook
        self.eventHub = eventHub
        self.configuration = configuration
        self.store = store
        self.faults = faults
        self.servers = servers
        self.tlsCertificatePEM = tlsCertificatePEM
        func port(_ name: String) -> Int { servers.first { $0.0 == name }?.1.port ?? 0 }
        self.ports = Ports(
            smtp: port("smtp"), pop3: port("pop3"), imap: port("imap"), http: port("http"), smtps: port("smtps"),
            pop3s: port("pop3s"), imaps: port("imaps"))
    }

    /// Binds every configured listener and starts serving; returns once all are listening.
    ///
    /// - Throws: ``TLSSetupError`` when configured certificate files cannot be used, or when TLS
    ///   is on (``TLSConfiguration/isEnabled``) but OpenSSL 3 is missing.
    ///   ``NetError`` when a port cannot be bound (already in use, bad host); nothing is
    ///   left listening then. ``StoreError`` when the Maildir of ``Configuration/storage`` cannot be
    ///   used (the message names the folder and the reason), before anything listens.
    ///   ``WebhookSetupError`` when ``Configuration/webhookURL`` is not an `http://` URL.
    public static func start(_ configuration: Configuration = Configuration()) async throws -> MailCatcher {
        let webhookURL: WebhookURL?
        do {
            webhookURL = try configuration.webhookURL.map { url throws(WebhookURLError) in try WebhookURL(parsing: url)
            }
        } catch { throw WebhookSetupError(description: error.description) }
        let group = try EventLoopGroup.shared.get()
        let store = try await configuration.makeStore()
        let events = ProtocolEvents(logger: configuration.logger, transcript: configuration.transcript)
        let faults = FaultInjector(rules: configuration.faults, latency: configuration.latency)
        let tls = try configuration.tls.makeContext()
        var smtpConfiguration = configuration.smtp
        smtpConfiguration.credentials = configuration.credentials
        smtpConfiguration.faults = faults
        smtpConfiguration.requireTLS = configuration.tls.requireTLS
        let smtp = SMTPServer(configuration: smtpConfiguration, store: store, events: events, tls: tls)
        var pop3Configuration = POP3Configuration(
            hostname: configuration.smtp.hostname, credentials: configuration.credentials)
        pop3Configuration.requireTLS = configuration.tls.requireTLS
        let pop3 = POP3Server(configuration: pop3Configuration, store: store, events: events, tls: tls)
        var imapConfiguration = IMAPConfiguration(
            credentials: configuration.credentials, maxLiteralSize: configuration.smtp.maxMessageSize)
        imapConfiguration.requireTLS = configuration.tls.requireTLS
        let imap = IMAPServer(configuration: imapConfiguration, store: store, events: events, tls: tls)
        let bound = BoundServers()
        let http = HTTPServer(
            store: store, events: events,
            metrics: { bound.metrics(protocolErrors: events.protocolErrors, faults: faults) }, faults: faults,
            certificatePEM: tls?.certificatePEM,
            browserPolicy: HTTPBrowserPolicy(
                allowedHosts: configuration.httpAllowedHosts + [configuration.smtp.hostname, configuration.host]),
            maxLongPolls: configuration.maxLongPolls ?? max(1, configuration.maxConnections / 2))
        /// Implicit TLS (RFC 8314): the handshake comes first, then the protocol as usual.
        func overTLS(_ serve: @escaping @Sendable (Connection) async -> Void) -> @Sendable (Connection) async -> Void {
            { connection in
                guard let tls else { return }
                do {
                    try await connection.startTLS(tls)
                } catch {
                    configuration.logger.log(.debug, "TLS handshake with \(connection.peer) failed: \(error)")
                    return
                }
                await serve(connection)
            }
        }

        let timeouts = configuration.timeouts
        /// The budgets of one protocol's connections: its own idle timeout (unless overridden),
        /// the login phase for the mail protocols, the shared command and transfer budgets.
        func budgets(idle: Duration, login: Bool) -> ConnectionTimeouts {
            ConnectionTimeouts(
                idle: configuration.idleTimeout ?? idle, line: timeouts.command, transferGrace: timeouts.transferGrace,
                minimumRate: timeouts.minimumTransferRate > 0 ? timeouts.minimumTransferRate : nil,
                login: login ? timeouts.login : nil)
        }
        let smtpBudgets = budgets(idle: timeouts.smtp, login: true)
        let pop3Budgets = budgets(idle: timeouts.pop3, login: true)
        let imapBudgets = budgets(idle: timeouts.imap, login: true)
        let listeners:
            [(
                name: String, port: Int?, timeouts: ConnectionTimeouts, overCapacity: [UInt8],
                serve: @Sendable (Connection) async -> Void
            )] = [
                ("smtp", configuration.smtpPort, smtpBudgets, SMTPServer.overCapacityReply, { await smtp.serve($0) }),
                ("pop3", configuration.pop3Port, pop3Budgets, POP3Server.overCapacityReply, { await pop3.serve($0) }),
                ("imap", configuration.imapPort, imapBudgets, IMAPServer.overCapacityReply, { await imap.serve($0) }),
                (
                    "http", configuration.httpPort, budgets(idle: timeouts.httpKeepAlive, login: false),
                    HTTPServer.overCapacityReply, { await http.serve($0) }
                ),
                // Implicit-TLS ports are only configured when there is a context (makeContext throws otherwise).
                ("smtps", configuration.tls.smtpsPort, smtpBudgets, [], overTLS { await smtp.serve($0) }),
                ("pop3s", configuration.tls.pop3sPort, pop3Budgets, [], overTLS { await pop3.serve($0) }),
                ("imaps", configuration.tls.imapsPort, imapBudgets, [], overTLS { await imap.serve($0) }),
            ]
        // Observes the store before SMTP listens, so every captured message is posted.
        let webhook = webhookURL.map { WebhookNotifier(url: $0, store: store, logger: configuration.logger) }
        do {
            for listener in listeners {
                guard let port = listener.port else { continue }
                let server = try TCPServer(
                    host: configuration.host, port: port, group: group,
                    options: .init(
                        maxConnections: configuration.maxConnections, timeouts: listener.timeouts,
                        overCapacityReply: listener.overCapacity))
                bound.append(listener.name, server)
                try server.start(listener.serve)
                configuration.logger.log(.info, "\(listener.name) listening on \(server.host):\(server.port)")
            }
        } catch {
            for (_, server) in bound.all { await server.shutdown(gracePeriod: .zero) }
            webhook?.stop()
            http.eventHub.close()
            throw error
        }
        if let webhookURL { configuration.logger.log(.info, "posting every captured message to \(webhookURL)") }
        return MailCatcher(
            configuration: configuration, store: store, faults: faults, servers: bound.all,
            tlsCertificatePEM: tls?.certificatePEM, webhook: webhook, eventHub: http.eventHub)
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

    /// Every message captured over SMTP, oldest first, whichever IMAP mailbox it is in now.
    public var messages: [Message] { store.messages(matching: MessageFilter()) }

    /// The captured messages `filter` selects, oldest first.
    public func messages(matching filter: MessageFilter) -> [Message] { store.messages(matching: filter) }

    /// The captured messages that match, oldest first. Text matches are case-insensitive substrings.
    public func messages(to: String? = nil, from: String? = nil, subject: String? = nil, containing text: String? = nil)
        -> [Message]
    {
        messages(matching: MessageFilter(to: to, from: from, subject: subject, contains: text))
    }

    /// Returns the messages `wait` awaits, oldest first, once they are all there. Woken by
    /// arrivals, never by polling; cancelling the task ends the wait.
    ///
    /// - Throws: ``WaitTimeout`` when fewer arrived within its timeout (or the task was cancelled).
    public func waitForMessages(_ wait: MessageWait) async throws -> [Message] {
        let found = await store.waitForMessages(wait)
        guard found.count < wait.count else { return found }
        throw WaitTimeout(wait, found: found, stored: messages)
    }

    /// Deletes the captured messages `filter` selects; returns how many.
    @discardableResult
    public func deleteMessages(matching filter: MessageFilter) -> Int {
        store.remove(ids: messages(matching: filter).map(\.id))
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
        webhook?.stop()
        await withTaskGroup(of: Void.self) { group in
            for (_, server) in servers {
                group.addTask { await server.shutdown(gracePeriod: self.configuration.shutdownGracePeriod) }
            }
        }
        eventHub.close()
        configuration.logger.log(.info, "shut down")
    }
}

/// Why ``Configuration/webhookURL`` cannot be used (not `http://`, no host, a bad port).
public struct WebhookSetupError: Error, CustomStringConvertible {
    public let description: String
}

/// The servers a catcher has bound so far, readable by the metrics endpoint while they start.
private final class BoundServers: Sendable {
    private let servers = Mutex<[(name: String, server: TCPServer)]>([])

    func append(_ name: String, _ server: TCPServer) { servers.withLock { $0.append((name, server)) } }

    var all: [(String, TCPServer)] { servers.withLock { $0.map { ($0.name, $0.server) } } }

    /// Open sessions per protocol, the protocol errors and the faults injected so far.
    func metrics(protocolErrors: Int, faults: FaultInjector) -> HTTPMetrics {
        var open: [String: Int] = [:]
        for (name, server) in all { open[name] = server.openConnections }
        let injected = Dictionary(uniqueKeysWithValues: faults.injectedByStage.map { ($0.key.rawValue, $0.value) })
        return HTTPMetrics(sessionsOpen: open, protocolErrors: protocolErrors, faultsInjected: injected)
    }
}
