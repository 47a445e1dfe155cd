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
/// The subscribers are drained by a few `poll` threads (each owns a share of the streams; one
/// thread fell behind 100 streams and the server dropped them as slow), as browser tabs would
/// read their streams, and count the `event: message` records they get, so the figures are for
/// streams that deliver.
enum SSEFanOut {
    /// Open event streams, read and discarded by ``readerThreads`` threads, counting `event:
    /// message` records.
    final class Subscribers: @unchecked Sendable {  // `sockets` is fixed before the threads start; counts are atomic
        /// Threads that read the streams.
        static let readerThreads = 4
        private(set) var sockets: [PeerSocket] = []
        /// Shared with the reader thread.
        private final class Shared: Sendable {
            let messages = Atomic<Int>(0)
            let stop = Atomic<Bool>(false)
        }
        private let shared = Shared()
        private var readers = 0
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
            let share = (fds.count + Self.readerThreads - 1) / Self.readerThreads
            for start in stride(from: 0, to: fds.count, by: max(1, share)) {
                let slice = Array(fds[start..<min(fds.count, start + share)])
                Thread { [shared, finished] in
                    Self.drain(slice, shared: shared)
                    finished.signal()
                }.start()
                readers += 1
            }
        }

        /// `event: message` records received by all subscribers so far.
        var messageEvents: Int { shared.messages.load(ordering: .relaxed) }

        /// Stops the reader and closes every stream.
        func close() {
            shared.stop.store(true, ordering: .relaxed)
            for _ in 0..<readers { finished.wait() }
            readers = 0
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
        /// Cheap on purpose (no allocation per read, `memchr` instead of a byte loop): the bench
        /// shares the machine's cores with the server it measures.
        private static func drain(_ fds: [Int32], shared: Shared) {
            var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let marker = Array("\nevent: message\n".utf8)
            let carry = marker.count - 1
            // The last `carry` octets of each stream's previous read: a marker split across reads.
            var tails = [[UInt8]](repeating: [], count: fds.count)
            var chunk = [UInt8](repeating: 0, count: 262_144 + carry)
            while !shared.stop.load(ordering: .relaxed) {
                guard poll(&polled, nfds_t(polled.count), 100) > 0 else { continue }
                for index in polled.indices where polled[index].revents != 0 {
                    polled[index].revents = 0
                    let tail = tails[index]
                    let (found, total) = chunk.withUnsafeMutableBytes { buffer -> (Int, Int) in
                        guard let base = buffer.baseAddress else { return (0, 0) }
                        tail.withUnsafeBytes { if let source = $0.baseAddress { memcpy(base, source, $0.count) } }
                        let count = recv(polled[index].fd, base + tail.count, buffer.count - tail.count, 0)
                        guard count > 0 else {
                            if count == 0 { polled[index].fd = -1 }  // closed by the server: ignored from now on
                            return (0, -1)
                        }
                        let total = tail.count + count
                        var found = 0
                        var cursor = base
                        var left = total
                        // Line breaks are few (four per event): memchr finds them, memcmp checks the line.
                        while left >= marker.count, let hit = memchr(cursor, 10, left) {
                            let offset = cursor.distance(to: hit)
                            guard left - offset >= marker.count else { break }
                            let matched = memcmp(hit, marker, marker.count) == 0
                            if matched { found += 1 }
                            let skipped = offset + (matched ? marker.count - 1 : 1)
                            cursor += skipped
                            left -= skipped
                        }
                        return (found, total)
                    }
                    guard total >= 0 else { continue }
                    tails[index] = Array(chunk[max(0, total - carry)..<total])
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
        // Server CPU per delivered event per subscriber: the CPU of a round with subscribers (until
        // its events are read) less that of the round without, over the events delivered. CPU time,
        // unlike a rate, is not bent by other processes on a loaded machine.
        var fanOutCost: [Double] = []
        for _ in 0..<3 {
            _ = try? PeerSocket(port: server.http, timeout: 10).send(
                Array("DELETE /messages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
            var cpu = server.cpuSeconds
            alone.append(ingest("no subscribers"))
            let cpuAlone = server.cpuSeconds - cpu
            let subscribers = try Subscribers(count: fanOut, httpPort: server.http)
            cpu = server.cpuSeconds
            with.append(ingest("\(fanOut) subscribers"))
            let deadline = Date().addingTimeInterval(30)
            while subscribers.messageEvents < fanOut * messages, Date() < deadline { usleep(50_000) }
            delivered = subscribers.messageEvents
            let cpuWith = server.cpuSeconds - cpu
            subscribers.close()
            if delivered > 0 { fanOutCost.append((cpuWith - cpuAlone) / Double(delivered) * 1e6) }
        }
        if !fanOutCost.isEmpty {
            say(
                String(
                    format: "  server CPU per delivered event per subscriber: %.2f µs (median of %d rounds; %@)",
                    fanOutCost.sorted()[fanOutCost.count / 2], fanOutCost.count,
                    fanOutCost.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
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
