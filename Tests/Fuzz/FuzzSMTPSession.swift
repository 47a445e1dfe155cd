// libFuzzer target: the SMTP session fed a whole transcript, framed as SMTPServer frames it
// (command lines up to the limit, DATA bodies through DotStuffedReader, BDAT chunks by size), the
// input arriving in pieces of a size the input chooses. No sockets: the store is a counter.
//
// Invariants: every reply is well-formed; a reply that ends the session (221, 421) comes with
// `.close` and nothing is read or sent after it; a message is stored only in a transaction whose
// MAIL and at least one RCPT were answered 250, and every stored message is answered 250 while
// a refused one never is.

import LetterboxStore

@testable import LetterboxSMTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPSession(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    let options = FuzzOptions(raw)
    var driver = SMTPDriver(
        connection: FuzzConnection(raw, from: options.start, chunk: options.chunk),
        session: SMTPSession(
            configuration: SMTPConfiguration(
                maxMessageSize: options.has(1) ? 64 : 4096, maxRecipients: options.has(2) ? 2 : 100,
                credentials: options.has(4) ? Credentials(users: ["a": "b"]) : .anyone),
            peer: "fuzz", canStartTLS: options.has(8)),
        failStore: options.has(16))
    driver.run()
    return 0
}

struct SMTPDriver {
    var connection: FuzzConnection
    var session: SMTPSession
    /// When set, every other store append fails, as a full disk would.
    let failStore: Bool
    var mailAccepted = false
    var recipientsAccepted = 0
    var appends = 0
    var closed = false

    mutating func run() {
        perform(session.opening(), line: nil)
        while !closed {
            let action: SMTPSession.Action
            do {
                guard let line = try connection.readLine(maxLength: SMTPConfiguration.maxCommandLength) else { return }
                action = session.receive(line)
                perform(action, line: line)
            } catch {
                perform(session.lineTooLong(), line: nil)
            }
        }
    }

    private mutating func send(_ reply: SMTPReply, closing: Bool = false) {
        guard !closed else { fuzzFailure("reply after the session ended: \(reply.wire)") }
        checkSMTPReply(reply)
        if (reply.code == 221 || reply.code == 421) && !closing {
            fuzzFailure("\(reply.code) without closing the connection")
        }
        if closing { closed = true }
    }

    private mutating func perform(_ action: SMTPSession.Action, line: [UInt8]?) {
        switch action {
        case .reply(let reply):
            send(reply)
            track(reply, line: line)
        case .close(let reply):
            send(reply, closing: true)
        case .drop:
            closed = true
        case .delayed(_, let next):
            perform(next, line: line)
        case .startTLS(let reply):
            send(reply)
            session.tlsStarted(Envelope.TLS(version: "TLSv1.3", cipher: "fuzz"))
            endTransaction()
        case .receiveData(let goAhead):
            send(goAhead)
            guard goAhead.code == 354 else { fuzzFailure("DATA go-ahead \(goAhead.wire)") }
            guard mailAccepted, recipientsAccepted > 0 else { fuzzFailure("354 without MAIL and RCPT accepted") }
            guard let outcome = readData() else { return closed = true }
            complete(session.dataReceived(outcome))
        case .receiveChunk(let size, let last):
            let capacity = session.remainingMessageCapacity
            let bytes: [UInt8]?
            if size > capacity {
                guard connection.skip(size) else { return closed = true }
                bytes = nil
            } else {
                guard let chunk = connection.readExactly(size) else { return closed = true }
                bytes = chunk
            }
            let valid = mailAccepted && recipientsAccepted > 0
            let completion = session.chunkReceived(bytes, last: last)
            if case .reply(let reply) = completion, reply.code == 250, !last {
                guard valid else { fuzzFailure("BDAT chunk accepted outside a transaction") }
            }
            complete(completion)
        }
    }

    /// Follows the transaction from the replies: what the client was told was accepted.
    private mutating func track(_ reply: SMTPReply, line: [UInt8]?) {
        guard let line, reply.code == 250 else { return }
        let verb = String(decoding: line.prefix(4), as: UTF8.self).uppercased()
        switch verb {
        case "MAIL": mailAccepted = true
        case "RCPT": recipientsAccepted += 1
        case "RSET", "HELO", "EHLO": endTransaction()
        default: break
        }
    }

    private mutating func endTransaction() {
        mailAccepted = false
        recipientsAccepted = 0
    }

    private mutating func complete(_ completion: SMTPSession.Completion) {
        switch completion {
        case .reply(let reply):
            send(reply)
            // A chunk refused for its sequence (503) leaves the transaction as it was; any other
            // answer but a chunk's 250 ends it.
            if reply.code != 503 && (reply.code != 250 || reply.lines.first?.hasSuffix("octets received") != true) {
                endTransaction()
            }
            if reply.code == 250, reply.lines.first?.hasPrefix("Ok: queued") == true {
                fuzzFailure("a 250 for a message that was not stored")
            }
        case .drop:
            closed = true
        case .delayed(_, let next):
            complete(next)
        case .deliver(let raw, let envelope):
            guard mailAccepted, recipientsAccepted > 0 else {
                fuzzFailure("message stored without MAIL and RCPT accepted")
            }
            guard envelope.recipients.count == recipientsAccepted else {
                fuzzFailure("\(envelope.recipients.count) recipients stored, \(recipientsAccepted) accepted")
            }
            _ = raw
            appends += 1
            if failStore && appends % 2 == 0 {
                let reply = session.deliveryFailed(FuzzStoreFull())
                guard reply.code >= 400 else { fuzzFailure("a failed store answered \(reply.wire)") }
                send(reply)
            } else {
                let reply = session.delivered(id: UInt64(appends))
                guard reply.code == 250 else { fuzzFailure("a stored message answered \(reply.wire)") }
                send(reply)
            }
            endTransaction()
        }
    }

    /// A DATA body as DotStuffedReader reads it from the connection's buffer; nil if the peer closes.
    private mutating func readData() -> SMTPSession.DataOutcome? {
        var body: [UInt8] = []
        var position = DotStuffedReader.Position.lineStart
        var tooLarge = false
        let limit = session.configuration.maxMessageSize
        while true {
            let (consumed, finished) = connection.withBuffered {
                DotStuffedReader.scan($0, into: &body, position: &position, limit: limit, tooLarge: &tooLarge)
            }
            guard consumed <= connection.buffered else { fuzzFailure("scan consumed more than was buffered") }
            connection.consume(consumed)
            if finished { break }
            guard connection.fill() else { return nil }
        }
        if tooLarge { return .tooLarge }
        guard body.count <= limit else { fuzzFailure("body over the limit kept") }
        return .complete(body)
    }
}

/// What the stand-in store throws when it "fails".
struct FuzzStoreFull: Error, CustomStringConvertible {
    var description: String { "no space left" }
}
