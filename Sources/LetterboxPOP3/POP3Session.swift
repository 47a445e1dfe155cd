import LetterboxNet
package import LetterboxStore
import LetterboxText

/// The POP3 conversation as a state machine (RFC 1939 §3: AUTHORIZATION, TRANSACTION, UPDATE).
/// A command line in, what to do out; no I/O.
///
/// The maildrop is a snapshot taken at login: message numbers and sizes stay fixed for the
/// session (RFC 1939 §4) even if mail arrives or is deleted elsewhere.
package struct POP3Session: Sendable {
    /// What the driver does next.
    package enum Action: Sendable {
        /// One status line (without CRLF).
        case reply(String)
        /// A status line, then these lines dot-stuffed, then the terminating `.`.
        case multiline(String, POP3Lines)
        /// Load the maildrop `MessageFilter.mailbox(login:)` selects, then call ``maildropOpened(_:)``.
        case openMaildrop(login: String)
        /// Send the status line and the message (or its headers and `bodyLines` lines) if it is
        /// still stored; otherwise answer `-ERR`.
        case retrieve(status: String, message: Message, number: Int, bodyLines: Int?)
        /// Enter UPDATE: remove these messages from the store, then send the reply and close.
        case commit(deleting: [UInt64], reply: String)
        /// Send the reply and close.
        case close(String)
        /// Send the reply, start TLS (RFC 2595 §4), then call ``tlsStarted()``.
        case startTLS(String)
        /// Wait, without holding a thread, then perform the action (a failed login's delay).
        indirect case delayed(Duration, Action)
    }

    private enum State: Sendable {
        case authorization(user: String?)
        case authenticating
        case transaction
    }

    package let configuration: POP3Configuration
    /// The APOP timestamp in the greeting (RFC 1939 §7).
    package let timestamp: String
    private var state = State.authorization(user: nil)
    private var login = ""
    private var maildrop: [Message] = []
    private var deleted: Set<Int> = []
    /// Octets of the whole maildrop, and of the messages marked deleted: STAT, LIST and RSET
    /// answer without adding up the maildrop again.
    private var octets = 0
    private var deletedOctets = 0
    private var uidValidity: UInt32 = 0
    private var failures = 0
    private static let maxFailures = 20
    private var loginFailures: LoginFailures
    /// Whether STLS is offered, and whether TLS is in use (implicit, or after STLS).
    private let canStartTLS: Bool
    private var secure: Bool

    package init(configuration: POP3Configuration, timestamp: String, canStartTLS: Bool = false, secure: Bool = false) {
        self.configuration = configuration
        self.timestamp = timestamp
        self.canStartTLS = canStartTLS
        self.secure = secure
        loginFailures = LoginFailures(policy: configuration.credentials.loginFailures)
    }

    /// TLS is up: forget anything the client said before (RFC 2595 §4), such as USER.
    package mutating func tlsStarted() {
        secure = true
        state = .authorization(user: nil)
    }

    package var greeting: String { "+OK Letterbox POP3 ready \(timestamp)" }

    /// The capabilities (RFC 2449 §6); STLS until TLS is in use (RFC 2595 §4).
    private var capabilities: [String] {
        (canStartTLS && !secure ? ["STLS"] : []) + [
            "TOP", "UIDL", "USER", "SASL PLAIN", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER",
            "IMPLEMENTATION Letterbox",
        ]
    }

    /// Handles one line: a command, or a SASL response during AUTH.
    package mutating func receive(_ line: [UInt8]) -> Action {
        if case .authenticating = state { return finishPlain(String(decoding: line, as: UTF8.self)) }
        switch POP3Command.parse(line) {
        case .failure(let invalid): return fail(invalid.reason)
        case .success(let command): return handle(command)
        }
    }

    /// The answer to a line over the length limit.
    package mutating func lineTooLong() -> Action {
        if case .authenticating = state { state = .authorization(user: nil) }
        return fail("line too long")
    }

    private mutating func fail(_ reason: String) -> Action {
        failures += 1
        if failures >= Self.maxFailures { return .close("-ERR too many errors, closing connection") }
        return .reply("-ERR \(reason)")
    }

    private mutating func handle(_ command: POP3Command) -> Action {
        switch (command, state) {
        case (.capa, _):
            return .multiline("+OK Capability list follows", POP3Lines(capabilities))
        case (.noop, .transaction):
            return .reply("+OK")
        case (.quit, .transaction):
            let ids = deleted.sorted().map { maildrop[$0].id }
            return .commit(deleting: ids, reply: "+OK Letterbox POP3 signing off (\(ids.count) messages deleted)")
        case (.quit, _):
            return .close("+OK Letterbox POP3 signing off")
        case (.stls, .authorization):
            guard !secure else { return fail("TLS already active") }
            guard canStartTLS else { return fail("STLS not available") }
            return .startTLS("+OK Begin TLS negotiation")
        case (.stls, _):
            return fail("STLS is only valid before login")
        case (_, .authorization(let user)):
            return authorize(command, user: user)
        case (_, .transaction):
            return transact(command)
        case (_, .authenticating):
            return fail("command not valid during AUTH")
        }
    }

    // MARK: AUTHORIZATION

    private mutating func authorize(_ command: POP3Command, user: String?) -> Action {
        if configuration.requireTLS && !secure { return fail("TLS required: send STLS first") }
        switch command {
        case .user(let name):
            state = .authorization(user: name)
            return .reply("+OK send PASS")
        case .pass(let password):
            guard let user else { return fail("send USER first") }
            return logIn(user, password: password)
        case .apop(let user, _):
            // The digest can only be checked against a known password, and every password is
            // accepted unless a user list is configured; then APOP is refused (use USER/PASS or AUTH).
            guard configuration.credentials.users == nil else {
                state = .authorization(user: nil)
                return .reply(
                    "-ERR [AUTH] APOP is not available when users are configured; use USER/PASS or AUTH PLAIN")
            }
            return logIn(user, password: nil)
        case .auth(nil, _):
            return .multiline("+OK SASL mechanisms follow", POP3Lines(["PLAIN"]))
        case .auth("PLAIN", let initial?):
            return finishPlain(initial)
        case .auth("PLAIN", nil):
            state = .authenticating
            return .reply("+ ")
        case .auth(let mechanism?, _):
            return fail("unsupported SASL mechanism \(PeerText.quoted(mechanism))")
        default:
            return fail("command not valid before login (AUTHORIZATION state)")
        }
    }

    private mutating func finishPlain(_ response: String) -> Action {
        state = .authorization(user: nil)
        if response.trimmingWhitespace() == "*" { return fail("AUTH cancelled") }
        switch SASLPlain.decode(response) {
        case .failure(.authorization): return loginFailed()
        case .failure(let failure): return fail(failure.description)
        case .success(let plain): return logIn(plain.user, password: plain.password)
        }
    }

    private mutating func logIn(_ user: String, password: String?) -> Action {
        if let password, !configuration.credentials.accepts(user: user, password: password) {
            return loginFailed()
        }
        login = user
        return .openMaildrop(login: user)
    }

    /// A failed login, answered after the policy's delay; the last one allowed closes the
    /// connection after its `-ERR [AUTH]` (RFC 2449 §8.1.1).
    private mutating func loginFailed() -> Action {
        state = .authorization(user: nil)
        let verdict = loginFailures.record()
        let reason = "-ERR [AUTH] invalid user name or password"
        let answer: Action =
            verdict.closesSession ? .close(reason + "; too many failed logins, closing connection") : .reply(reason)
        return verdict.delay > .zero ? .delayed(verdict.delay, answer) : answer
    }

    /// Enters TRANSACTION with the messages the login may see, numbered from 1 in arrival order.
    package mutating func maildropOpened(_ messages: [Message], uidValidity: UInt32) -> Action {
        maildropOpened(messages, octets: Self.octets(of: messages), uidValidity: uidValidity)
    }

    /// ``maildropOpened(_:uidValidity:)`` with the messages' sizes added up by the caller
    /// (``octets(of:)``), off the event loop: a size not known yet is counted from the message's
    /// bytes (read from its file on a disk store).
    package mutating func maildropOpened(_ messages: [Message], octets: Int, uidValidity: UInt32) -> Action {
        maildrop = messages
        self.uidValidity = uidValidity
        deleted = []
        deletedOctets = 0
        state = .transaction
        self.octets = octets
        return .reply("+OK \(PeerText.quoted(login)) has \(messages.count) messages (\(octets) octets)")
    }

    // MARK: TRANSACTION

    private mutating func transact(_ command: POP3Command) -> Action {
        switch command {
        case .stat:
            let (count, octets) = totals
            return .reply("+OK \(count) \(octets)")
        case .list(nil):
            let (count, octets) = totals
            return .multiline(
                "+OK \(count) messages (\(octets) octets)", POP3Lines(sizesOf: maildrop, deleted: deleted))
        case .list(let number?):
            guard let index = index(of: number) else { return noSuchMessage(number) }
            return .reply("+OK \(number) \(size(of: index))")
        case .uidl(nil):
            return .multiline(
                "+OK unique-id listing follows",
                POP3Lines(uniqueIDsOf: maildrop, deleted: deleted, uidValidity: uidValidity))
        case .uidl(let number?):
            guard let index = index(of: number) else { return noSuchMessage(number) }
            return .reply("+OK \(number) \(uid(of: index))")
        case .retr(let number):
            guard let index = index(of: number) else { return noSuchMessage(number) }
            return .retrieve(
                status: "+OK \(size(of: index)) octets", message: maildrop[index], number: number, bodyLines: nil)
        case .top(let number, let lines):
            guard let index = index(of: number) else { return noSuchMessage(number) }
            return .retrieve(
                status: "+OK top of message follows", message: maildrop[index], number: number, bodyLines: lines)
        case .dele(let number):
            guard let index = index(of: number) else { return noSuchMessage(number) }
            deleted.insert(index)
            deletedOctets += size(of: index)
            return .reply("+OK message \(number) deleted")
        case .rset:
            deleted = []
            deletedOctets = 0
            let (count, octets) = totals
            return .reply("+OK maildrop has \(count) messages (\(octets) octets)")
        default:
            return fail("command not valid after login (TRANSACTION state)")
        }
    }

    /// The index of a message number that exists and is not marked deleted (RFC 1939 §5).
    private func index(of number: Int) -> Int? {
        guard number >= 1, number <= maildrop.count, !deleted.contains(number - 1) else { return nil }
        return number - 1
    }

    private mutating func noSuchMessage(_ number: Int) -> Action {
        guard number >= 1, number <= maildrop.count else {
            return fail("no such message \(number), only \(maildrop.count) messages in maildrop")
        }
        return fail("message \(number) already deleted")
    }

    /// Octets of `messages` in CRLF form, as STAT counts them; each size is then cached on its message.
    package static func octets(of messages: [Message]) -> Int { messages.reduce(0) { $0 + $1.canonicalSize } }

    /// Octets of the message in CRLF form; cached on the message, so fixed for the session.
    private func size(of index: Int) -> Int { maildrop[index].canonicalSize }

    private var totals: (count: Int, octets: Int) { (maildrop.count - deleted.count, octets - deletedOctets) }

    /// Unique and stable across sessions and restarts of a disk store: UIDVALIDITY and id (RFC 1939 §7).
    private func uid(of index: Int) -> String { POP3Lines.uniqueID(of: maildrop[index], uidValidity: uidValidity) }
}
