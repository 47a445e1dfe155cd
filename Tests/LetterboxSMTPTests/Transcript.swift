import LetterboxSMTP
import LetterboxStore
import Testing

/// Plays a client script against an ``SMTPSession`` and returns every server line, so tests read
/// like protocol transcripts. DATA bodies and BDAT chunks are supplied inline.
struct SessionScript {
    var session: SMTPSession
    private(set) var delivered: [(raw: [UInt8], envelope: Envelope)] = []
    private(set) var closed = false
    /// Set when an injected fault dropped the connection.
    private(set) var dropped = false
    /// Every delay the session asked for, in order.
    private(set) var delays: [Duration] = []

    init(_ configuration: SMTPConfiguration = SMTPConfiguration(hostname: "test.local"), canStartTLS: Bool = false) {
        session = SMTPSession(configuration: configuration, peer: "127.0.0.1:5000", canStartTLS: canStartTLS)
    }

    /// Sends one command line; returns the reply lines (`250-…`, `250 …`) without CRLF.
    mutating func send(_ line: String, data: String? = nil, chunk: String? = nil) -> [String] {
        perform(session.receive(Array(line.utf8)), data: data, chunk: chunk)
    }

    /// The greeting (or what a connect fault does instead).
    mutating func open() -> [String] { perform(session.opening(), data: nil, chunk: nil) }

    private mutating func perform(_ action: SMTPSession.Action, data: String?, chunk: String?) -> [String] {
        switch action {
        case .drop:
            dropped = true
            return []
        case .delayed(let duration, let next):
            delays.append(duration)
            return perform(next, data: data, chunk: chunk)
        case .reply(let reply):
            return lines(reply)
        case .close(let reply):
            closed = true
            return lines(reply)
        case .receiveData(let goAhead):
            let body = Array((data ?? "").utf8)
            return lines(goAhead) + complete(session.dataReceived(.complete(body)))
        case .startTLS(let reply):
            // As if the handshake succeeded.
            session.tlsStarted(Envelope.TLS(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256"))
            return lines(reply)
        case .receiveChunk(let size, let last):
            let bytes = Array((chunk ?? "").utf8)
            #expect(bytes.count == size, "script chunk has \(bytes.count) octets, BDAT said \(size)")
            return complete(session.chunkReceived(bytes, last: last))
        }
    }

    private mutating func complete(_ completion: SMTPSession.Completion) -> [String] {
        switch completion {
        case .reply(let reply): return lines(reply)
        case .drop:
            dropped = true
            return []
        case .delayed(let duration, let next):
            delays.append(duration)
            return complete(next)
        case .deliver(let raw, let envelope):
            delivered.append((raw, envelope))
            return lines(session.delivered(id: UInt64(delivered.count)))
        }
    }

    private func lines(_ reply: SMTPReply) -> [String] {
        reply.wire.split(separator: "\r\n").map(String.init)
    }
}
