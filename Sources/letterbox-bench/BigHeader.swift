import Foundation

/// `letterbox-bench bighead`: what one message can cost. A `letterbox` child stores one message
/// of `lines` `X-H: v` header lines (2,000,000: 16 MB); every HTTP, IMAP and POP3 view of it is
/// timed (goal < 500 ms each) beside the server's resident peak (VmHWM; goal < 200 MiB).
/// IMAP's LOGIN and SELECT come before the view and are not timed.
enum BigHeader {
    /// One view: what it asks, of which listener.
    enum View {
        case http(String)
        case imap(String)
        case pop3(String)

        var name: String {
            switch self {
            case .http(let suffix): "HTTP GET /messages/{id}\(suffix)"
            case .imap(let item): "IMAP FETCH 1 (\(item))"
            case .pop3(let command): "POP3 \(command)"
            }
        }
    }

    static let views: [View] = [
        .http(""), .http(".json"), .http("/headers"), .http("/headers.json"), .http("/raw"), .http("/parts"),
        .http("/parts.json"),
        .imap("BODY.PEEK[HEADER]"), .imap("BODY.PEEK[HEADER.FIELDS (X-H)]"), .imap("ENVELOPE"), .imap("BODYSTRUCTURE"),
        .imap("RFC822.SIZE"), .pop3("TOP 1 0"), .pop3("RETR 1"),
    ]

    /// Each view is timed cold, on a fresh server that has just stored the message, so no view
    /// profits from what an earlier one parsed and cached; the peak is that server's.
    static func run(lines: Int) throws {
        var message = Array("From: Big <big@example.com>\r\nTo: sink@example.com\r\nSubject: big header\r\n".utf8)
        message.reserveCapacity(lines * 8 + 200)
        let line = Array("X-H: v\r\n".utf8)
        for _ in 0..<lines { message += line }
        message += Array("\r\nbody\r\n.\r\n".utf8)
        print(
            String(
                format:
                    "bighead: one message of %d header lines (%.1f MB), each view on a fresh server; load average %@",
                lines, Double(message.count) / 1e6, loadAverage()))
        var slowest = 0.0
        var highest = 0
        for view in views {
            let server = try LetterboxChild(["--max-message-size", String(max(33_554_432, message.count + 1024))])
            defer { server.stop() }
            var client = try BlockingSMTPClient(port: server.smtp, timeout: 300)
            let stored = try client.transaction(body: message)
            client.close()
            let afterStore = server.residentBytes
            let name = view.name.padding(toLength: max(48, view.name.count), withPad: " ", startingAt: 0)
            do {
                let (seconds, bytes, note) = try measure(view, on: server)
                slowest = max(slowest, seconds)
                highest = max(highest, server.peakBytes)
                print(
                    String(
                        format:
                            "  %@ %6.0f ms  %9d B%@  server RSS after storing %@ (stored in %.0f ms), after the view %@, peak %@",
                        name, seconds * 1000, bytes, note.isEmpty ? "" : "  \(note)", mebibytes(afterStore),
                        stored * 1000,
                        mebibytes(server.residentBytes), mebibytes(server.peakBytes)))
            } catch {
                slowest = .infinity
                print("  \(name) failed: \(error)")
            }
        }
        // Every view in a row on one server: what a user clicking through holds at the peak and after.
        let server = try LetterboxChild(["--max-message-size", String(max(33_554_432, message.count + 1024))])
        defer { server.stop() }
        var client = try BlockingSMTPClient(port: server.smtp, timeout: 300)
        _ = try client.transaction(body: message)
        client.close()
        var total = 0.0
        for view in views { total += (try? measure(view, on: server).0) ?? .infinity }
        usleep(500_000)
        highest = max(highest, server.peakBytes)
        print(
            String(
                format:
                    "bighead: all views in a row on one server: %.0f ms in total, server peak RSS %@, RSS afterwards %@",
                total * 1000, mebibytes(server.peakBytes), mebibytes(server.residentBytes)))
        print(
            String(
                format:
                    "bighead: slowest view %.0f ms (goal < 500 ms); highest server peak RSS %@ (goal < 200 MiB); load average %@",
                slowest * 1000, mebibytes(highest), loadAverage()))
    }

    /// Seconds for `view` (from sending the request to the end of the answer), answer bytes, and
    /// a note when the answer was not a success.
    static func measure(_ view: View, on server: LetterboxChild) throws -> (Double, Int, String) {
        switch view {
        case .http(let suffix):
            // The first message of a fresh memory store is 1 (asking the list first would parse it).
            let path = "/messages/1\(suffix)"
            let response = try BlockingHTTPClient.request("GET", path, port: server.http, timeout: 300)
            return (response.seconds, response.body.count, response.status == 200 ? "" : "status \(response.status)")
        case .imap(let item):
            let imap = try BlockingIMAPClient(port: server.imap, timeout: 300)
            try imap.logIn(user: "bench", password: "bench")
            try imap.selectInbox()
            let response = try imap.command("FETCH 1 (\(item))", keep: true)
            imap.logOut()
            return (response.seconds, response.untagged.count, "")
        case .pop3(let command):
            let pop3 = try BlockingPOP3Client(port: server.pop3, timeout: 300)
            try pop3.logIn(user: "bench", password: "bench")
            let response = try pop3.multiline(command)
            pop3.quit()
            return (response.seconds, response.body.count, "")
        }
    }
}
