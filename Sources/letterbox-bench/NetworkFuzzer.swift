import Foundation
import LetterboxFaults
import Synchronization

/// `letterbox-bench netfuzz`: mutated transcripts of SMTP, POP3, IMAP and HTTP sent to a live
/// `letterbox` child in parallel sessions, with a health probe (``HealthProbe``) after each
/// batch. When the server dies or fails the probe, the batch's inputs are replayed one at a time
/// against a fresh server to find the culprits, which are saved as fixtures
/// (`<fixtures>/<protocol>-seed<seed>-<session>-p<pieces>-e<ending>.bin`: the exact bytes sent,
/// and how: in how many pieces, and whether the session then read replies (e0), half-closed first
/// (e1) or reset at once (e2)); the fuzzing goes on with a fresh server. A server still busy at
/// the probe gets a second chance (30 s) and counts as a stall, not a failure. Session `n` of seed `s` is always the same input.
enum NetworkFuzzer {
    /// One session's input and how it is delivered.
    struct Input: Sendable {
        var index: Int
        var protocolName: FuzzTranscripts.ProtocolName
        var bytes: [UInt8]
        /// How many pieces the bytes are sent in (1: at once).
        var pieces: Int
        /// 0: read replies until quiet, then close; 1: half-close first; 2: reset at once.
        var ending: Int
    }

    /// The input of session `index` in a run with `seed`.
    static func input(seed: UInt64, index: Int) -> Input {
        var mutator = TranscriptMutator(random: SeededGenerator(seed: seed &* 0x1000_0000_01B3 &+ UInt64(index)))
        let protocolName = FuzzTranscripts.ProtocolName.allCases[Int.random(in: 0..<4, using: &mutator.random)]
        let bytes = mutator.input(for: protocolName)
        let pieces =
            Int.random(in: 0..<4, using: &mutator.random) == 0 ? Int.random(in: 2...16, using: &mutator.random) : 1
        let ending = [0, 0, 0, 1, 2][Int.random(in: 0..<5, using: &mutator.random)]
        return Input(index: index, protocolName: protocolName, bytes: bytes, pieces: pieces, ending: ending)
    }

    /// Sends `input` to the server's listener for its protocol. False when the connection failed.
    @discardableResult
    static func play(_ input: Input, ports: [FuzzTranscripts.ProtocolName: Int]) -> Bool {
        guard let port = ports[input.protocolName], let socket = try? PeerSocket(port: port, timeout: 2) else {
            return false
        }
        let size = max(1, (input.bytes.count + input.pieces - 1) / input.pieces)
        var offset = 0
        while offset < input.bytes.count {
            let end = min(input.bytes.count, offset + size)
            guard socket.send(Array(input.bytes[offset..<end])) else { break }
            offset = end
        }
        switch input.ending {
        case 2: socket.reset()
        case 1:
            socket.finishSending()
            _ = socket.drain(quiet: 0.05, limit: 1)
        default: _ = socket.drain(quiet: 0.05, limit: 1)
        }
        return true
    }

    static func ports(of server: LetterboxChild) -> [FuzzTranscripts.ProtocolName: Int] {
        [.smtp: server.smtp, .pop3: server.pop3, .imap: server.imap, .http: server.http]
    }

    /// A few messages for POP3, IMAP and HTTP sessions to read.
    static func seedMessages(_ server: LetterboxChild) {
        _ = SMTPLoad.run(port: server.smtp, connections: 1, messages: 5, size: 2048, reuse: true)
    }

    /// Undoes what fuzz sessions may have changed that a probe depends on (fault rules answer the
    /// SMTP greeting too), and keeps the store small every `every` batches.
    static func tidy(_ server: LetterboxChild, batch: Int) {
        _ = try? BlockingHTTPClient.request("DELETE", "/faults", port: server.http, timeout: 5)
        if batch % 20 == 19 {
            _ = try? BlockingHTTPClient.request("DELETE", "/messages?mailbox=*", port: server.http, timeout: 30)
            seedMessages(server)
        }
    }

    static func startServer() throws -> LetterboxChild {
        let server = try LetterboxChild()
        seedMessages(server)
        return server
    }

    /// The run; returns the process exit status (1 when anything failed the probe).
    /// - Parameter first: the first session to play (0: from the start); a run from the start of
    ///   a batch a longer run reported plays that batch again, with the same inputs.
    static func run(
        sessions: Int, seconds: Double, seed: UInt64, parallel: Int, fixtures: String, first: Int = 0
    ) throws -> Int32 {
        let batchSize = parallel * 16
        var server = try startServer()
        // Each kind of failure (crash site, or what the probe saw) once, with the batches it ended
        // and the saved inputs that cause it alone.
        var sites: [String: (batches: Int, culprits: [String])] = [:]
        var order: [String] = []
        var failedBatches = 0
        var stalls: [Double] = []
        let end = first + sessions
        var done = first
        var refused = 0
        var bytesSent = 0
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        var batch = first / batchSize
        say(
            "netfuzz: seed \(seed), \(parallel) parallel sessions, batches of \(batchSize), up to \(sessions) sessions or \(seconds) s"
        )
        while done < end && elapsed() < seconds {
            let batchStart = done
            let count = min(batchSize, end - done)
            let ports = ports(of: server)
            let next = Atomic<Int>(batchStart)
            let totals = Mutex<(refused: Int, bytes: Int)>((0, 0))
            let group = DispatchGroup()
            for _ in 0..<parallel {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    while true {
                        let index = next.add(1, ordering: .relaxed).oldValue
                        guard index < batchStart + count else { return }
                        let session = NetworkFuzzer.input(seed: seed, index: index)
                        let connected = play(session, ports: ports)
                        totals.withLock {
                            $0.bytes += session.bytes.count
                            if !connected { $0.refused += 1 }
                        }
                    }
                }
            }
            group.wait()
            done += count
            totals.withLock {
                refused += $0.refused
                bytesSent += $0.bytes
            }
            tidy(server, batch: batch)
            let (verdict, stalled) = verdict(server)
            if let stalled {
                stalls.append(stalled)
                say(
                    String(
                        format: "netfuzz: batch %d: the server took %.1f s to answer the probe (stalled, not dead)",
                        batch, stalled))
            }
            if let problem = verdict {
                let site = server.crashSite() ?? String(problem.prefix(40))
                say("netfuzz: batch \(batch) (sessions \(batchStart)..<\(batchStart + count)): \(problem) [\(site)]")
                server.stop()
                if sites[site] == nil {
                    // A new kind of failure: find the inputs that cause it alone and save them.
                    var culprits = try isolate(seed: seed, range: batchStart..<batchStart + count, fixtures: fixtures)
                    if culprits.isEmpty {
                        let folder = "\(fixtures)/batch-seed\(seed)-\(batch)"
                        try save(
                            (batchStart..<batchStart + count).map { NetworkFuzzer.input(seed: seed, index: $0) },
                            to: folder,
                            seed: seed)
                        culprits = ["no single input reproduces it alone; the batch's inputs are in \(folder)"]
                    }
                    sites[site] = (0, culprits)
                    order.append(site)
                }
                sites[site]?.batches += 1
                failedBatches += 1
                server = try startServer()
            }
            batch += 1
            if batch % 10 == 0 {
                say(
                    String(
                        format: "  %d sessions, %.0f sessions/s, server RSS %@, %d fds", done - first,
                        Double(done - first) / elapsed(),
                        mebibytes(server.residentBytes), server.openFiles))
            }
        }
        let seconds = elapsed()
        say(
            String(
                format:
                    "netfuzz: %d mutated sessions (%.1f MB sent) in %.1f s: %.0f sessions/s; %d connections refused; server RSS %@, %d fds at the end; batches ending in a crash or a failed probe: %d, distinct failures: %d; batches after which the probe waited > 5 s (stalls): %d, longest %.1f s (goal: ≥ 100,000 sessions, 0 failures, 0 stalls)",
                done - first, Double(bytesSent) / 1e6, seconds, Double(done - first) / seconds,
                refused,
                mebibytes(server.residentBytes),
                server.openFiles, failedBatches, order.count, stalls.count, stalls.max() ?? 0))
        for site in order {
            guard let entry = sites[site] else { continue }
            say("  \(site): \(entry.batches) batch(es)")
            for culprit in entry.culprits { say("    \(culprit)") }
        }
        server.stop()
        return failedBatches == 0 ? 0 : 1
    }

    /// The health probe with a second chance: a server still running whose probe failed may be
    /// busy rather than broken (working through what closed sessions pipelined, or stalled by one
    /// request), so it is probed again with 30 s per step. `problem` is nil once it answered;
    /// `stalled` is the seconds that took when the first probe failed.
    static func verdict(_ server: LetterboxChild) -> (problem: String?, stalled: Double?) {
        let start = DispatchTime.now().uptimeNanoseconds
        guard let first = HealthProbe.check(server) else { return (nil, nil) }
        guard server.isRunning, HealthProbe.check(server, timeout: 30) == nil else { return (first, nil) }
        return (nil, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// Replays each input of `range` alone against a fresh server, probing after each; saves and
    /// describes those after which the probe fails.
    static func isolate(seed: UInt64, range: Range<Int>, fixtures: String) throws -> [String] {
        var found: [String] = []
        var server = try startServer()
        for index in range {
            let input = NetworkFuzzer.input(seed: seed, index: index)
            play(input, ports: ports(of: server))
            _ = try? BlockingHTTPClient.request("DELETE", "/faults", port: server.http, timeout: 5)
            guard let problem = verdict(server).problem else { continue }
            let path = try save([input], to: fixtures, seed: seed).first ?? ""
            let site = server.crashSite().map { " at \($0)" } ?? ""
            found.append("\(input.protocolName.rawValue) session \(index): \(problem)\(site) → \(path)")
            say("  reproduced alone: \(found.last ?? "")")
            server.stop()
            server = try startServer()
        }
        server.stop()
        return found
    }

    /// Writes each input's exact bytes to `folder/<protocol>-seed<seed>-<session>.bin`.
    @discardableResult
    static func save(_ inputs: [Input], to folder: String, seed: UInt64) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return try inputs.map { input in
            let path =
                "\(folder)/\(input.protocolName.rawValue)-seed\(seed)-\(input.index)-p\(input.pieces)-e\(input.ending).bin"
            try Data(input.bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    /// `netfuzz --replay DIR`: sends every saved input (the protocol from its name's prefix) to a
    /// fresh server, probing after each; returns 1 when any fails the probe.
    static func replay(directory: String) throws -> Int32 {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw LetterboxChild.Failure(description: "cannot read \(directory)")
        }
        let files = enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".bin") }.sorted()
        var server = try startServer()
        var failed = 0
        for file in files {
            let name = URL(fileURLWithPath: file).lastPathComponent
            guard let protocolName = FuzzTranscripts.ProtocolName(rawValue: String(name.prefix { $0 != "-" })),
                let data = FileManager.default.contents(atPath: "\(directory)/\(file)")
            else { continue }
            // `-p<pieces>-e<ending>` in the name: how it was delivered (at once and read, without).
            let fields = name.dropLast(4).split(separator: "-")
            let pieces = fields.last { $0.hasPrefix("p") }.flatMap { Int($0.dropFirst()) } ?? 1
            let ending = fields.last { $0.hasPrefix("e") }.flatMap { Int($0.dropFirst()) } ?? 0
            play(
                Input(
                    index: 0, protocolName: protocolName, bytes: [UInt8](data), pieces: max(1, pieces), ending: ending),
                ports: ports(of: server))
            _ = try? BlockingHTTPClient.request("DELETE", "/faults", port: server.http, timeout: 5)
            let (verdict, stalled) = verdict(server)
            if let problem = verdict ?? stalled.map({ String(format: "stalled: the probe waited %.1f s", $0) }) {
                failed += 1
                say("netfuzz replay: \(file): \(problem)\(server.crashSite().map { " at \($0)" } ?? "")")
                server.stop()
                server = try startServer()
            }
        }
        server.stop()
        say("netfuzz replay: \(files.count) saved inputs from \(directory), \(failed) failed the probe")
        return failed == 0 ? 0 : 1
    }
}
