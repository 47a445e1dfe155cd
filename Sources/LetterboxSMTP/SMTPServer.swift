import LetterboxFaults
package import LetterboxNet
package import LetterboxStore
package import LetterboxTLS

/// Drives one SMTP connection: reads commands and data, runs them through ``SMTPSession``,
/// stores complete messages, and batches replies so pipelined commands (RFC 2920) are answered
/// with one write.
package struct SMTPServer: Sendable {
    package let configuration: SMTPConfiguration
    package let store: any MessageStore
    package let events: ProtocolEvents
    /// Offered with STARTTLS when set.
    package let tls: TLSContext?

    package init(
        configuration: SMTPConfiguration, store: any MessageStore, events: ProtocolEvents, tls: TLSContext? = nil
    ) {
        self.configuration = configuration
        self.store = store
        self.events = events
        self.tls = tls
    }

    /// The reply sent to a connection over the server's connection limit.
    package static var overCapacityReply: [UInt8] { Array(SMTPReply.tooManyConnections.wire.utf8) }

    /// Serves the connection until QUIT, an error, or shutdown.
    package func serve(_ connection: Connection) async {
        var session = SMTPSession(
            configuration: configuration, peer: connection.peer, canStartTLS: tls != nil, tls: connection.envelopeTLS)
        let transcript = events.transcript(protocol: "smtp", peer: connection.peer)
        transcript.opened()
        defer { transcript.closed() }

        do {
            guard try await perform(session.opening(), session: &session, on: connection, transcript: transcript)
            else { return }
            while true {
                let action: SMTPSession.Action
                do {
                    let line = try await connection.readLine(
                        maxLength: SMTPConfiguration.maxCommandLength, interruptible: session.isIdle)
                    transcript.received(line)
                    action = session.receive(line)
                    if session.hasGreeted { connection.loggedIn() }
                } catch let error as NetError where error == .lineTooLong {
                    action = session.lineTooLong()
                }
                guard try await perform(action, session: &session, on: connection, transcript: transcript) else {
                    return
                }
            }
        } catch let error as NetError where error == .shuttingDown {
            send(.shuttingDown, on: connection, transcript: transcript)
        } catch let error as NetError where error.isTimeout {
            // RFC 5321 §4.5.3.2: a server that times out should close with 421.
            send(SMTPReply.timeout(error), on: connection, transcript: transcript)
        } catch {
            transcript.note("connection ended: \(error)")
        }
    }

    /// Performs what the session decided; false once the connection is finished. Kept out of
    /// ``serve(_:)``, like the body reading, so the frame an idle session keeps alive stays small.
    private func perform(
        _ action: SMTPSession.Action, session: inout SMTPSession, on connection: Connection, transcript: Transcript
    ) async throws -> Bool {
        // A BDAT chunk is read before anything is answered; its reply gets the latency in complete().
        // The chunks of one message are one transfer for the minimum rate (RFC 3030 §2 lets a
        // client send many small ones): anything but a BDAT ends it.
        if case .receiveChunk = action {
        } else {
            connection.endSharedTransfer()
            try await applyLatency(on: connection)
        }
        return try await performNow(action, session: &session, on: connection, transcript: transcript)
    }

    private func performNow(
        _ action: SMTPSession.Action, session: inout SMTPSession, on connection: Connection, transcript: Transcript
    ) async throws -> Bool {
        switch action {
        case .reply(let reply):
            send(reply, on: connection, transcript: transcript)
            return true
        case .close(let reply):
            send(reply, on: connection, transcript: transcript)
            return false
        case .drop:
            await drop(connection, transcript: transcript)
            return false
        case .delayed(let duration, let next):
            try await connection.flushThenWait(duration)
            return try await performNow(next, session: &session, on: connection, transcript: transcript)
        case .startTLS(let reply):
            try await connection.upgrade(with: tls, goAhead: reply.wire, transcript: transcript)
            session.tlsStarted(connection.envelopeTLS ?? Envelope.TLS(version: "unknown", cipher: "unknown"))
            return true
        case .receiveData, .receiveChunk:
            return try await receiveBody(for: action, session: &session, on: connection, transcript: transcript)
        }
    }

    /// Reads a DATA body or a BDAT chunk and completes it; false when a fault dropped the connection.
    private func receiveBody(
        for action: SMTPSession.Action, session: inout SMTPSession, on connection: Connection, transcript: Transcript
    ) async throws -> Bool {
        switch action {
        case .receiveData(let goAhead):
            send(goAhead, on: connection, transcript: transcript)
            let outcome = try await DotStuffedReader.read(
                from: connection, limit: configuration.maxMessageSize, declaredSize: session.declaredMessageSize)
            transcript.note("data: \(outcome.octets) octets")
            try await applyLatency(on: connection)
            return try await complete(
                session.dataReceived(outcome), session: session, on: connection, transcript: transcript)
        case .receiveChunk(let size, let last):
            connection.beginSharedTransfer()
            let bytes = try await readChunk(size: size, capacity: session.remainingMessageCapacity, from: connection)
            if last { connection.endSharedTransfer() }
            transcript.note("bdat: \(size) octets\(last ? " (last)" : "")")
            try await applyLatency(on: connection)
            return try await complete(
                session.chunkReceived(bytes, last: last), session: session, on: connection, transcript: transcript)
        case .reply, .close, .drop, .delayed, .startTLS:
            return true
        }
    }

    private func complete(
        _ completion: SMTPSession.Completion, session: SMTPSession, on connection: Connection, transcript: Transcript
    ) async throws -> Bool {
        switch completion {
        case .reply(let reply):
            send(reply, on: connection, transcript: transcript)
        case .drop:
            await drop(connection, transcript: transcript)
            return false
        case .delayed(let duration, let next):
            try await connection.flushThenWait(duration)
            return try await complete(next, session: session, on: connection, transcript: transcript)
        case .deliver(let raw, let envelope):
            // The message is stored before the 250 goes out (a test that sees 250 can read it).
            do {
                let message = try await store.append(raw, envelope: envelope)
                transcript.note("stored message \(message.id) (\(raw.count) octets)")
                send(session.delivered(id: message.id), on: connection, transcript: transcript)
            } catch {
                transcript.warn("message not stored: \(error)")
                send(session.deliveryFailed(error), on: connection, transcript: transcript)
            }
        }
        return true
    }

    /// Waits the configured `--latency`, if any, before a reply.
    private func applyLatency(on connection: Connection) async throws {
        if let latency = configuration.faults?.latency { try await connection.flushThenWait(latency) }
    }

    /// Closes without a reply, as a crashed or cut-off server would. Replies to earlier
    /// (pipelined) commands go out first: only the faulted command goes unanswered.
    private func drop(_ connection: Connection, transcript: Transcript) async {
        transcript.note("fault: connection dropped")
        try? await connection.flush()
        connection.closeAbruptly()
    }

    /// Reads a BDAT chunk; one larger than `capacity` is read and discarded (nil), so the
    /// connection stays in step with the client.
    private func readChunk(size: Int, capacity: Int, from connection: Connection) async throws -> [UInt8]? {
        guard size > capacity else { return try await connection.readExactly(size) }
        try await connection.skip(size)
        return nil
    }

    private func send(_ reply: SMTPReply, on connection: Connection, transcript: Transcript) {
        if reply.isProtocolError { events.protocolError() }
        transcript.sent(reply.wire)
        connection.write(reply.wire)
    }
}

extension SMTPSession.DataOutcome {
    fileprivate var octets: String {
        switch self {
        case .complete(let bytes): "\(bytes.count)"
        case .tooLarge: "too many"
        }
    }
}

extension Connection {
    /// The TLS session in use, as the envelope records it.
    fileprivate var envelopeTLS: Envelope.TLS? {
        guard let tls, let version = tls.protocolVersion else { return nil }
        return Envelope.TLS(version: version, cipher: tls.cipher ?? "unknown")
    }
}

extension SMTPReply {
    /// The 421 for a deadline that passed (RFC 5321 §4.5.3.2): silence, a command line not
    /// completed in time, DATA/BDAT below the minimum rate, or no EHLO in time.
    fileprivate static func timeout(_ error: NetError) -> SMTPReply {
        error == .idleTimeout
            ? idleTimeout : SMTPReply(421, "4.4.2", "Error: timeout exceeded (\(error.detail)), closing connection")
    }
}
