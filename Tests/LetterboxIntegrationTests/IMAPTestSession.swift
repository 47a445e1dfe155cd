/// An IMAP session over TCP, logged in, whose commands are tagged for the caller: the setup the
/// tests that interfere with a session's mailbox (a file that cannot change, a message removed
/// by another route) share.
final class IMAPTestSession {
    let client: LineClient
    private var count = 0

    init(port: Int) async throws {
        client = try LineClient(port: port)
        _ = try await client.line()
        _ = try await command("LOGIN u p")
    }

    /// Sends one command; returns the untagged lines and the tagged result (without its tag).
    func command(_ text: String) async throws -> (untagged: [String], result: String) {
        count += 1
        let tag = "c\(count)"
        try await client.send("\(tag) \(text)\r\n")
        var untagged: [String] = []
        while true {
            let line = try await client.line()
            if line.hasPrefix(tag + " ") { return (untagged, String(line.dropFirst(tag.count + 1))) }
            untagged.append(line)
        }
    }

    func close() async { await client.close() }
}
