import Foundation
import Letterbox
import LetterboxNet
import Synchronization
import Testing

/// `Configuration.webhookURL` (the executable's `--webhook`) end to end: mail in over SMTP, a
/// JSON POST out to a listener on this machine.
@Suite struct WebhookDeliveryTests {
    /// Bodies posted so far; the first `silentFor` requests are read but never answered.
    private final class Posts: Sendable {
        let bodies = Mutex<[String]>([])
    }

    private func receiver(_ posts: Posts, silentFor silent: Int) throws -> TCPServer {
        let server = try TCPServer(
            host: "127.0.0.1", port: 0, group: EventLoopGroup.shared.get(),
            options: .init(maxConnections: 16, idleTimeout: .seconds(60), overCapacityReply: []))
        try server.start { connection in
            var length = 0
            while let line = try? await connection.readLine(maxLength: 8192), !line.isEmpty {
                let text = String(decoding: line, as: UTF8.self).lowercased()
                if text.hasPrefix("content-length:") {
                    length = Int(text.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            guard let body = try? await connection.readExactly(length) else { return }
            let count = posts.bodies.withLock { bodies in
                bodies.append(String(decoding: body, as: UTF8.self))
                return bodies.count
            }
            if count <= silent {
                _ = try? await connection.readExactly(1)
                return
            }
            try? await connection.send(Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8))
        }
        return server
    }

    @Test func everyCapturedMessageIsPostedAndSMTPNeverWaitsForIt() async throws {
        let posts = Posts()
        // The first post is never answered: SMTP must still answer 250 to every message at once.
        let server = try receiver(posts, silentFor: 1)
        try await withCatcher({ $0.webhookURL = "http://localhost:\(server.port)/hook" }) { mail in
            for number in 1...3 {
                let client = try LineClient(port: mail.ports.smtp)
                _ = try await client.reply()
                try await client.send("EHLO t\r\nMAIL FROM:<shop@example.com>\r\nRCPT TO:<ana@example.com>\r\nDATA\r\n")
                for _ in 0..<4 { _ = try await client.reply() }
                try await client.send(sampleMessage(subject: "Order \(number)", to: "ana@example.com") + ".\r\n")
                #expect(try await client.code() == 250)
                await client.close()
            }
            #expect(mail.messages.count == 3)
            let deadline = ContinuousClock.now + .seconds(90)
            while posts.bodies.withLock({ $0.count }) < 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let first = try #require(posts.bodies.withLock { $0.first })
            let entry = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
            #expect(entry["id"] as? Int == 1 && entry["subject"] as? String == "Order 1")
            #expect((entry["envelope"] as? [String: Any])?["recipients"] as? [String] == ["ana@example.com"])
        }
        await server.shutdown(gracePeriod: .zero)
    }

    @Test func anHTTPSWebhookIsRefusedAtStartWithTheReason() async throws {
        var configuration = Configuration()
        configuration.webhookURL = "https://hooks.example.com/mail"
        await #expect {
            try await MailCatcher.start(configuration)
        } throws: { error in
            "\(error)".contains("https, which is not supported: use http://")
        }
    }
}
