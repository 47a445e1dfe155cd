import Foundation
import Synchronization
import TestSupport
import Testing

/// The `letterbox` executable as a user runs it: flags, environment, listener lines, signals.
@Suite struct ExecutableTests {
    /// The binary SwiftPM built next to this test bundle (the test target depends on it).
    private static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("letterbox")
            .path
    }

    /// A running `letterbox` whose stdout lines can be awaited.
    private final class RunningServer: @unchecked Sendable {
        // @unchecked: `lines` is only touched under `lock`; Process is used from the test task only.
        let process = SpawnedProcess()
        private let lock = NSLock()
        private var lines: [String] = []
        private var partial = ""

        init(arguments: [String], environment: [String: String] = [:]) throws {
            process.executableURL = URL(fileURLWithPath: ExecutableTests.binary)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [self] handle in
                let text = String(decoding: handle.availableData, as: UTF8.self)
                lock.withLock {
                    partial += text
                    while let newline = partial.firstIndex(of: "\n") {
                        lines.append(String(partial[..<newline]))
                        partial = String(partial[partial.index(after: newline)...])
                    }
                }
            }
            try process.run()
        }

        /// Waits (generously) until `count` lines were printed.
        func waitForLines(_ count: Int) async throws -> [String] {
            for _ in 0..<600 {
                let current = lock.withLock { lines }
                if current.count >= count { return current }
                if !process.isRunning { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            return lock.withLock { lines }
        }

        func port(of name: String, in lines: [String]) -> Int? {
            lines.first { $0.hasPrefix("\(name) listening on ") }.flatMap { Int($0.split(separator: ":").last ?? "") }
        }

        func terminate(signal: Int32 = SIGTERM) async -> Int32 {
            kill(process.processIdentifier, signal)
            for _ in 0..<600 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
            return process.terminationStatus
        }
    }

    @Test func printsOneLinePerListenerWithTheRealPortAndStopsOnSigterm() async throws {
        let server = try RunningServer(arguments: [
            "--smtp-port", "0", "--pop3-port", "0", "--imap-port", "0", "--http-port", "0",
        ])
        let lines = try await server.waitForLines(4)
        let smtp = try #require(server.port(of: "smtp", in: lines), "stdout: \(lines)")
        let http = try #require(server.port(of: "http", in: lines))
        #expect(smtp > 0 && http > 0)
        #expect(lines.contains("smtp listening on 127.0.0.1:\(smtp)"))
        #expect(server.port(of: "pop3", in: lines) != nil)
        #expect(server.port(of: "imap", in: lines) != nil)

        let client = try LineClient(port: smtp)
        #expect(try await client.code() == 220)
        await client.close()
        #expect(await server.terminate() == 0)
    }

    @Test func environmentConfiguresAndAFlagWins() async throws {
        let server = try RunningServer(
            arguments: ["--smtp-port", "0"],
            environment: [
                "LETTERBOX_SMTP_PORT": "1", "LETTERBOX_POP3_PORT": "off", "LETTERBOX_IMAP_PORT": "off",
                "LETTERBOX_HTTP_PORT": "off",
            ])
        let lines = try await server.waitForLines(1)
        #expect(server.port(of: "smtp", in: lines) != nil, "the flag should win over LETTERBOX_SMTP_PORT=1")
        #expect(server.port(of: "http", in: lines) == nil, "LETTERBOX_HTTP_PORT=off should disable HTTP")
        #expect(await server.terminate(signal: SIGINT) == 0)
    }

    @Test func healthcheckProbesTheRunningServer() async throws {
        let server = try RunningServer(arguments: [
            "--smtp-port", "off", "--pop3-port", "off", "--imap-port", "off", "--http-port", "0",
        ])
        let lines = try await server.waitForLines(1)
        let http = try #require(server.port(of: "http", in: lines))
        let healthy = try await ExternalTool.run(Self.binary, ["healthcheck", "--http-port", String(http)])
        #expect(healthy.status == 0, "\(healthy.stdout)")
        #expect(await server.terminate() == 0)
        let unhealthy = try await ExternalTool.run(Self.binary, ["healthcheck", "--http-port", String(http)])
        #expect(unhealthy.status == 1)
    }

    @Test func timeoutFlagsSetEachProtocolAndIdleTimeoutOverridesThem() async throws {
        // Long enough for USER and PASS to be answered on a loaded machine before the session times out.
        for arguments in [["--pop3-timeout", "4s"], ["--pop3-timeout", "10m", "--idle-timeout", "4"]] {
            let server = try RunningServer(
                arguments: ["--smtp-port", "off", "--imap-port", "off", "--http-port", "off", "--pop3-port", "0"]
                    + arguments)
            let lines = try await server.waitForLines(1)
            let pop3 = try #require(server.port(of: "pop3", in: lines), "stdout: \(lines)")
            let client = try LineClient(port: pop3)
            _ = try await client.line()
            try await client.send("USER ana@example.com\r\nPASS secret\r\n")
            // On a loaded machine the timeout may end the session before USER or PASS is read:
            // what is answered before it is +OK, and the session ends with the autologout.
            var line = try await client.line()
            for reply in ["USER", "PASS"] where line.hasPrefix("+OK") {
                _ = reply
                line = try await client.line()
            }
            #expect(line == "-ERR autologout: idle timeout", "\(arguments)")
            #expect(await client.isClosedByServer())
            #expect(await server.terminate() == 0)
        }
        let zero = try await ExternalTool.run(Self.binary, ["--imap-timeout", "0"])
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("--imap-timeout must be more than 0, not '0'"))
    }

    @Test func badFlagsExplainThemselves() async throws {
        let result = try await ExternalTool.run(Self.binary, ["--smtp-port", "seventy"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--smtp-port must be a port number 0-65535 or 'off', not 'seventy'"))
        let help = try await ExternalTool.run(Self.binary, ["--help"])
        #expect(help.status == 0)
        for name in ["--smtp-port", "LETTERBOX_SMTP_PORT", "--http-port", "LETTERBOX_HTTP_PORT", "--log-format"] {
            #expect(help.stdout.contains(name), "--help does not mention \(name)")
        }
    }
}
