package import LetterboxFaults
package import LetterboxNet
package import LetterboxStore

/// Drives one HTTP/1.1 connection: reads requests, answers them through ``HTTPRouter``, and keeps
/// the connection open between requests unless the client or a shutdown asks otherwise.
///
/// Pipelined requests are answered in order and their responses flushed together. Between
/// requests a graceful shutdown ends the connection; a malformed request is answered with a
/// one-line error and `Connection: close`.
package struct HTTPServer: Sendable {
    /// Answers each request.
    package let router: HTTPRouter
    /// Receives the transcript and counts protocol errors (malformed requests and other 400s).
    package let events: ProtocolEvents
    /// Bounds on request size.
    package let limits: HTTPRequestParser.Limits
    /// How many long polls and event streams may wait at once.
    package let longPolls: LongPollLimit
    /// The events `GET /events` streams.
    package let eventHub: EventHub

    /// Bodies at least this large go out without being copied into the write buffer.
    private static let directSendThreshold = 16_384

    /// - Parameters: `metrics`: session and error counts for `GET /metrics`, asked for on each
    ///   request; `faults`: the rules `/faults` lists and changes; `browserPolicy`: see
    ///   ``HTTPBrowserPolicy``; `maxLongPolls`: how many `/messages/wait` requests may wait at once
    ///   (more are answered 503 at once).
    package init(
        store: any MessageStore, events: ProtocolEvents, metrics: @escaping @Sendable () -> HTTPMetrics,
        faults: FaultInjector = FaultInjector(), limits: HTTPRequestParser.Limits = HTTPRequestParser.Limits(),
        certificatePEM: String? = nil, browserPolicy: HTTPBrowserPolicy = HTTPBrowserPolicy(), maxLongPolls: Int = 512
    ) {
        self.router = HTTPRouter(
            store: store, metrics: metrics, faults: faults, certificatePEM: certificatePEM, browserPolicy: browserPolicy
        )
        self.events = events
        self.limits = limits
        self.longPolls = LongPollLimit(limit: maxLongPolls)
        self.eventHub = EventHub(store: store)
    }

    /// A complete `503 Service Unavailable` response with `Connection: close`, sent to a
    /// connection over the server's connection limit.
    package static var overCapacityReply: [UInt8] {
        var response = HTTPResponse.error(.serviceUnavailable, "too many connections; try again later")
        response.headers["Retry-After"] = "1"
        response.headers["Connection"] = "close"
        return response.serialized(date: HTTPDate.now())
    }

    /// Serves the connection until the client closes it, asks to close, sends a malformed
    /// request, stays idle too long (keep-alive), takes too long to send a request (408), or the
    /// server shuts down. Never throws; the caller closes the connection afterwards.
    package func serve(_ connection: Connection) async {
        let transcript = events.transcript(protocol: "http", peer: connection.peer)
        transcript.opened()
        defer { transcript.closed() }
        do {
            while true {
                if !connection.hasBufferedLine { try await connection.flush() }
                let request: HTTPRequest
                do {
                    request = try await readRequest(from: connection, transcript: transcript)
                } catch let error as HTTPRequestError {
                    events.protocolError()
                    var response = HTTPResponse.error(error.status, error.reason)
                    response.headers["Connection"] = "close"
                    try await send(response, headOnly: false, on: connection, transcript: transcript)
                    try await connection.flush()
                    return
                } catch let error as NetError where error == .lineTimeout || error == .transferTimeout {
                    // RFC 9110 §15.5.9: the request head (nginx's client_header_timeout) or its
                    // body (below the minimum rate) did not arrive in time.
                    events.protocolError()
                    var response = HTTPResponse.error(.requestTimeout, "request not received in time: \(error.detail)")
                    response.headers["Connection"] = "close"
                    try await send(response, headOnly: false, on: connection, transcript: transcript)
                    return
                }
                if EventStream.isRequest(request), router.browserPolicy.refusal(of: request) == nil {
                    try await serveEvents(request, on: connection, transcript: transcript)
                    return
                }
                var response: HTTPResponse
                if router.mayWait(request) {
                    response = try await longPoll(request, on: connection, transcript: transcript)
                } else {
                    response = await router.respond(to: request)
                }
                if response.status == .badRequest { events.protocolError() }
                let keepAlive = request.keepAlive && !connection.isDraining
                if !keepAlive {
                    response.headers["Connection"] = "close"
                } else if request.version == .http1_0 {
                    response.headers["Connection"] = "keep-alive"
                }
                try await send(response, headOnly: request.method == "HEAD", on: connection, transcript: transcript)
                if !keepAlive {
                    try await connection.flush()
                    return
                }
            }
        } catch let error as NetError where error == .shuttingDown {
            transcript.note("closed for shutdown")
        } catch let error as NetError where error.isTimeout {
            transcript.note("closed: \(error.detail)")
        } catch {
            transcript.note("connection ended: \(error)")
        }
    }

    /// Reads one request; between requests the wait may be interrupted by a graceful shutdown.
    ///
    /// - Throws: ``HTTPRequestError`` for a request to refuse, `NetError` when the connection ends.
    private func readRequest(from connection: Connection, transcript: Transcript) async throws -> HTTPRequest {
        var parser = HTTPRequestParser(limits: limits)
        while true {
            let line: [UInt8]
            do {
                // One octet of slack: a CR whose LF has not arrived yet must not count as too long.
                // The whole head must arrive within the line deadline of its first byte.
                line = try await connection.readLine(
                    maxLength: parser.lineLimit + 1, interruptible: parser.isIdle, continuing: !parser.isIdle)
            } catch let error as NetError where error == .lineTooLong {
                throw parser.lineTooLong
            }
            transcript.received(line)
            switch try parser.receive(line: line) {
            case .needLine:
                continue
            case .needBody(let count):
                if parser.expectsContinue {
                    // RFC 9110 §10.1.1: the client may be holding the body back until told to send it.
                    connection.write("HTTP/1.1 100 Continue\r\n\r\n")
                    try await connection.flush()
                }
                let body = try await connection.readExactly(count)
                transcript.note("request body: \(count) octets")
                return try parser.receive(body: body)
            case .complete(let request):
                return request
            }
        }
    }

    /// Answers a long poll (`/messages/wait`) while watching its connection: a client that closes
    /// it meanwhile ends the wait at once, freeing its connection slot, instead of at the wait's
    /// timeout. Beyond ``longPolls``' limit a wait is refused with 503 at once, and a graceful
    /// shutdown answers a wait in progress with 503 too: a wait may last minutes, far past the
    /// shutdown's grace, which would end it with no answer at all.
    ///
    /// - Throws: ``NetError/closed`` when the client has gone.
    private func longPoll(_ request: HTTPRequest, on connection: Connection, transcript: Transcript) async throws
        -> HTTPResponse
    {
        guard longPolls.enter() else {
            var response = HTTPResponse.error(
                .serviceUnavailable, "too many waits in progress (at most \(longPolls.limit)); try again later")
            response.headers["Retry-After"] = "1"
            return response
        }
        defer { longPolls.leave() }
        // A wait may take minutes: answers to earlier pipelined requests go out first.
        try await connection.flush()
        connection.releaseInput()
        let handle = connection.handle
        let router = self.router
        async let answer: HTTPResponse = {
            let response = await router.respond(to: request)
            handle.wake()
            return response
        }()
        do {
            try await connection.awaitWakeOrHangUp(interruptible: true)
        } catch let error as NetError where error == .woken {
            return await answer
        } catch let error as NetError where error == .shuttingDown {
            // Leaving the scope cancels the wait; the caller closes the connection after this.
            transcript.note("wait ended by shutdown")
            var response = HTTPResponse.error(.serviceUnavailable, "the server is shutting down")
            response.headers["Retry-After"] = "1"
            return response
        } catch {
            // Leaving the scope cancels the wait (`answer`) and awaits its end.
            transcript.note("client left during a wait")
            throw error
        }
    }

    /// Queues the response; a large body is sent at once without copying.
    private func send(
        _ response: HTTPResponse, headOnly: Bool, on connection: Connection, transcript: Transcript
    ) async throws {
        let head = response.head(date: HTTPDate.now())
        if events.transcriptEnabled { transcript.sent(String(decoding: head, as: UTF8.self)) }
        connection.write(head)
        guard !headOnly, !response.body.isEmpty else { return }
        if response.body.count >= Self.directSendThreshold {
            try await connection.send(response.body)
        } else {
            connection.write(response.body)
        }
    }
}
