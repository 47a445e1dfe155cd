import LetterboxNet
import LetterboxStore

/// `GET /events`: a Server-Sent Events stream (WHATWG HTML §9.2) of the ``EventHub``'s events
/// that the request's `/messages` filters admit, resumed after `Last-Event-ID` (or the
/// `lastEventId` query item, for clients that cannot set the field).
enum EventStream {
    /// Whether `request` asks for the event stream.
    static func isRequest(_ request: HTTPRequest) -> Bool {
        request.method == "GET" && request.target.pathSegments == ["events"]
    }

    /// The id to resume after, if the client sent one that is a number.
    static func lastEventID(of request: HTTPRequest) -> UInt64? {
        guard let text = request.headers["Last-Event-ID"] ?? request.query("lastEventId") else { return nil }
        return DecimalParameter.unsigned(text.trimmingHTTPWhitespace())
    }

    /// The response head: no length, the stream ends when the connection closes (RFC 9112 §6.3).
    static func head() -> [UInt8] {
        Array(
            ("HTTP/1.1 200 OK\r\nDate: \(HTTPDate.now())\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                + "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\nX-Content-Type-Options: nosniff\r\n"
                + "Connection: close\r\n\r\n").utf8)
    }
}

extension HTTPServer {
    /// Streams events until the client leaves, falls behind by more than
    /// ``EventHub/maxQueuedBytes`` (it is disconnected), or the server shuts down. A stream
    /// counts against ``longPolls``: beyond it, 503 at once.
    ///
    /// - Throws: `NetError` when the connection fails; the caller closes it either way.
    func serveEvents(_ request: HTTPRequest, on connection: Connection, transcript: Transcript) async throws {
        let filter: MessageFilter
        do {
            filter = try HTTPRouter.filter(from: request)
        } catch {
            events.protocolError()
            var response = HTTPResponse.error(error.status, error.reason)
            response.headers["Connection"] = "close"
            connection.write(response.serialized(date: HTTPDate.now()))
            return try await connection.flush()
        }
        guard longPolls.enter() else {
            var response = HTTPResponse.error(
                .serviceUnavailable, "too many waits and event streams (at most \(longPolls.limit)); try again later")
            response.headers["Retry-After"] = "1"
            response.headers["Connection"] = "close"
            connection.write(response.serialized(date: HTTPDate.now()))
            return try await connection.flush()
        }
        defer { longPolls.leave() }
        // Subscribed before the head goes out: a client that loads a list once the stream is open
        // misses nothing that arrives in between.
        let subscriber = eventHub.subscribe(
            filter: filter, lastEventID: EventStream.lastEventID(of: request), handle: connection.handle)
        defer { eventHub.unsubscribe(subscriber) }
        connection.write(EventStream.head())
        try await connection.flush()
        connection.releaseInput()
        transcript.note("event stream opened (\(filter))")
        let heartbeat = Task { [eventHub, weak subscriber] in
            while !Task.isCancelled {
                try? await Task.sleep(for: EventHub.heartbeatInterval)
                guard let subscriber, !Task.isCancelled else { return }
                eventHub.queue(EventHub.keepAlive, for: subscriber)
            }
        }
        defer { heartbeat.cancel() }

        while true {
            switch eventHub.take(for: subscriber) {
            case .dropped:
                transcript.note("event stream closed: the client fell \(EventHub.maxQueuedBytes) octets behind")
                return
            case .bytes(let buffers, let count, let more):
                // One buffer goes out as the hub has it; several are joined here, off the hub's
                // lock, for one send: a gathered send of the events as they are (`sendmsg`, one
                // vector each) cost more, in the server and in the reader, than this copy
                // (letterbox-bench sse).
                try await connection.send(EventHub.joined(buffers, count: count))
                if more { continue }
                // Events that arrive meanwhile go out together, at the hub's next tick (see
                // ``EventHub/restInterval``); a client that leaves meanwhile is noticed at once.
                eventHub.rest(subscriber)
            case .nothing: break  // parked: the next event wakes it
            }
            do {
                try await connection.awaitWakeOrHangUp(interruptible: true)
            } catch let error as NetError where error == .woken {
                continue
            }
        }
    }
}
