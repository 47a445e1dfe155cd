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
            /// Octets read, over every stream.
            let bytes = Atomic<Int>(0)
            let stop = Atomic<Bool>(false)
            /// CPU time the reader threads used, in nanoseconds, added as each ends.
            let cpu = Atomic<Int>(0)
        }
        private let shared = Shared()
        private var readers = 0
        private let finished = DispatchSemaphore(value: 0)

        /// Opens `count` streams at `/events` and checks each answers `200` with `text/event-stream`.
        convenience init(count: Int, httpPort: Int) throws {
            let request = Array(
                "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8)
            var sockets: [PeerSocket] = []
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
                sockets.append(socket)
            }
            self.init(reading: sockets)
        }

        /// Reads `sockets` (streams already past any response head) with the reader threads.
        init(reading sockets: [PeerSocket]) {
            for socket in sockets {
                let flags = fcntl(socket.fd, F_GETFL, 0)
                _ = fcntl(socket.fd, F_SETFL, flags | O_NONBLOCK)
            }
            self.sockets = sockets
            let fds = sockets.map(\.fd)
            let share = (fds.count + Self.readerThreads - 1) / Self.readerThreads
            for start in stride(from: 0, to: fds.count, by: max(1, share)) {
                let slice = Array(fds[start..<min(fds.count, start + share)])
                Thread { [shared, finished] in
                    Self.drain(slice, shared: shared)
                    shared.cpu.add(Int(SSEFanOut.threadCPUSeconds() * 1e9), ordering: .relaxed)
                    finished.signal()
                }.start()
                readers += 1
            }
        }

        /// `event: message` records received by all subscribers so far.
        var messageEvents: Int { shared.messages.load(ordering: .relaxed) }

        /// Octets received by all subscribers so far (response heads not counted).
        var bytesRead: Int { shared.bytes.load(ordering: .relaxed) }

        /// CPU seconds the reader threads used, once ``close()`` has stopped them.
        var readerCPUSeconds: Double { Double(shared.cpu.load(ordering: .relaxed)) / 1e9 }

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
                    shared.bytes.add(total - tail.count, ordering: .relaxed)
                    tails[index] = Array(chunk[max(0, total - carry)..<total])
                    if found > 0 { shared.messages.add(found, ordering: .relaxed) }
                }
            }
        }
    }

    /// CPU seconds this process has used (user and system, every thread).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        let seconds = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
        let micros = usage.ru_utime.tv_usec + usage.ru_stime.tv_usec
        return Double(seconds) + Double(micros) / 1e6
    }

    /// CPU seconds the calling thread has used.
    static func threadCPUSeconds() -> Double {
        var used = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &used)
        return Double(used.tv_sec) + Double(used.tv_nsec) / 1e9
    }

    /// The kernel's part of a fan-out, measured apart from any server: one thread writes `bytes`
    /// octets to each of `streams` loopback TCP connections, `chunk` octets at a time, stream after
    /// stream (as the server's streams take turns), while ``Subscribers`` reads them as it reads
    /// event streams. Returns that thread's CPU seconds: what sending those octets costs any
    /// server here, the receiving side's TCP work included (on loopback it runs in the sender's
    /// system call).
    static func loopbackSendCPU(streams: Int, bytes: Int, chunk: Int) throws -> Double {
        let pairs = try PeerSocket.pairs(streams, timeout: 10)
        let readers = Subscribers(reading: pairs.map(\.client))
        defer { readers.close() }
        let record = Array(repeating: UInt8(ascii: "x"), count: max(1, chunk) - 1) + [10]
        let before = threadCPUSeconds()
        var sent = 0
        while sent < bytes {
            for pair in pairs where !pair.server.send(record) {
                throw PeerSocket.Failure(description: "loopback send failed: errno \(errno)")
            }
            sent += record.count
        }
        let cpu = threadCPUSeconds() - before
        let deadline = Date().addingTimeInterval(30)
        while readers.bytesRead < sent * streams, Date() < deadline { usleep(10_000) }
        return cpu
    }

    static func run(messages: Int, size: Int, connections: Int, fanOut: Int, held: Int, rate: Int) throws {
        say("SSE: letterbox executable as a child; SMTP \(messages) × \(size) B over \(connections) connections")
        let subscribedServer = try LetterboxChild(["--max-connections", String(held + 1000)])
        defer { subscribedServer.stop() }
        // The rounds without subscribers have a server of their own that never had one: a server
        // keeps watching its store for a minute after its last stream closed (so a client that
        // reconnects resumes), and that watching is part of the fan-out's cost, not of the rate
        // without it.
        let unsubscribedServer = try LetterboxChild()
        defer { unsubscribedServer.stop() }
        /// One ingest: its rate, the server's CPU seconds until `fanOut` subscribers (if any) have
        /// read every message event, and the subscribers' reader threads' CPU seconds.
        struct Round {
            var rate: Double
            var serverCPU: Double
            var readerCPU = 0.0
            /// The bench's own CPU seconds in the round: the SMTP senders, and the readers if any.
            var benchCPU = 0.0
            var delivered = 0
            /// Octets the subscribers read, all of them together.
            var bytes = 0
            var seconds: Double
        }
        func round(_ label: String, subscribed: Int, rate: Double? = nil) throws -> Round {
            let server = subscribed > 0 ? subscribedServer : unsubscribedServer
            // The store emptied before the subscribers come: the answer awaited, or the deletion
            // of the last round's messages would be an event of this round, judged and sent to
            // every subscriber while the senders run.
            if let socket = try? PeerSocket(port: server.http, timeout: 10),
                socket.send(Array("DELETE /messages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
            {
                _ = socket.receive { $0.count >= 12 }
                socket.close()
                // A server that had streams still watches its store (for resumption): its event of
                // the deletion is published a few milliseconds later, and must be in the log
                // before this round's subscribers start reading from its end.
                usleep(200_000)
            }
            let subscribers = subscribed > 0 ? try Subscribers(count: subscribed, httpPort: server.http) : nil
            let cpu = server.cpuSeconds
            let ownCPU = Self.processCPUSeconds()
            let result = SMTPLoad.run(
                port: server.smtp, connections: connections, messages: messages, size: size, reuse: true, rate: rate)
            var outcome = Round(
                rate: Double(result.latencies.count) / result.seconds, serverCPU: 0, seconds: result.seconds)
            if let subscribers {
                let deadline = Date().addingTimeInterval(30)
                while subscribers.messageEvents < subscribed * messages, Date() < deadline { usleep(20_000) }
                outcome.delivered = subscribers.messageEvents
                outcome.bytes = subscribers.bytesRead
            }
            outcome.serverCPU = server.cpuSeconds - cpu
            subscribers?.close()
            outcome.readerCPU = subscribers?.readerCPUSeconds ?? 0
            outcome.benchCPU = Self.processCPUSeconds() - ownCPU
            say(
                String(
                    format: "  %@: %.0f messages/s (%d failures); server CPU %.0f ms (%.1f µs per message)%@", label,
                    outcome.rate, result.failures, outcome.serverCPU * 1000,
                    outcome.serverCPU / Double(messages) * 1e6,
                    subscribers == nil
                        ? ""
                        : String(
                            format: "; bench readers' CPU %.0f ms; %d of %d events read", outcome.readerCPU * 1000,
                            outcome.delivered, subscribed * messages)))
            return outcome
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        _ = try round("warm-up", subscribed: 0)
        _ = try round("warm-up", subscribed: 1)
        // Rounds alternate, and the medians are compared: a shared machine's noise hits both.
        var alone: [Round] = []
        var with: [Round] = []
        for _ in 0..<3 {
            alone.append(try round("no subscribers", subscribed: 0))
            with.append(try round("\(fanOut) subscribers", subscribed: fanOut))
        }
        // Server CPU per delivered event per subscriber: the CPU of a round with subscribers (until
        // its events are read) less that of the round without, over the events delivered. CPU time,
        // unlike a rate, is not bent by other processes on a loaded machine.
        let fanOutCost = zip(alone, with).compactMap { alone, with in
            with.delivered > 0 ? (with.serverCPU - alone.serverCPU) / Double(with.delivered) * 1e6 : nil
        }
        if !fanOutCost.isEmpty {
            say(
                String(
                    format: "  server CPU per delivered event per subscriber: %.3f µs (median of %d rounds; %@)",
                    median(fanOutCost), fanOutCost.count,
                    fanOutCost.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
        }
        let readers = median(with.map { $0.readerCPU / ($0.seconds * 2) })
        say(
            String(
                format: "  the bench's %d stream readers used %.0f %% of the 2 cores during a round with subscribers "
                    + "(median): CPU the server and the SMTP senders did not have", fanOut, readers * 100))
        let ratio = median(with.map(\.rate)) / median(alone.map(\.rate))
        say(
            String(
                format: "  ingest with %d subscribers: %.1f %% of the rate without, medians of 3 (goal ≥ 90 %%) %@; "
                    + "%d of %d message events delivered in the last round",
                fanOut, ratio * 100, ratio >= 0.9 ? "PASS" : "FAIL", with.last?.delivered ?? 0, fanOut * messages))
        // On two cores that the round keeps busy, the rate follows the CPU a message costs everyone
        // (server, senders, readers). The best a fan-out can do is cost the server nothing: then a
        // round with subscribers costs the round without plus the readers' CPU.
        let cpuAlone = median(alone.map { $0.serverCPU + $0.benchCPU })
        let cpuWith = median(with.map { $0.serverCPU + $0.benchCPU })
        let readerCPU = median(with.map(\.readerCPU))
        say(
            String(
                format: "  CPU a round costs (server + bench, medians): %.0f ms without, %.0f ms with %d subscribers "
                    + "(%.0f ms of it the bench's readers): by CPU, %.1f %% of the rate without; a fan-out that cost "
                    + "the server nothing would reach %.1f %% with these readers on this machine",
                cpuAlone * 1000, cpuWith * 1000, fanOut, readerCPU * 1000, cpuAlone / cpuWith * 100,
                cpuAlone / (cpuAlone + readerCPU) * 100))
        // Nor can a server send the streams' octets for nothing: the kernel's part, measured apart
        // with the same octets per stream, in writes the size of the server's (what arrives in one
        // rest interval of 25 ms, at most 256 KiB).
        let perStream = Int(median(with.map { Double($0.bytes) / Double(fanOut) }))
        let writes = max(1, Int(median(with.map(\.seconds)) / 0.025))
        let chunk = min(256 << 10, max(1, perStream / writes))
        let sendCPU = try loopbackSendCPU(streams: fanOut, bytes: perStream, chunk: chunk)
        say(
            String(
                format: "  the kernel's part, measured apart: writing the same %.0f KiB to each of %d loopback streams "
                    + "(%d-octet writes) took %.0f ms of CPU, %.3f µs per event per subscriber; a fan-out that "
                    + "cost the server only that would reach %.1f %% with these readers on this machine",
                Double(perStream) / 1024, fanOut, chunk, sendCPU * 1000, sendCPU / Double(fanOut * messages) * 1e6,
                cpuAlone / (cpuAlone + readerCPU + sendCPU) * 100))
        if rate > 0 {
            // At a set rate both rounds should keep up; what the subscribers cost shows in the
            // server's CPU, not in a rate bent by the readers sharing the cores.
            var fixedAlone: [Round] = []
            var fixedWith: [Round] = []
            for _ in 0..<3 {
                fixedAlone.append(try round("\(rate)/s, no subscribers", subscribed: 0, rate: Double(rate)))
                fixedWith.append(try round("\(rate)/s, \(fanOut) subscribers", subscribed: fanOut, rate: Double(rate)))
            }
            let achieved = median(fixedWith.map(\.rate)) / median(fixedAlone.map(\.rate))
            let cpuAlone = median(fixedAlone.map(\.serverCPU))
            let cpuWith = median(fixedWith.map(\.serverCPU))
            say(
                String(
                    format: "  at %d messages/s: %.1f %% of the rate without achieved with %d subscribers; server CPU "
                        + "%.0f → %.0f ms a round (%.0f %% → %.0f %% of one core), medians of 3",
                    rate, achieved * 100, fanOut, cpuAlone * 1000, cpuWith * 1000,
                    cpuAlone / median(fixedAlone.map(\.seconds)) * 100, cpuWith / median(fixedWith.map(\.seconds)) * 100
                ))
        }

        usleep(500_000)
        let server = subscribedServer
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
