import Foundation

/// `letterbox-bench bighead`: what one message can cost. A `letterbox` child stores one message
/// of `lines` `X-H: v` header lines (2,000,000: 16 MB); every HTTP, IMAP and POP3 view of it is
/// timed (goal < 500 ms each) beside the server's resident peak (VmHWM; goal < 200 MiB).
enum BigHeader {
    static func run(lines: Int) throws {
        var message = Array("From: Big <big@example.com>\r\nTo: sink@example.com\r\nSubject: big header\r\n".utf8)
        message.reserveCapacity(lines * 8 + 200)
        let line = Array("X-H: v\r\n".utf8)
        for _ in 0..<lines { message += line }
        message += Array("\r\nbody\r\n.\r\n".utf8)
        let server = try LetterboxChild(["--max-message-size", String(max(33_554_432, message.count + 1024))])
        defer { server.stop() }
        let baseline = server.residentBytes
        var client = try BlockingSMTPClient(port: server.smtp, timeout: 300)
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try client.transaction(body: message)
        client.close()
        print(
            String(
                format: "bighead: one message of %d header lines (%.1f MB) stored in %.0f ms; server RSS %@ → %@, peak %@; load average %@",
                lines, Double(message.count) / 1e6, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6,
                mebibytes(baseline), mebibytes(server.residentBytes), mebibytes(server.peakBytes), loadAverage()))

        let list = try BlockingHTTPClient.request("GET", "/messages.json", port: server.http, timeout: 300)
        let id = firstID(list.body) ?? "1"
        var slowest = 0.0
        func report(_ view: String, _ result: () throws -> (seconds: Double, bytes: Int, note: String)) {
            do {
                let (seconds, bytes, note) = try result()
                slowest = max(slowest, seconds)
                print(
                    String(
                        format: "  %@ %8.0f ms  %10d B%@  server RSS %@", view.padding(toLength: 42, withPad: " ", startingAt: 0), seconds * 1000, bytes, note.isEmpty ? "" : "  \(note)",
                        mebibytes(server.residentBytes)))
            } catch {
                slowest = .infinity
                print("  \(view): failed: \(error)")
            }
        }
        for target in ["", ".json", "/headers", "/headers.json", "/raw", "/parts", "/parts.json"] {
            let path = "/messages/\(id)\(target)"
            report("HTTP GET \(path)") {
                let response = try BlockingHTTPClient.request("GET", path, port: server.http, timeout: 300)
                return (response.seconds, response.body.count, response.status == 200 ? "" : "status \(response.status)")
            }
        }
        do {
            let imap = try BlockingIMAPClient(port: server.imap, timeout: 300)
            try imap.logIn(user: "bench", password: "bench")
            try imap.selectInbox()
            for item in ["BODY.PEEK[HEADER]", "BODY.PEEK[HEADER.FIELDS (X-H)]", "ENVELOPE", "BODYSTRUCTURE", "RFC822.SIZE"] {
                report("IMAP FETCH 1 (\(item))") {
                    let response = try imap.command("FETCH 1 (\(item))", keep: true)
                    return (response.seconds, response.untagged.count, "")
                }
            }
            imap.logOut()
        } catch {
            print("  IMAP: failed: \(error)")
            slowest = .infinity
        }
        do {
            let pop3 = try BlockingPOP3Client(port: server.pop3, timeout: 300)
            try pop3.logIn(user: "bench", password: "bench")
            for command in ["TOP 1 0", "RETR 1"] {
                report("POP3 \(command)") {
                    let response = try pop3.multiline(command)
                    return (response.seconds, response.body.count, "")
                }
            }
            pop3.quit()
        } catch {
            print("  POP3: failed: \(error)")
            slowest = .infinity
        }
        usleep(500_000)
        print(
            String(
                format: "bighead: slowest view %.0f ms (goal < 500 ms); server peak RSS %@ (goal < 200 MiB), RSS afterwards %@; load average %@",
                slowest * 1000, mebibytes(server.peakBytes), mebibytes(server.residentBytes), loadAverage()))
    }

    /// The `id` of the first message in a `/messages.json` answer (an array of objects, or an
    /// object holding one under `messages`).
    static func firstID(_ body: [UInt8]) -> String? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) else { return nil }
        let list = (json as? [Any]) ?? ((json as? [String: Any])?["messages"] as? [Any]) ?? []
        guard let first = list.first as? [String: Any], let id = first["id"] else { return nil }
        return "\(id)"
    }
}
