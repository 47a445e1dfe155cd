package import LetterboxNet
package import LetterboxStore
package import LetterboxTLS
import LetterboxThreads

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Drives one POP3 connection through ``POP3Session``: reads commands, loads the maildrop,
/// streams messages, and deletes at QUIT. Pipelined commands (RFC 2449 PIPELINING) are answered
/// in order, in as few writes as the input allows.
package struct POP3Server: Sendable {
    package let configuration: POP3Configuration
    package let store: any MessageStore
    package let events: ProtocolEvents
    /// Offered with STLS when set.
    package let tls: TLSContext?

    package init(
        configuration: POP3Configuration, store: any MessageStore, events: ProtocolEvents, tls: TLSContext? = nil
    ) {
        self.configuration = configuration
        self.store = store
        self.events = events
        self.tls = tls
    }

    /// Sent to a connection over the server's limit (RFC 2449 §8.1.2: SYS/TEMP).
    /// Lines of a multi-line reply written between two turns of the event loop.
    static let linesPerSlice = 512

    /// Messages up to this size are checked and encoded for RETR and TOP on the event loop;
    /// larger ones on the reading threads (as IMAP renders them).
    static let encodeOnLoopLimit = 256 * 1024

    package static var overCapacityReply: [UInt8] {
        Array("-ERR [SYS/TEMP] too many connections, try again later\r\n".utf8)
    }

    package func serve(_ connection: Connection) async {
        let timestamp = "<\(getpid()).\(UInt32.random(in: 0...UInt32.max))@\(configuration.hostname)>"
        var session = POP3Session(
            configuration: configuration, timestamp: timestamp, canStartTLS: tls != nil, secure: connection.tls != nil)
        let transcript = events.transcript(protocol: "pop3", peer: connection.peer)
        transcript.opened()
        defer { transcript.closed() }
        send(session.greeting, on: connection, transcript: transcript)
        do {
            while true {
                var action: POP3Session.Action
                do {
                    // Between commands nothing is lost by stopping: marked deletions only apply at QUIT.
                    let line = try await connection.readLine(
                        maxLength: POP3Configuration.maxLineLength, interruptible: true)
                    transcript.received(line)
                    action = session.receive(line)
                } catch let error as NetError where error == .lineTooLong {
                    action = session.lineTooLong()
                }
                if case .openMaildrop(let login) = action {
                    connection.loggedIn()
                    // A walk of every message the login may see, and their sizes in CRLF form (the
                    // first count of a size reads every byte of the message, or its file): off the
                    // event loop, in one job on the reading threads.
                    let (maildrop, octets) = await BlockingPool.offload { [store] in
                        let maildrop = store.messages(matching: .mailbox(login: login))
                        return (maildrop, POP3Session.octets(of: maildrop))
                    }
                    action = session.maildropOpened(maildrop, octets: octets, uidValidity: store.uidValidity)
                }
                if case .startTLS(let reply) = action {
                    try await connection.upgrade(with: tls, goAhead: reply + "\r\n", transcript: transcript)
                    session.tlsStarted()
                    continue
                }
                guard try await perform(action, on: connection, transcript: transcript) else { return }
            }
        } catch let error as NetError where error == .shuttingDown {
            send("-ERR [SYS/TEMP] server shutting down", on: connection, transcript: transcript)
        } catch let error as NetError where error.isTimeout {
            send("-ERR autologout: \(error.detail)", on: connection, transcript: transcript)
        } catch {
            transcript.note("connection ended: \(error)")
        }
    }

    /// Carries out one action; false when the connection should close.
    private func perform(_ action: POP3Session.Action, on connection: Connection, transcript: Transcript) async throws
        -> Bool
    {
        switch action {
        case .reply(let line):
            send(line, on: connection, transcript: transcript)
        case .multiline(let status, let lines):
            send(status, on: connection, transcript: transcript)
            if events.transcriptEnabled { transcript.sentBlock(Array(lines)) }
            // Made as they are sent, in bounded slices: between them what was written goes out
            // and the other connections of this event loop get a turn (LIST of 10,000 messages).
            var written = 0
            for line in lines {
                connection.write(line.hasPrefix(".") ? ".\(line)\r\n" : "\(line)\r\n")
                written += 1
                if written.isMultiple(of: Self.linesPerSlice) {
                    try await connection.flush()
                    await Task.yield()
                }
            }
            connection.write(".\r\n")
        case .retrieve(let status, let message, let number, let bodyLines):
            guard store.message(id: message.id) != nil else {
                send(
                    "-ERR message \(number) no longer exists (deleted through another session)", on: connection,
                    transcript: transcript)
                return true
            }
            let wire: MessageTransfer.Wire
            do throws(StoreError) {
                if message.size > Self.encodeOnLoopLimit {
                    // Checking and encoding read every byte: a large message is read, checked and
                    // encoded in one job on the reading threads, not on the event loop.
                    wire = try await BlockingPool.offload {
                        Result { () throws(StoreError) in
                            MessageTransfer.wire(try message.loadViews().raw, bodyLines: bodyLines)
                        }
                    }.get()
                } else {
                    wire = MessageTransfer.wire(try await message.load().raw, bodyLines: bodyLines)
                }
            } catch {
                send("-ERR message \(number) cannot be read: \(error.reason)", on: connection, transcript: transcript)
                return true
            }
            send(status, on: connection, transcript: transcript)
            transcript.note("sending message \(message.id)")
            switch wire {
            case .asIs(let raw):
                transcript.sentBlock(raw)
                try await connection.send(raw)
                connection.write(".\r\n")
            case .encoded(let encoded):
                if events.transcriptEnabled { transcript.sentBlock(Array(encoded.dropLast(3))) }  // without ".\r\n"
                try await connection.send(encoded)
            }
        case .commit(let ids, let reply):
            // A disk store unlinks a file per message: on its threads, not the event loop's.
            let outcome = await store.removeEachOffTheLoop(ids: ids)
            transcript.note("deleted \(outcome.removed.count) of \(ids.count) messages")
            // RFC 1939 §6: "-ERR some deleted messages not removed"; a file that cannot be deleted
            // keeps its message (RFC 2449 §8.1.2: SYS/TEMP).
            if let failure = outcome.kept.min(by: { $0.key < $1.key })?.value {
                send(
                    "-ERR [SYS/TEMP] some deleted messages not removed (\(outcome.kept.count) of \(ids.count)): "
                        + failure.reason, on: connection, transcript: transcript)
                return false
            }
            send(reply, on: connection, transcript: transcript)
            return false
        case .close(let line):
            send(line, on: connection, transcript: transcript)
            return false
        case .delayed(let duration, let next):
            try await connection.flushThenWait(duration)
            return try await perform(next, on: connection, transcript: transcript)
        case .openMaildrop, .startTLS:
            break
        }
        return true
    }

    private func send(_ line: String, on connection: Connection, transcript: Transcript) {
        if line.hasPrefix("-ERR") && !line.hasPrefix("-ERR [AUTH]") { events.protocolError() }
        transcript.sent(line)
        connection.write(line + "\r\n")
    }
}
