import Foundation
import Letterbox
import LetterboxStore
import LetterboxTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The test-writer's figures: a whole in-process cycle, many catchers at once, and how fast a
/// remote wait hears about a message.
enum TestingBenchmark {
    static func report(cycles: Int, parallel: Int, remoteSamples: Int) async throws {
        // 1. start + send one message + wait + shutdown, in-process.
        var samples: [Double] = []
        for index in 0..<cycles {
            let start = DispatchTime.now().uptimeNanoseconds
            let mail = try await MailCatcher.start()
            try await SMTPTestClient.send(subject: "cycle \(index)", to: ["a@example.com"], port: mail.ports.smtp)
            _ = try await mail.waitForMessage(to: "a@example.com", timeout: .seconds(10))
            await mail.shutdown()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        samples.sort()
        print(
            String(
                format: "testing: start + send + wait + shutdown in-process: median %.2f ms, p99 %.2f ms (%d cycles)",
                samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 99 / 100)], cycles))

        // 2. Many tests at once, each with its own catcher.
        let began = DispatchTime.now().uptimeNanoseconds
        let failures = await withTaskGroup(of: Int.self) { group in
            for index in 0..<parallel {
                group.addTask {
                    do {
                        let mail = try await MailCatcher.start()
                        try await SMTPTestClient.send(
                            subject: "p\(index)", to: ["p\(index)@example.com"], port: mail.ports.smtp)
                        let received = try await mail.waitForMessage(to: "p\(index)@example.com", timeout: .seconds(60))
                        let stray = mail.messages.count != 1
                        await mail.shutdown()
                        return received.subject == "p\(index)" && !stray ? 0 : 1
                    } catch {
                        return 1
                    }
                }
            }
            return await group.reduce(0, +)
        }
        print(
            String(
                format: "testing: %d tests in parallel, each with its own catcher: %.0f ms total, %d failures",
                parallel, Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6, failures))

        // 3. Remote wait: from SMTP 250 to the long-poll answer.
        var configuration = Configuration()
        configuration.pop3Port = nil
        configuration.imapPort = nil
        let server = try await MailCatcher.start(configuration)
        let remote = RemoteMailCatcher(url: URL(string: "http://127.0.0.1:\(server.ports.http)")!)
        var latencies: [Double] = []
        for index in 0..<remoteSamples {
            let address = "r\(index)@example.com"
            let waiting = Task { try await remote.waitForMessage(to: address, timeout: .seconds(30)) }
            try await Task.sleep(for: .milliseconds(2))  // let the long-poll reach the server first
            try await SMTPTestClient.send(subject: "remote", to: [address], port: server.ports.smtp)
            let accepted = DispatchTime.now().uptimeNanoseconds
            _ = try await waiting.value
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - accepted) / 1e6)
        }
        await server.shutdown()
        latencies.sort()
        print(
            String(
                format:
                    "testing: remote wait, SMTP 250 → waitForMessage returns: p50 %.2f ms, p99 %.2f ms (%d samples; includes fetching the raw message)",
                latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)],
                remoteSamples))
    }
}
