public import LetterboxNet
public import LetterboxSMTP
public import LetterboxStore

/// How a ``MailCatcher`` listens, what it accepts and where it keeps mail.
///
/// The defaults suit tests: every listener on an ephemeral port on 127.0.0.1, mail in memory,
/// nothing logged. ``standardPorts`` gives the ports the `letterbox` executable uses.
public struct Configuration: Sendable {
    /// Address every listener binds: a numeric IPv4/IPv6 address, `localhost`, or `0.0.0.0`.
    public var host: String = "127.0.0.1"
    /// SMTP port; 0 lets the system choose, nil disables the listener.
    public var smtpPort: Int? = 0
    /// POP3 port; 0 lets the system choose, nil disables the listener.
    public var pop3Port: Int? = 0
    /// IMAP port; 0 lets the system choose, nil disables the listener.
    public var imapPort: Int? = 0
    /// HTTP inspection port; 0 lets the system choose, nil disables the listener.
    public var httpPort: Int? = 0
    /// Host names the HTTP port answers to besides IP addresses, `localhost`, names without a dot
    /// (a docker-compose service), the SMTP hostname and ``host``: other `Host` fields get 403, so
    /// a DNS-rebinding web page cannot read mail. `.example.com` allows every name under it, `*` any.
    public var httpAllowedHosts: [String] = []
    /// SMTP limits and the name in its greeting.
    public var smtp = SMTPConfiguration()
    /// Who may log in over SMTP AUTH, POP3 and IMAP; anyone with any password by default. With a user
    /// list, login is strict for every protocol (sending mail never requires AUTH).
    public var credentials: Credentials = .anyone
    /// Open connections allowed per listener; more are told to come back later and closed.
    public var maxConnections = 1024
    /// How long each protocol waits for its peer: between commands (per protocol), before login,
    /// within a command line, and the minimum rate of transfers.
    public var timeouts = Timeouts()
    /// When set, replaces the silence allowed between commands of every protocol (SMTP, POP3,
    /// IMAP and HTTP keep-alive) in ``timeouts``; the login, command and transfer budgets stay.
    /// Nil by default: each protocol has its own (the executable's `--idle-timeout`).
    public var idleTimeout: Duration?
    /// How many `GET /messages/wait` requests may wait at once; more are answered 503 at once.
    /// Nil: half of ``maxConnections``, so waits never take the slots other requests need.
    public var maxLongPolls: Int?
    /// How long ``MailCatcher/shutdown()`` lets sessions finish before closing them.
    public var shutdownGracePeriod: Duration = .seconds(1)
    /// Where log lines go; silent by default when embedded.
    public var logger: Logger = .silent
    /// Log every protocol line in and out (the executable's `--verbose`).
    public var transcript = false
    /// The store to use (tests inside the package); when nil, one made from ``storage`` and
    /// ``retention``. Users choose a store through ``storage``: the store protocol carries the
    /// mailbox machinery of IMAP and is not API.
    package var store: (any MessageStore)?
    /// Where mail is kept when ``store`` is nil: in memory (the default) or in a Maildir.
    public var storage: Storage = .memory
    /// Limits on what is kept, oldest removed first; nil means the storage's default:
    /// ``RetentionPolicy/memoryDefault`` (50,000 messages or 1 GiB) in memory, no limit in a Maildir.
    public var retention: RetentionPolicy?
    /// SMTP fault rules in force from the start; more can be added while running through
    /// ``MailCatcher/faults`` or `POST /faults`.
    public var faults: [FaultRule] = []
    /// Added before every SMTP reply, to simulate a slow server; nil for none.
    public var latency: Duration?
    /// STARTTLS, implicit-TLS ports and the certificate; off by default (see ``TLSConfiguration``).
    public var tls = TLSConfiguration()
    /// An `http://` URL that receives one JSON POST per captured message (the object
    /// `GET /messages.json` lists), sent after SMTP has answered 250 and retried with back-off;
    /// nil (the default) for none. `https://` is refused: see ``MailCatcher/start(_:)``.
    public var webhookURL: String?

    public init() {}

    /// The executable's defaults: SMTP 1025, POP3 1110, IMAP 1143, HTTP 8025.
    public static var standardPorts: Configuration {
        var configuration = Configuration()
        configuration.smtpPort = 1025
        configuration.pop3Port = 1110
        configuration.imapPort = 1143
        configuration.httpPort = 8025
        return configuration
    }
}

extension Configuration {
    /// Where a catcher keeps mail: in memory for the life of the process, or in a Maildir that
    /// survives restarts and that any Maildir reader (Dovecot, mutt) can open.
    public struct Storage: Sendable, Hashable, CustomStringConvertible {
        /// The Maildir folder; nil for memory.
        public let maildirPath: String?
        /// Whether the Maildir syncs each message to stable storage before SMTP answers 250.
        public let maildirFsync: MaildirFsync

        private init(maildirPath: String?, maildirFsync: MaildirFsync) {
            self.maildirPath = maildirPath
            self.maildirFsync = maildirFsync
        }

        /// In memory (the default).
        public static let memory = Storage(maildirPath: nil, maildirFsync: .always)

        /// In the Maildir at `path`, created if missing; `fsync` says which failures acknowledged
        /// mail survives (see ``MaildirFsync``).
        public static func maildir(_ path: String, fsync: MaildirFsync = .always) -> Storage {
            Storage(maildirPath: path, maildirFsync: fsync)
        }

        public var description: String {
            guard let maildirPath else { return "memory" }
            return maildirFsync == .always ? "maildir \(maildirPath)" : "maildir \(maildirPath) (fsync \(maildirFsync))"
        }
    }

    /// The configured ``store``, or a new one made from ``storage`` and ``retention``.
    ///
    /// - Throws: ``StoreError`` when a Maildir cannot be created, read or written; the description
    ///   names the folder and the reason.
    func makeStore() async throws -> any MessageStore {
        if let store { return store }
        guard let path = storage.maildirPath else { return MemoryStore(retention: retention ?? .memoryDefault) }
        let logger = self.logger
        return try await MaildirStore.open(at: path, retention: retention ?? .unlimited, fsync: storage.maildirFsync) {
            notice in
            logger.log(notice.severity == .warning ? .warning : .info, notice.message)
        }
    }
}

/// Limits on what a store keeps (count, age, bytes), oldest removed first.
public typealias RetentionPolicy = LetterboxStore.RetentionPolicy
/// Whether a Maildir store syncs each message to stable storage before SMTP answers 250.
public typealias MaildirFsync = LetterboxStore.MaildirFsync
/// Why a store could not open or keep a message.
public typealias StoreError = LetterboxStore.StoreError
