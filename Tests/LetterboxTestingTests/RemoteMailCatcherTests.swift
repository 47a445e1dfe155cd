import Foundation
import Letterbox
import LetterboxStore
import LetterboxTesting
import TestSupport
import Testing

/// The remote API against a real `letterbox` process, as with docker-compose.
@Suite(.serialized) struct RemoteMailCatcherTests {
    struct StartFailure: Error, CustomStringConvertible { let description: String }

    /// Starts the built `letterbox` binary on ephemeral ports, with extra `arguments` and
    /// `environment`, and returns it with its ports.
    static func startServer(
        arguments: [String] = [], environment: [String: String] = [:]
    ) async throws -> (SpawnedProcess, smtp: Int, http: Int) {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "letterbox")
        let process = SpawnedProcess()
        process.executableURL = binary
        process.arguments =
            ["--smtp-port", "0", "--pop3-port", "off", "--imap-port", "off", "--http-port", "0"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = pipe.fileHandleForReading
        let output = try await onOwnThread {
            var output = ""
            while output.components(separatedBy: "\n").count < 3 {
                let chunk = reader.availableData
                guard !chunk.isEmpty else { break }
                output += String(decoding: chunk, as: UTF8.self)
            }
            return output
        }
        func port(_ name: String) -> Int? {
            output.split(separator: "\n").first { $0.hasPrefix("\(name) listening on ") }.flatMap {
                Int($0.split(separator: ":").last ?? "")
            }
        }
        guard let smtp = port("smtp"), let http = port("http") else {
            process.terminate()
            throw StartFailure(description: "letterbox did not start: \(output)")
        }
        return (process, smtp, http)
    }

    @Test func remoteWaitsListsAndScopes() async throws {
        let (process, smtp, http) = try await Self.startServer()
        defer { process.terminate() }
        let remote = RemoteMailCatcher(url: URL(string: "http://127.0.0.1:\(http)")!)

        // Parallel "tests" on one shared instance, each in its own scope.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let inbox = remote.scope()
                    try await SMTPTestClient.send(
                        subject: "Welcome \(index)", body: "Your code is \(5000 + index)", to: [inbox.address("ana")],
                        port: smtp)
                    let mail = try await inbox.waitForMessage(subject: "Welcome", timeout: .seconds(30))
                    #expect(mail.subject == "Welcome \(index)")
                    #expect(mail.oneTimeCode() == "\(5000 + index)")
                    #expect(try await inbox.messages(matching: .any).count == 1)
                }
            }
            try await group.waitForAll()
        }
        #expect(try await remote.messages(matching: .any).count == 8)

        // A wait that begins before the mail arrives is woken by it (server long-poll). The send
        // ends it; the timeout only bounds a failure (generous: on CI's loaded machine a test task
        // has waited more than 10 s to run).
        async let later = remote.waitForMessage(to: "late@example.com", timeout: .seconds(120))
        try await SMTPTestClient.send(subject: "Late", to: ["late@example.com"], port: smtp)
        #expect(try await later.subject == "Late")

        do {
            _ = try await remote.waitForMessage(to: "nobody@example.com", timeout: .milliseconds(300))
            Issue.record("wait succeeded without a match")
        } catch let failure as WaitTimeout {
            #expect(
                failure.description.hasPrefix(
                    "no message matching to=nobody@example.com arrived within 300ms; 9 message(s) there instead:"))
            // The same lines an in-process catcher's timeout has, read from one list request.
            let stored = try await remote.messages(matching: .any)
            #expect(
                failure.seen
                    == stored.map {
                        "#\($0.id) from \($0.envelope.sender) to \($0.envelope.recipients.joined(separator: ", ")) \"\($0.subject)\""
                    })
            #expect(failure.seen.contains { $0.hasSuffix(" to late@example.com \"Late\"") })
        }
        #expect(try await remote.deleteMessages(matching: MessageFilter(subject: "Welcome")) == 8)
        #expect(try await remote.messages(matching: .any).map(\.subject) == ["Late"])
        // A criterion the server cannot take (the exact envelope recipient) is tested here, one
        // message at a time; every other filter is one DELETE.
        #expect(try await remote.deleteMessages(matching: MessageFilter(recipient: "other@example.com")) == 0)
        #expect(try await remote.deleteMessages(matching: MessageFilter(recipient: "late@example.com")) == 1)
        try await SMTPTestClient.send(subject: "Last", to: ["last@example.com"], port: smtp)
        #expect(try await remote.deleteMessages(matching: .any) == 1)
        #expect(try await remote.messages(matching: .any).isEmpty)
    }
}
