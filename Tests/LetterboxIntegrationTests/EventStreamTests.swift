import Foundation
import Letterbox
import Testing

/// `GET /events` over a real socket: Server-Sent Events for new, deleted and re-flagged mail.
@Suite("HTTP event stream (Server-Sent Events)")
struct EventStreamTests {
    /// Opens `/events` with `query` and reads the response head and the `retry:` line.
    private func subscribe(port: Int, query: String = "", lastEventID: String? = nil) async throws -> LineClient {
        let client = try LineClient(port: port)
        var request = "GET /events\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        if let lastEventID { request += "Last-Event-ID: \(lastEventID)\r\n" }
        try await client.send(request + "\r\n")
        #expect(try await client.line() == "HTTP/1.1 200 OK")
        var head: [String] = []
        while true {
            let line = try await client.line()
            if line.isEmpty { break }
            head.append(line.lowercased())
        }
        #expect(head.contains("content-type: text/event-stream; charset=utf-8"))
        #expect(try await client.line() == "retry: 1000")
        #expect(try await client.line() == "")
        return client
    }

    /// The next event's `id`, `event` and `data` lines (heartbeat comments skipped).
    private func event(_ client: LineClient) async throws -> (id: String, event: String, data: String) {
        var fields: [String: String] = [:]
        while true {
            let line = try await client.line()
            if line.hasPrefix(":") { continue }
            if line.isEmpty {
                if fields.isEmpty { continue }
                return (fields["id"] ?? "", fields["event"] ?? "", fields["data"] ?? "")
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(colon, offsetBy: 2)...])
        }
    }

    private func http(_ request: String, port: Int) async throws -> String {
        let client = try LineClient(port: port)
        try await client.send("\(request) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let status = try await client.line()
        await client.close()
        return status
    }

    @Test("new mail, deletions and flags arrive as events; the /messages filters apply")
    func liveEvents() async throws {
        try await withCatcher { mail in
            let stream = try await subscribe(port: mail.ports.http, query: "?to=bo%40example.com")
            _ = try await MaildirIntegrationTests.deliver(
                sampleMessage(subject: "For Ana", to: "ana@example.com"), to: ["ana@example.com"], port: mail.ports.smtp
            )
            _ = try await MaildirIntegrationTests.deliver(
                sampleMessage(subject: "For Bo"), to: ["bo@example.com"], port: mail.ports.smtp)
            let arrival = try await event(stream)
            #expect(arrival.id == "2")
            #expect(arrival.event == "message")
            let entry = try #require(
                try JSONSerialization.jsonObject(with: Data(arrival.data.utf8)) as? [String: Any])
            #expect(entry["id"] as? Int == 2)
            #expect(entry["subject"] as? String == "For Bo")
            #expect(entry["seen"] as? Bool == false)

            #expect(try await http("PUT /messages/2/seen", port: mail.ports.http) == "HTTP/1.1 200 OK")
            let flags = try await event(stream)
            #expect(flags.event == "flags")
            #expect(flags.data == #"{"id":2,"flags":["\\Seen"],"seen":true}"#)

            #expect(try await http("DELETE /messages/2", port: mail.ports.http) == "HTTP/1.1 200 OK")
            let deleted = try await event(stream)
            #expect(deleted.id == "4")
            #expect(deleted.event == "deleted")
            #expect(deleted.data == #"{"ids":[2]}"#)

            // Resumption replays what was missed (through the filter); too old an id gets `reset`.
            let resumed = try await subscribe(port: mail.ports.http, query: "?to=bo%40example.com", lastEventID: "1")
            #expect(try await event(resumed).id == "2")
            #expect(try await event(resumed).event == "flags")
            #expect(try await event(resumed).event == "deleted")
            await resumed.close()
            let stale = try await subscribe(port: mail.ports.http, lastEventID: "999")
            #expect(try await event(stale).event == "reset")
            await stale.close()
            await stream.close()
        }
    }

    /// The `ids` of a `deleted` event's data.
    private func deletedIDs(_ data: String) throws -> [Int] {
        let object = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
        return try #require(object?["ids"] as? [Int])
    }

    @Test("deleted and flags events go only to the streams whose filter admitted the message")
    func filteredDeletionsAndFlags() async throws {
        try await withCatcher { mail in
            // Message 1 is stored before any stream opens: judged from the store's list.
            _ = try await MaildirIntegrationTests.deliver(
                sampleMessage(subject: "For Ana", to: "ana@example.com"), to: ["ana@example.com"], port: mail.ports.smtp
            )
            let ana = try await subscribe(port: mail.ports.http, query: "?to=ana%40example.com")
            let bo = try await subscribe(port: mail.ports.http, query: "?to=bo%40example.com")
            let unread = try await subscribe(port: mail.ports.http, query: "?q=is%3Aunread")
            _ = try await MaildirIntegrationTests.deliver(
                sampleMessage(subject: "For Bo"), to: ["bo@example.com"], port: mail.ports.smtp)
            #expect(try await event(bo).event == "message")
            #expect(try await event(unread).event == "message")

            #expect(try await http("PUT /messages/1/seen", port: mail.ports.http) == "HTTP/1.1 200 OK")
            let read = try await event(ana)
            #expect(read.event == "flags" && read.data.hasPrefix(#"{"id":1,"#))
            // An is:unread stream hears that its message was read (it no longer matches).
            let readUnread = try await event(unread)
            #expect(readUnread.event == "flags" && readUnread.data.hasPrefix(#"{"id":1,"#))

            #expect(try await http("DELETE /messages", port: mail.ports.http) == "HTTP/1.1 200 OK")
            // Bo's stream never heard of message 1: its next event is the deletion of message 2 alone.
            let boDeleted = try await event(bo)
            #expect(boDeleted.event == "deleted")
            #expect(try deletedIDs(boDeleted.data) == [2])
            let anaDeleted = try await event(ana)
            #expect(anaDeleted.event == "deleted")
            #expect(try deletedIDs(anaDeleted.data) == [1])
            // Either \Seen state: both were unread at some point.
            var gone: [Int] = []
            while gone.count < 2 {
                let next = try await event(unread)
                #expect(next.event == "deleted")
                gone += try deletedIDs(next.data)
            }
            #expect(gone.sorted() == [1, 2])
            for stream in [ana, bo, unread] { await stream.close() }
        }
    }

    @Test("a stream counts against the long-poll limit: beyond it, 503 at once")
    func limit() async throws {
        try await withCatcher({ $0.maxLongPolls = 1 }) { mail in
            let first = try await subscribe(port: mail.ports.http)
            let second = try LineClient(port: mail.ports.http)
            try await second.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(try await second.line() == "HTTP/1.1 503 Service Unavailable")
            await second.close()
            await first.close()
        }
    }
}
