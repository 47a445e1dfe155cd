import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// The HTTP endpoint over real sockets, read by curl as a user would.
@Suite struct HTTPEndpointTests {
    private func deliver(_ message: String, to recipient: String, port: Int) async throws {
        let client = try LineClient(port: port)
        _ = try await client.reply()
        try await client.send("EHLO t\r\nMAIL FROM:<ana@example.com>\r\nRCPT TO:<\(recipient)>\r\nDATA\r\n")
        for _ in 0..<4 { _ = try await client.reply() }
        try await client.send(message + ".\r\nQUIT\r\n")
        #expect(try await client.code() == 250)
        await client.close()
    }

    private func curl(_ arguments: [String]) async throws -> ExternalTool.Output {
        let curl = try ExternalTool.path("curl", package: "curl")
        return try await ExternalTool.run(curl, ["--silent", "--show-error", "--max-time", "60"] + arguments)
    }

    @Test func curlListsShowsAndDownloadsRaw() async throws {
        try await withCatcher { mail in
            let raw =
                "From: Ana <ana@example.com>\r\nTo: bo@example.com\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n\r\nHi Bo\r\n"
            try await deliver(raw, to: "bo@example.com", port: mail.ports.smtp)
            let base = "http://127.0.0.1:\(mail.ports.http)"

            let list = try await curl(["\(base)/messages"])
            let fields =
                list.stdout.split(separator: "\n").first?.split(separator: "\t", omittingEmptySubsequences: false) ?? []
            #expect(fields.count == 5)
            #expect(fields.first == "1" && fields[2] == "ana@example.com" && fields[3] == "bo@example.com")
            #expect(fields.last == "Grüße")

            let shown = try await curl(["\(base)/messages/1"])
            #expect(shown.stdout.contains("Subject: Grüße\n"))
            #expect(shown.stdout.contains("Envelope-To: bo@example.com\n"))
            #expect(shown.stdout.hasSuffix("Hi Bo\r\n") || shown.stdout.hasSuffix("Hi Bo\n"))

            let downloaded = FileManager.default.temporaryDirectory.appendingPathComponent(
                "letterbox-raw-\(UUID()).eml")
            defer { try? FileManager.default.removeItem(at: downloaded) }
            _ = try await curl(["-o", downloaded.path, "\(base)/messages/1/raw"])
            #expect(try Data(contentsOf: downloaded) == Data(raw.utf8))

            let json = try await curl(["-H", "Accept: application/json", "\(base)/messages"])
            let array = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
            #expect(array?.first?["subject"] as? String == "Grüße")
        }
    }

    /// A folder an IMAP client made as "Entwürfe" (`Entw&APw-rfe` on the wire, RFC 3501 §5.1.3)
    /// is "Entwürfe" over HTTP, in JSON and in `?mailbox=`.
    @Test func mailboxNamesAreUTF8OverHTTP() async throws {
        try await withCatcher { mail in
            let imap = try LineClient(port: mail.ports.imap)
            _ = try await imap.line()
            let message = sampleMessage(subject: "draft")
            try await imap.send(
                "a LOGIN u p\r\nb CREATE Entw&APw-rfe\r\nc APPEND Entw&APw-rfe {\(message.utf8.count)+}\r\n\(message)\r\n"
            )
            var lines: [String] = []
            while lines.last?.hasPrefix("c ") != true { lines.append(try await imap.line()) }
            #expect(lines.last?.hasPrefix("c OK") == true, "\(lines)")
            await imap.close()
            let base = "http://127.0.0.1:\(mail.ports.http)"
            let json = try await curl(["-H", "Accept: application/json", "\(base)/messages?mailbox=Entw%C3%BCrfe"])
            let array = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
            #expect(array?.count == 1, "\(json.stdout)")
            #expect(array?.first?["mailbox"] as? String == "Entwürfe", "\(json.stdout)")
            let wire = try await curl(["-H", "Accept: application/json", "\(base)/messages?mailbox=Entw%26APw-rfe"])
            let none = try JSONSerialization.jsonObject(with: Data(wire.stdout.utf8)) as? [[String: Any]]
            #expect(none?.isEmpty == true, "the wire form is not the folder's UTF-8 name: \(wire.stdout)")
        }
    }

    @Test func longPollIsWokenBySMTPArrival() async throws {
        try await withCatcher { mail in
            async let waited = curl([
                "-i", "http://127.0.0.1:\(mail.ports.http)/messages/wait?to=late@example.com&timeout=60",
            ])
            // The wait may begin before or after this delivery: both must find the message.
            try await deliver(
                sampleMessage(subject: "Late one", to: "late@example.com"), to: "late@example.com",
                port: mail.ports.smtp)
            let response = try await waited
            #expect(response.stdout.hasPrefix("HTTP/1.1 200"))
            #expect(response.stdout.contains("X-Message-Id: 1"))
            #expect(response.stdout.contains("Subject: Late one"))
        }
    }

    @Test func longPollTimesOutWith408() async throws {
        try await withCatcher { mail in
            let response = try await curl([
                "-i", "http://127.0.0.1:\(mail.ports.http)/messages/wait?subject=never&timeout=0.2",
            ])
            #expect(response.stdout.hasPrefix("HTTP/1.1 408"))
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.http)
            try await client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /messages HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.line() == "HTTP/1.1 200 OK")
            var sawSecond = false
            for _ in 0..<40 {
                if try await client.line() == "HTTP/1.1 200 OK" {
                    sawSecond = true
                    break
                }
            }
            #expect(sawSecond)
            await client.close()
        }
    }

    @Test func deleteIsSeenByEveryInterface() async throws {
        try await withCatcher { mail in
            try await deliver(sampleMessage(subject: "one"), to: "a@example.com", port: mail.ports.smtp)
            try await deliver(sampleMessage(subject: "two"), to: "b@example.com", port: mail.ports.smtp)
            let deleted = try await curl([
                "-X", "DELETE", "http://127.0.0.1:\(mail.ports.http)/messages?to=a@example.com",
            ])
            #expect(deleted.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            #expect(mail.messages.map(\.subject) == ["two"])
        }
    }

    @Test func metricsCountMessagesAndErrors() async throws {
        try await withCatcher { mail in
            try await deliver(sampleMessage(), to: "a@example.com", port: mail.ports.smtp)
            let client = try LineClient(port: mail.ports.smtp)
            _ = try await client.reply()
            try await client.send("BOGUS\r\n")
            #expect(try await client.code() == 500)
            await client.close()
            let metrics = try await curl(["http://127.0.0.1:\(mail.ports.http)/metrics"]).stdout
            #expect(metrics.contains("letterbox_messages_stored 1"))
            #expect(metrics.contains("letterbox_messages_received_total 1"))
            #expect(metrics.contains("letterbox_protocol_errors_total 1"))
            #expect(metrics.contains("letterbox_sessions_open{protocol=\"http\"} 1"))
        }
    }
}
