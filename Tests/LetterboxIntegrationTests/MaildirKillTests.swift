import Foundation
import LetterboxStore
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `kill -9` while 8 clients are sending: after a restart every message that got 250 is there,
/// byte for byte, and no partial message appears, with `--maildir-fsync always` and with `never`
/// (which skips every fsync but still renames into `new/` before the 250: the page cache outlives
/// the process).
@Suite(.timeLimit(.minutes(3))) struct MaildirKillTests {
    /// The `letterbox` binary SwiftPM built next to this test bundle.
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("letterbox")
            .path
    }

    /// The message client `client` sends as its `number`th: sizes from 300 bytes to 200 KiB, so a
    /// kill lands in the middle of writes of every size.
    static func message(client: Int, number: Int) -> [UInt8] {
        let sizes = [300, 5000, 40_000, 200_000]
        var text = "From: k@example.com\r\nTo: r@example.com\r\nSubject: k\(client)-\(number)\r\n\r\n"
        let target = sizes[(client + number) % sizes.count]
        var line = 0
        while text.utf8.count < target {
            text += "line \(line) of k\(client)-\(number) " + String(repeating: "x", count: 50) + "\r\n"
            line += 1
        }
        return Array(text.utf8)
    }

    /// Sends messages on one connection until the server goes away; returns the subjects that got 250.
    static func send(client: Int, port: Int, stop: Flag, counter: Counter) async -> [String] {
        var acknowledged: [String] = []
        guard let connection = try? LineClient(port: port) else { return [] }
        do {
            _ = try await connection.reply()
            try await connection.send("EHLO k\(client)\r\n")
            _ = try await connection.reply()
            var number = 0
            while !stop.isSet {
                try await connection.send("MAIL FROM:<k@example.com>\r\nRCPT TO:<r@example.com>\r\nDATA\r\n")
                for _ in 0..<3 { _ = try await connection.reply() }
                try await connection.send(bytes: message(client: client, number: number) + Array(".\r\n".utf8))
                if try await connection.code() == 250 {
                    acknowledged.append("k\(client)-\(number)")
                    counter.increment()
                }
                number += 1
            }
        } catch {
            // The server was killed: what was acknowledged so far is the record.
        }
        await connection.close()
        return acknowledged
    }

    @Test(arguments: ["always", "never"])
    func everyAcknowledgedMessageSurvivesKillDashNine(fsync: String) async throws {
        let folder = try MaildirIntegrationTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = SpawnedProcess()
        server.executableURL = URL(fileURLWithPath: Self.binary)
        server.arguments = [
            "--storage", "maildir", "--maildir", folder, "--maildir-fsync", fsync, "--smtp-port", "0", "--pop3-port",
            "off", "--imap-port", "off",
            "--http-port", "off", "--log-level", "warning",
        ]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        let reader = output.fileHandleForReading
        let line = try await onOwnThread { String(decoding: reader.availableData, as: UTF8.self) }
        let port = try #require(
            line.split(separator: "\n").first?.split(separator: ":").last.flatMap { Int($0) }, "\(line)")

        let stop = Flag()
        let killed = Flag()
        let counter = Counter()
        let acknowledged = await withTaskGroup(of: [String].self) { group in
            for client in 0..<8 {
                group.addTask { await Self.send(client: client, port: port, stop: stop, counter: counter) }
            }
            group.addTask {
                // Kill while every client is mid-transaction: once 200 messages were acknowledged
                // (however busy the machine is) and at least half a second of steady load.
                let started = ContinuousClock.now
                while counter.value < 200 || ContinuousClock.now - started < .milliseconds(500) {
                    if ContinuousClock.now - started > .seconds(60) { break }
                    try? await Task.sleep(for: .milliseconds(5))
                }
                kill(server.processIdentifier, SIGKILL)
                killed.set()
                stop.set()
                return []
            }
            var all: [String] = []
            for await subjects in group { all += subjects }
            return all
        }
        try await onOwnThread { server.waitUntilExit() }
        #expect(killed.isSet)
        #expect(server.terminationReason == .uncaughtSignal)
        #expect(acknowledged.count >= 200, "too little load to mean anything: \(acknowledged.count) acknowledged")

        let store = try MaildirStore(path: folder)
        var stored: [String: [UInt8]] = [:]
        for message in store.messages() {
            let subject = message.subject
            #expect(stored[subject] == nil, "\(subject) stored twice")
            stored[subject] = message.raw
        }
        for subject in acknowledged {
            #expect(stored[subject] != nil, "\(subject) got 250 but is missing after the restart")
        }
        for (subject, raw) in stored {
            // Every message served is complete: exactly what its client sent.
            let parts = subject.dropFirst().split(separator: "-").compactMap { Int($0) }
            #expect(
                parts.count == 2 && raw == Self.message(client: parts[0], number: parts[1]),
                "\(subject) is not complete")
        }
        #expect(stored.count >= acknowledged.count)
        #expect(stored.count <= acknowledged.count + 8, "at most one unacknowledged message per client")
        // Envelopes survived too.
        #expect(
            store.messages().allSatisfy {
                $0.envelope.sender == "k@example.com" && $0.envelope.recipients == ["r@example.com"]
            })
    }
}

/// A flag one task sets and others read.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}

/// A count several tasks increase.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { count.add(1, ordering: .relaxed) }
}
