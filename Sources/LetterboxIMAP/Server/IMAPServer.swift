package import LetterboxNet
package import LetterboxStore
package import LetterboxTLS

/// Drives one IMAP connection: reads commands with their literals (RFC 3501 §7.5, RFC 7888
/// LITERAL+), runs them through ``IMAPSession``, and during IDLE sends updates as soon as the
/// store changes (woken by the change, never by polling).
package struct IMAPServer: Sendable {
    package let configuration: IMAPConfiguration
    package let store: any MessageStore
    package let events: ProtocolEvents
    /// Offered with STARTTLS when set.
    package let tls: TLSContext?

    package init(
        configuration: IMAPConfiguration, store: any MessageStore, events: ProtocolEvents, tls: TLSContext? = nil
    ) {
        self.configuration = configuration
        self.store = store
        self.events = events
        self.tls = tls
    }

    package static var overCapacityReply: [UInt8] {
        Array("* BYE [UNAVAILABLE] too many connections, try again later\r\n".utf8)
    }

    /// Why a command could not be read; the connection survives unless `fatal`.
    private struct ReadFailure: Error {
        let response: String
        let fatal: Bool
    }

    package func serve(_ connection: Connection) async {
        var session = IMAPSession(
            configuration: configuration, store: store, canStartTLS: tls != nil, secure: connection.tls != nil)
        let transcript = events.transcript(protocol: "imap", peer: connection.peer)
        transcript.opened()
        defer { transcript.closed() }
        connection.write(session.greeting)
        do {
            while true {
                let bytes: [UInt8]
                do {
                    bytes = try await readCommand(
                        from: connection, authenticated: session.isAuthenticated, transcript: transcript)
                } catch let failure as ReadFailure {
                    events.protocolError()
                    send(failure.response, on: connection, transcript: transcript)
                    if failure.fatal { return }
                    continue
                }
                let outcome: IMAPSession.Outcome
                switch IMAPParser.parse(bytes) {
                case .failure(let error):
                    events.protocolError()
                    send("\(error.tag ?? "*") BAD \(error.reason)\r\n", on: connection, transcript: transcript)
                    continue
                case .success(let command):
                    let (response, result) = await session.handle(command) { piece in
                        transcript.sent(String(decoding: piece.prefix(512), as: UTF8.self))
                        // A failure is kept by the connection: the next read ends the session.
                        return (try? await connection.writePiece(piece)) != nil
                    }
                    try await waitAfterFailedLogin(&session, on: connection)
                    if session.state != .notAuthenticated { connection.loggedIn() }
                    if case .startTLS = result {
                        let goAhead = String(decoding: response, as: UTF8.self)
                        try await connection.upgrade(with: tls, goAhead: goAhead, transcript: transcript)
                        session.tlsStarted()
                        continue
                    }
                    transcript.sent(String(decoding: response.prefix(512), as: UTF8.self))
                    connection.write(response)
                    outcome = result
                }
                switch outcome {
                case .proceed: continue
                case .close: return
                case .authenticate:
                    try await connection.flush()
                    // The SASL response is read before login: the pre-login command budget.
                    let line: [UInt8]
                    do {
                        line = try await connection.readLine(
                            maxLength: IMAPConfiguration.maxCommandBytesBeforeLogin, continuing: true)
                    } catch let error as NetError where error == .lineTooLong {
                        events.protocolError()
                        send(session.abandonAuthentication(), on: connection, transcript: transcript)
                        continue
                    }
                    let (response, result) = session.continueAuthentication(line)
                    try await waitAfterFailedLogin(&session, on: connection)
                    connection.write(response)
                    if result == .close { return }
                    if session.state != .notAuthenticated { connection.loggedIn() }
                case .idle(let tag):
                    try await idle(&session, tag: tag, on: connection, transcript: transcript)
                case .startTLS:
                    continue  // upgraded above, before the response was queued
                }
            }
        } catch let error as NetError where error == .shuttingDown {
            send("* BYE [UNAVAILABLE] server shutting down\r\n", on: connection, transcript: transcript)
        } catch let error as NetError where error.isTimeout {
            send("* BYE autologout: \(error.detail)\r\n", on: connection, transcript: transcript)
        } catch {
            transcript.note("connection ended: \(error)")
        }
    }

    /// Reads one command: a line, and for each literal it announces, the literal and the next line.
    /// The command never holds more than its ``IMAPCommandBudget``: a literal that would not fit
    /// is refused before its octets are read.
    private func readCommand(
        from connection: Connection, authenticated: Bool, transcript: Transcript
    ) async throws -> [UInt8] {
        var command: [UInt8] = []
        var budget: IMAPCommandBudget?
        var literals = 0
        // The literals of one command are one transfer for the minimum rate: many small ones
        // cannot each restart the grace.
        defer { connection.endSharedTransfer() }
        while true {
            let line: [UInt8]
            do {
                let maxLength =
                    budget?.lineLimit(used: command.count) ?? IMAPCommandBudget.firstLine(authenticated: authenticated)
                line = try await connection.readLine(
                    maxLength: maxLength, interruptible: command.isEmpty, continuing: !command.isEmpty)
            } catch let error as NetError where error == .lineTooLong {
                throw ReadFailure(response: "* BAD command line too long\r\n", fatal: false)
            }
            transcript.received(line)
            let limits =
                budget
                ?? IMAPCommandBudget(
                    firstLine: line, authenticated: authenticated, maxLiteralSize: configuration.maxLiteralSize)
            budget = limits
            command += line
            guard let (size, synchronizing) = Self.literalAnnouncement(line) else { return command }
            literals += 1
            if let reason = limits.refusal(literalSize: size, count: literals, used: command.count + 2) {
                let tag = IMAPCommandBudget.tag(of: command)
                throw ReadFailure(
                    response: limits.reply(refusing: reason, tag: tag, synchronizing: synchronizing),
                    fatal: !synchronizing)
            }
            if synchronizing {
                transcript.sent("+ ready for literal\r\n")
                connection.write("+ ready for literal\r\n")
                try await connection.flush()
            }
            command += [0x0D, 0x0A]
            connection.beginSharedTransfer()
            let literal = try await connection.readExactly(size)
            transcript.receivedLiteral(literal)
            command += literal
        }
    }

    /// `{n}` or `{n+}` at the end of a line (RFC 3501 §4.3, RFC 7888).
    static func literalAnnouncement(_ line: [UInt8]) -> (size: Int, synchronizing: Bool)? {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        var digits = line[(open + 1)..<(line.count - 1)]
        let synchronizing = digits.last != UInt8(ascii: "+")
        if !synchronizing { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy({ (0x30...0x39).contains($0) }),
            let size = Int(String(decoding: digits, as: UTF8.self))
        else { return nil }
        return (size, synchronizing)
    }

    /// IDLE (RFC 2177): send updates when the store changes, until the client sends DONE.
    private func idle(_ session: inout IMAPSession, tag: String, on connection: Connection, transcript: Transcript)
        async throws
    {
        let handle = connection.handle
        let changes = store.changes()
        let watcher = Task {
            for await _ in changes { handle.wake() }
        }
        var pacing = IdleUpdatePacing()
        defer {
            watcher.cancel()
            pacing.cancel()
        }
        // Anything that changed between the IDLE command and the subscription.
        connection.write(await session.idleAndSearchUpdates())
        while true {
            do {
                let line = try await connection.readLine(
                    maxLength: IMAPConfiguration.maxLineLength, interruptible: true, wakeable: true)
                transcript.received(line)
                guard String(decoding: line, as: UTF8.self).uppercased() == "DONE" else {
                    send("\(tag) BAD expected DONE to end IDLE\r\n", on: connection, transcript: transcript)
                    return
                }
                send("\(tag) OK IDLE terminated\r\n", on: connection, transcript: transcript)
                return
            } catch let error as NetError where error == .woken {
                guard pacing.mayWalkNow(waking: handle) else { continue }
                let start = ContinuousClock.now
                let updates = await session.idleAndSearchUpdates()
                // Updates from the store's change log cost what changed: only a walk is paced.
                if session.lastUpdateWalkedMailbox { pacing.walked(from: start) }
                guard !updates.isEmpty else { continue }
                transcript.sent(String(decoding: updates, as: UTF8.self))
                connection.write(updates)
                try await connection.flush()
            }
        }
    }

    /// A failed login is answered after the policy's delay (``LoginFailurePolicy``): earlier
    /// responses go out first, then the task sleeps without holding a thread.
    private func waitAfterFailedLogin(_ session: inout IMAPSession, on connection: Connection) async throws {
        guard let delay = session.takeLoginFailureDelay() else { return }
        try await connection.flushThenWait(delay)
    }

    private func send(_ text: String, on connection: Connection, transcript: Transcript) {
        transcript.sent(text)
        connection.write(text)
    }
}
