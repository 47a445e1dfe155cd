import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `GET /events` (Server-Sent Events) subscribers against the `letterbox` executable, measured
/// apart from the bench: SMTP ingest with 100 subscribers against the rate without (goal ≥ 90 %),
/// and the server's resident memory per subscriber with 1,000 open (goal ≤ 32 KiB each).
///
/// Every subscriber is drained by one `poll` thread, as a browser tab would read its stream, and
/// counts the `event: message` records it gets, so the figures are for streams that deliver.
enum SSEFanOut {
    /// Open event streams, read and discarded by one thread, counting `event: message` records.
    final class Subscribers: @unchecked Sendable {  // `sockets` is fixed before the thread starts; counts are atomic
        private(set) var sockets: [PeerSocket] = []
        /// Shared with the reader thread.
        private final class Shared: Sendable {
            let messages = Atomic<Int>(0)
            let stop = Atomic<Bool>(false)
        }
        private let shared = Shared()
        private var reader: Thread?
        private let finished = DispatchSemaphore(value: 0)

        /// Opens `count` streams at `/events` and checks each answers `200` with `text/event-stream`.
        init(count: Int, httpPort: Int) throws {
            let request = Array(
                "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8)
            for index in 0..<count {
                let socket = try PeerSocket(port: httpPort, timeout: 10)
                guard socket.send(request) else {
                    throw PeerSocket.Failure(description: "subscriber \(index): send failed")
                }
                let (head, complete) = socket.receive { Self.endOfHead(in: $0) != nil }
                let text = String(decoding: head, as: UTF8.self)
                guard complete, text.hasPrefix("HTTP/1.1 200"), text.lowercased().contains("text/event-stream") else {
                    throw PeerSocket.Failure(
                        description: "subscriber \(index): GET /events answered \(text.prefix(200).debugDescription)"
                            + " (the SSE endpoint comes with the web inbox branch)")
                }
                let flags = fcntl(socket.fd, F_GETFL, 0)
                _ = fcntl(socket.fd, F_SETFL, flags | O_NONBLOCK)
                sockets.append(socket)
            }
            let fds = sockets.map(\.fd)
            let thread = Thread { [shared, finished] in
                Self.drain(fds, shared: shared)
                finished.signal()
            }
            reader = thread
            thread.start()
        }

        /// `event: message` records received by all subscribers so far.
        var messageEvents: Int { shared.messages.load(ordering: .relaxed) }

        /// Stops the reader and closes every stream.
        func close() {
            shared.stop.store(true, ordering: .relaxed)
            if reader != nil { finished.wait() }
            reader = nil
            for socket in sockets { socket.close() }
            sockets = []
        }

        private static func endOfHead(in bytes: [UInt8]) -> Int? {
            guard bytes.count >= 4 else { return nil }
            for index in 0...(bytes.count - 4)
            where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                return index + 4
            }
            return nil
        }

        /// Reads every stream until told to stop; counts `event: message` lines, also across reads.
        /// Cheap on purpose (no allocation per read): the bench shares the machine's cores with the
        /// server it measures.
        private static func drain(_ fds: [Int32], shared: Shared) {
            var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let marker = Array("event: message\n".utf8)
            // How much of the marker each stream's last read ended with.
            var matched = [Int](repeating: 0, count: fds.count)
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while !shared.stop.load(ordering: .relaxed) {
                guard poll(&polled, nfds_t(polled.count), 100) > 0 else { continue }
                for index in polled.indices where polled[index].revents != 0 {
                    polled[index].revents = 0
                    let count = recv(polled[index].fd, &chunk, chunk.count, 0)
                    guard count > 0 else {
                        if count == 0 { polled[index].fd = -1 }  // closed by the server: ignored from now on
                        continue
                    }
                    var found = 0
                    var state = matched[index]
                    for position in 0..<count {
                        let byte = chunk[position]
                        if byte == marker[state] {
                            state += 1
                            if state == marker.count {
                                found += 1
                                state = 0
                            }
                        } else {
                            state = byte == marker[0] ? 1 : 0
                        }
                    }
                    matched[index] = state
                    if found > 0 { shared.messages.add(found, ordering: .relaxed) }
                }
            }
        }
    }

    static func run(messages: Int, size: Int, connections: Int, fanOut: Int, held: Int) throws {
        say("SSE: letterbox executable as a child; SMTP \(messages) × \(size) B over \(connections) connections")
        let server = try LetterboxChild(["--max-connections", String(held + 1000)])
        defer { server.stop() }
        func ingest(_ label: String) -> Double {
            let result = SMTPLoad.run(
                port: server.smtp, connections: connections, messages: messages, size: size, reuse: true)
            let rate = Double(result.latencies.count) / result.seconds
            say(String(format: "  %@: %.0f messages/s (%d failures)", label, rate, result.failures))
            return rate
        }
        _ = ingest("warm-up")
        // Rounds alternate, and the medians are compared: a shared machine's noise hits both.
        var alone: [Double] = []
        var with: [Double] = []
        var delivered = 0
        for _ in 0..<3 {
            _ = try? PeerSocket(port: server.http, timeout: 10).send(
                Array("DELETE /messages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
            alone.append(ingest("no subscribers"))
            let subscribers = try Subscribers(count: fanOut, httpPort: server.http)
            with.append(ingest("\(fanOut) subscribers"))
            let deadline = Date().addingTimeInterval(30)
            while subscribers.messageEvents < fanOut * messages, Date() < deadline { usleep(50_000) }
            delivered = subscribers.messageEvents
            subscribers.close()
        }
        let ratio = with.sorted()[1] / alone.sorted()[1]
        say(
            String(
                format: "  ingest with %d subscribers: %.1f %% of the rate without, medians of 3 (goal ≥ 90 %%) %@; "
                    + "%d of %d message events delivered in the last round",
                fanOut, ratio * 100, ratio >= 0.9 ? "PASS" : "FAIL", delivered, fanOut * messages))

        usleep(500_000)
        let before = server.residentBytes
        let many = try Subscribers(count: held, httpPort: server.http)
        usleep(1_000_000)
        let after = server.residentBytes
        let perSubscriber = Double(after - before) / Double(held) / 1024
        let open = server.openFiles
        let probe = try PeerSocket(port: server.smtp, timeout: 10)
        probe.close()
        _ = SMTPLoad.run(port: server.smtp, connections: 1, messages: 1, size: 1024, reuse: true)
        let end = Date().addingTimeInterval(30)
        while many.messageEvents < held, Date() < end { usleep(50_000) }
        say(
            String(
                format: "  %d subscribers held: server RSS %@ → %@, %.1f KiB each (goal ≤ 32 KiB) %@; "
                    + "%d descriptors open; one message reached %d of them",
                held, mebibytes(before), mebibytes(after), perSubscriber, perSubscriber <= 32 ? "PASS" : "FAIL", open,
                many.messageEvents, held))
        many.close()
    }
}
