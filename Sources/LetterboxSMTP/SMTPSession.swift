import LetterboxNet
package import LetterboxStore
import LetterboxText

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The SMTP conversation as a state machine: a command line in, what to do out. No I/O.
///
/// The driver reads lines and message data and performs the actions; this type decides every
/// reply, so it can be tested from transcripts without sockets.
package struct SMTPSession: Sendable {
    /// What the driver does next.
    package enum Action: Sendable, Equatable {
        case reply(SMTPReply)
        /// Reply `354`, read dot-stuffed data up to the limit, then call ``dataReceived(_:)``.
        case receiveData(SMTPReply)
        /// Read exactly `size` octets, then call ``chunkReceived(_:last:)``.
        case receiveChunk(size: Int, last: Bool)
        /// Send the reply and close the connection.
        case close(SMTPReply)
        /// Close the connection at once without a reply (an injected fault).
        case drop
        /// Wait, without holding a thread, then perform the action (an injected fault or latency).
        indirect case delayed(Duration, Action)
        /// Send the reply, start TLS (RFC 3207), then call ``tlsStarted(_:)``.
        case startTLS(SMTPReply)
    }

    /// The result of reading a DATA body.
    package enum DataOutcome: Sendable, Equatable {
        case complete([UInt8])
        /// More than the size limit arrived; it was read and discarded.
        case tooLarge
    }

    /// What to do once a message body is complete.
    package enum Completion: Sendable, Equatable {
        /// Store the message, then reply with ``delivered(id:)`` or ``deliveryFailed(_:)``.
        case deliver(raw: [UInt8], envelope: Envelope)
        case reply(SMTPReply)
        /// Close the connection at once, storing nothing (an injected fault).
        case drop
        /// Wait, without holding a thread, then complete.
        indirect case delayed(Duration, Completion)
    }

    private enum AuthStep: Sendable {
        case plain
        case loginUser
        case loginPassword(user: String)
        case cramMD5(challenge: String)
    }

    private enum BodyType { case sevenBit, eightBit, binary }

    package let configuration: SMTPConfiguration
    private let peer: String
    private var helo: String?
    private var extended = false
    private var sender: String?
    private var recipients: [String] = []
    private var bodyType = BodyType.sevenBit
    private var authenticatedAs: String?
    private var authStep: AuthStep?
    /// BDAT chunks so far; nil when no BDAT has been seen in this transaction.
    private var chunks: [UInt8]?
    /// The message size MAIL FROM declared (RFC 1870 `SIZE=`), if it did.
    private var declaredSize: Int?
    /// Errors so far; 20 close the session, as Postfix's `smtpd_hard_error_limit`.
    private var failures = 0
    private static let maxFailures = 20
    /// Commands that start nothing (HELO/EHLO, NOOP, RSET, VRFY, EXPN, HELP, empty BDAT chunks)
    /// since the last message; past ``maxJunkCommands`` each also counts as an error, as with
    /// Postfix's `smtpd_junk_command_limit`, so a client cannot hold a session open with them forever.
    private var junkCommands = 0
    private static let maxJunkCommands = 100
    private var loginFailures: LoginFailures
    /// Whether STARTTLS is offered; `tls` is the session in use (implicit TLS, or after STARTTLS).
    private let canStartTLS: Bool
    private var tls: Envelope.TLS?

    package init(configuration: SMTPConfiguration, peer: String, canStartTLS: Bool = false, tls: Envelope.TLS? = nil) {
        self.configuration = configuration
        self.peer = peer
        self.canStartTLS = canStartTLS
        self.tls = tls
        loginFailures = LoginFailures(policy: configuration.credentials.loginFailures)
    }

    /// TLS is up: the client starts over with EHLO and AUTH (RFC 3207 §4.2 — nothing learnt
    /// before the handshake may be trusted).
    package mutating func tlsStarted(_ tls: Envelope.TLS) {
        self.tls = tls
        helo = nil
        extended = false
        authenticatedAs = nil
        authStep = nil
        resetTransaction()
    }

    /// With `requireTLS`, AUTH and MAIL wait for STARTTLS (RFC 3207 §4: 530).
    private var tlsMissing: SMTPReply? {
        configuration.requireTLS && tls == nil ? SMTPReply(530, "5.7.0", "Must issue a STARTTLS command first") : nil
    }

    /// The `220` greeting (RFC 5321 §4.3.1).
    package var greeting: SMTPReply { SMTPReply(220, nil, "\(configuration.hostname) ESMTP Letterbox") }

    /// Whether the session is between transactions, where a shutdown may interrupt it (the next
    /// command would start nothing that could be lost).
    package var isIdle: Bool { sender == nil && authStep == nil }

    /// Whether the client has greeted (HELO/EHLO): SMTP's end of the login phase, since a
    /// mail catcher never requires AUTH (see ``LetterboxNet/ConnectionTimeouts/login``).
    package var hasGreeted: Bool { helo != nil }

    /// Handles one line (without CRLF): a command, or a SASL response during AUTH.
    package mutating func receive(_ line: [UInt8]) -> Action {
        if let step = authStep { return continueAuth(step, response: line) }
        switch SMTPCommand.parse(line) {
        case .failure(let reply): return fail(reply)
        case .success(let command): return handleWithFaults(command)
        }
    }

    /// The reply to a line that exceeded the limit (the session continues).
    package mutating func lineTooLong() -> Action {
        if authStep != nil {
            authStep = nil
            return fail(SMTPReply(500, "5.5.6", "Authentication exchange line is too long"))
        }
        return fail(.lineTooLong)
    }

    private mutating func fail(_ reply: SMTPReply) -> Action {
        countError() ? .close(.tooManyErrors) : .reply(reply)
    }

    /// Counts one error; true once the session has had too many.
    private mutating func countError() -> Bool {
        failures += 1
        return failures >= Self.maxFailures
    }

    /// The reply to a command that starts nothing: counted as an error once there were too many.
    private mutating func junk(_ reply: SMTPReply) -> Action {
        junkCommands += 1
        return junkCommands > Self.maxJunkCommands ? fail(reply) : .reply(reply)
    }

    mutating func handle(_ command: SMTPCommand) -> Action {
        let action = perform(command)
        switch command {
        case .helo, .ehlo, .rset, .noop, .vrfy, .expn, .help:
            guard case .reply(let reply) = action else { return action }
            return junk(reply)
        default:
            return action
        }
    }

    private mutating func perform(_ command: SMTPCommand) -> Action {
        switch command {
        case .helo(let name):
            helo = name
            extended = false
            resetTransaction()
            return .reply(SMTPReply(250, nil, "\(configuration.hostname)"))
        case .ehlo(let name):
            helo = name
            extended = true
            resetTransaction()
            return .reply(ehloReply(name))
        case .mail(let from, let parameters): return mail(from: from, parameters: parameters)
        case .rcpt(let to, _): return rcpt(to: to)
        case .data:
            guard sender != nil else { return fail(.badSequenceNeedMail) }
            guard !recipients.isEmpty else { return fail(.badSequenceNeedRcpt) }
            guard chunks == nil else {
                return fail(SMTPReply(503, "5.5.1", "Error: DATA after BDAT in one transaction"))
            }
            guard bodyType != .binary else {
                return fail(SMTPReply(503, "5.5.1", "Error: BODY=BINARYMIME requires BDAT (RFC 3030 §3)"))
            }
            return .receiveData(SMTPReply(354, nil, "End data with <CR><LF>.<CR><LF>"))
        case .bdat(let size, let last):
            if size == 0 && !last {
                // An empty chunk moves nothing forward: endless ones are junk.
                junkCommands += 1
                if junkCommands > Self.maxJunkCommands, countError() { return .close(.tooManyErrors) }
            }
            return .receiveChunk(size: size, last: last)
        case .rset:
            resetTransaction()
            return .reply(.ok)
        case .noop: return .reply(.ok)
        case .quit: return .close(SMTPReply(221, "2.0.0", "Bye"))
        case .vrfy:
            return .reply(SMTPReply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"))
        case .expn: return .reply(SMTPReply(502, "5.5.1", "EXPN not supported"))
        case .help:
            return .reply(
                SMTPReply(
                    214, "2.0.0",
                    "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP AUTH",
                    "Letterbox accepts every message and relays nothing"))
        case .starttls:
            guard tls == nil else { return fail(SMTPReply(503, "5.5.1", "Error: TLS already active")) }
            guard canStartTLS else { return .reply(SMTPReply(454, "4.7.0", "TLS not available")) }
            return .startTLS(SMTPReply(220, "2.0.0", "Ready to start TLS"))
        case .auth(let mechanism, let initial): return auth(mechanism: mechanism, initialResponse: initial)
        }
    }

    private func ehloReply(_ name: String) -> SMTPReply {
        let mechanisms = configuration.credentials.users == nil ? "PLAIN LOGIN CRAM-MD5" : "PLAIN LOGIN"
        return SMTPReply(
            250, nil,
            lines: [
                "\(configuration.hostname) greets \(PeerText.quoted(name))",
                "PIPELINING",
                "SIZE \(configuration.maxMessageSize)",
                "8BITMIME",
                "SMTPUTF8",
                "ENHANCEDSTATUSCODES",
                canStartTLS && tls == nil ? "STARTTLS" : nil,
                "CHUNKING",
                "BINARYMIME",
                tlsMissing == nil ? "AUTH \(mechanisms)" : nil,
                "HELP",
            ].compactMap { $0 })
    }

    private mutating func mail(from: String, parameters: [String: String]) -> Action {
        guard helo != nil else { return fail(.badSequenceNeedHelo) }
        if let tlsMissing { return fail(tlsMissing) }
        guard sender == nil else { return fail(SMTPReply(503, "5.5.1", "Error: nested MAIL command")) }
        var declared: Int?
        if let text = parameters["SIZE"] {
            // RFC 1870 §4: size-value = 1*20DIGIT; one beyond Int.max is certainly too large.
            guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                return fail(SMTPReply(501, "5.5.4", "Syntax: SIZE=<octets> (RFC 1870)"))
            }
            let size = Int(text) ?? Int.max
            if size > configuration.maxMessageSize {
                return .reply(
                    SMTPReply(
                        552, "5.3.4", "Message size exceeds fixed limit of \(configuration.maxMessageSize) octets"))
            }
            declared = size
        }
        switch parameters["BODY"]?.uppercased() {
        case nil, "7BIT": bodyType = .sevenBit
        case "8BITMIME": bodyType = .eightBit
        case "BINARYMIME": bodyType = .binary
        case let other?: return fail(SMTPReply(501, "5.5.4", "Unsupported BODY type \(PeerText.quoted(other))"))
        }
        sender = from
        declaredSize = declared
        return .reply(SMTPReply(250, "2.1.0", "Sender <\(PeerText.quoted(from, limit: 256))> ok"))
    }

    private mutating func rcpt(to: String) -> Action {
        guard sender != nil else { return fail(.badSequenceNeedMail) }
        guard recipients.count < configuration.maxRecipients else {
            // RFC 5321 §4.5.3.1.10: 452 for too many recipients; the client sends the rest later.
            return .reply(SMTPReply(452, "4.5.3", "Too many recipients (limit \(configuration.maxRecipients))"))
        }
        recipients.append(to)
        return .reply(SMTPReply(250, "2.1.5", "Recipient <\(PeerText.quoted(to, limit: 256))> ok"))
    }

    /// Ends a DATA body: the message to store, or the reply to a failure. The transaction ends either way.
    package mutating func dataReceived(_ outcome: DataOutcome) -> Completion {
        defer { resetTransaction() }
        junkCommands = 0
        switch outcome {
        case .tooLarge:
            return .reply(
                SMTPReply(552, "5.3.4", "Message size exceeds fixed limit of \(configuration.maxMessageSize) octets"))
        case .complete(let raw):
            return faulted(.deliver(raw: raw, envelope: envelope()))
        }
    }

    /// Handles one BDAT chunk that the driver read (RFC 3030 §2). Chunks that cannot be used were
    /// still read, so the connection stays in step.
    package mutating func chunkReceived(_ bytes: [UInt8]?, last: Bool) -> Completion {
        guard sender != nil else {
            failures += 1
            return .reply(.badSequenceNeedMail)
        }
        guard !recipients.isEmpty else {
            failures += 1
            return .reply(.badSequenceNeedRcpt)
        }
        // Taken out, not copied: appending to a copy while `chunks` still shared the storage
        // copied every chunk received so far, once per chunk.
        var received = chunks.take() ?? []
        guard let bytes, received.count + bytes.count <= configuration.maxMessageSize else {
            resetTransaction()
            return .reply(
                SMTPReply(552, "5.3.4", "Message size exceeds fixed limit of \(configuration.maxMessageSize) octets"))
        }
        if received.isEmpty, last || (declaredSize ?? 0) <= bytes.count {
            received = bytes
        } else {
            // Room in proportion to what arrived, up to the size MAIL FROM declared: not all of it
            // at once, since a client may declare much and send little.
            let expected = min(declaredSize ?? configuration.maxMessageSize, configuration.maxMessageSize)
            received.reserveForArrival(of: bytes.count, expected: expected)
            received.append(contentsOf: bytes)
        }
        guard last else {
            chunks = received
            return .reply(SMTPReply(250, "2.0.0", "\(bytes.count) octets received"))
        }
        junkCommands = 0
        let completion = faulted(.deliver(raw: received, envelope: envelope()))
        resetTransaction()
        return completion
    }

    /// The message size the client declared in MAIL FROM (RFC 1870 `SIZE=`), to reserve room for
    /// the message before it arrives; nil when it declared none.
    package var declaredMessageSize: Int? { declaredSize }

    /// How many more octets a BDAT chunk may add before the transaction exceeds the size limit.
    package var remainingMessageCapacity: Int { configuration.maxMessageSize - (chunks?.count ?? 0) }

    /// The `250` that confirms a stored message.
    package func delivered(id: UInt64) -> SMTPReply {
        SMTPReply(250, "2.0.0", "Ok: queued as \(id)")
    }

    /// The reply when the store could not keep the message (RFC 5321 §4.2.2): 452 4.3.1 when the
    /// disk is full (RFC 3463 §3.4: mail system full), else 451 local error; the store's reason
    /// without any server path.
    package func deliveryFailed(_ error: any Error) -> SMTPReply {
        guard let error = error as? StoreError else { return SMTPReply(451, "4.3.0", "Error: message not stored") }
        if error.isOutOfSpace { return SMTPReply(452, "4.3.1", "Insufficient system storage: message not stored") }
        return SMTPReply(451, "4.3.0", "Error: message not stored: \(error.reason)")
    }

    private func envelope() -> Envelope {
        Envelope(
            sender: sender ?? "", recipients: recipients, helo: helo ?? "", authenticatedAs: authenticatedAs,
            peer: peer, receivedAt: Date(), tls: tls)
    }

    private mutating func resetTransaction() {
        sender = nil
        recipients = []
        bodyType = .sevenBit
        chunks = nil
        declaredSize = nil
    }

    // MARK: AUTH (RFC 4954)

    private mutating func auth(mechanism: String, initialResponse: String?) -> Action {
        guard helo != nil else { return fail(.badSequenceNeedHelo) }
        if let tlsMissing { return fail(tlsMissing) }
        guard authenticatedAs == nil else { return fail(SMTPReply(503, "5.5.1", "Error: already authenticated")) }
        guard sender == nil else {
            return fail(SMTPReply(503, "5.5.1", "Error: AUTH not allowed during a mail transaction"))
        }
        switch mechanism {
        case "PLAIN":
            guard let initialResponse else {
                authStep = .plain
                return .reply(SMTPReply(334, nil, ""))
            }
            return continueAuth(.plain, response: Array(initialResponse.utf8))
        case "LOGIN":
            guard let initialResponse else {
                authStep = .loginUser
                return .reply(SMTPReply(334, nil, "VXNlcm5hbWU6"))
            }
            return continueAuth(.loginUser, response: Array(initialResponse.utf8))
        case "CRAM-MD5" where configuration.credentials.users == nil:
            let challenge =
                "<\(UInt32.random(in: 1...UInt32.max)).\(Int(Date().timeIntervalSince1970))@\(configuration.hostname)>"
            authStep = .cramMD5(challenge: challenge)
            return .reply(SMTPReply(334, nil, Data(challenge.utf8).base64EncodedString()))
        default:
            return fail(SMTPReply(504, "5.5.4", "Unrecognized authentication type \(PeerText.quoted(mechanism))"))
        }
    }

    private mutating func continueAuth(_ step: AuthStep, response: [UInt8]) -> Action {
        authStep = nil
        let text = String(decoding: response, as: UTF8.self).trimmingWhitespace()
        if text == "*" { return .reply(SMTPReply(501, "5.7.0", "Authentication cancelled")) }
        guard let bytes = SASLPlain.decodeBase64(text) else {
            failures += 1
            return .reply(SMTPReply(501, "5.5.2", SASLPlain.Failure.base64.description))
        }
        switch step {
        case .plain:
            switch SASLPlain.decode(bytes: bytes) {
            case .success(let plain): return finishAuth(user: plain.user, password: plain.password)
            case .failure(.authorization): return loginFailed()
            case .failure(let failure):
                failures += 1
                return .reply(SMTPReply(501, "5.5.2", failure.description))
            }
        case .loginUser:
            authStep = .loginPassword(user: String(decoding: bytes, as: UTF8.self))
            return .reply(SMTPReply(334, nil, "UGFzc3dvcmQ6"))
        case .loginPassword(let user):
            return finishAuth(user: user, password: String(decoding: bytes, as: UTF8.self))
        case .cramMD5:
            // RFC 2195: "user digest". Offered only when any password is accepted.
            let words = String(decoding: bytes, as: UTF8.self).split(separator: " ")
            guard words.count == 2 else {
                failures += 1
                return .reply(SMTPReply(501, "5.5.2", "Malformed CRAM-MD5 response (expected user and digest)"))
            }
            return finishAuth(user: String(words[0]), password: nil)
        }
    }

    private mutating func finishAuth(user: String, password: String?) -> Action {
        if let password, !configuration.credentials.accepts(user: user, password: password) {
            return loginFailed()
        }
        authenticatedAs = user
        return .reply(SMTPReply(235, "2.7.0", "Authentication successful"))
    }

    /// A failed login, answered after the policy's delay; the last one allowed closes with 421
    /// (RFC 5321 §3.8), as Postfix does once a client reaches its error limit.
    private mutating func loginFailed() -> Action {
        let verdict = loginFailures.record()
        let answer: Action =
            verdict.closesSession
            ? .close(SMTPReply(421, "4.7.0", "Too many failed authentication attempts, closing connection"))
            : .reply(SMTPReply(535, "5.7.8", "Authentication credentials invalid"))
        return verdict.delay > .zero ? .delayed(verdict.delay, answer) : answer
    }
}
