import Letterbox
import LetterboxNet
import Testing

/// A raw TCP client for protocol tests: writes exactly the bytes given and reads reply lines.
final class LineClient {
    let connection: Connection

    /// How long a read waits for the server. Long enough never to end a wait the server's answer
    /// or close is to end: on CI's loaded 2-core machine a task (the server's sessions run as
    /// tasks) has waited more than 10 s to run, within reach of the 30 s this was. A test that
    /// waits for silence sets a short timeout of its own.
    static let idleTimeout = Duration.seconds(120)

    init(port: Int, host: String = "127.0.0.1") throws {
        let loop = try EventLoopGroup.shared.get().next()
        connection = try Connection.connect(host: host, port: port, loop: loop, idleTimeout: Self.idleTimeout)
    }

    /// Sends `text` as is (include the CRLFs).
    func send(_ text: String) async throws {
        try await connection.send(Array(text.utf8))
    }

    func send(bytes: [UInt8]) async throws {
        try await connection.send(bytes)
    }

    /// One line without its CRLF.
    func line() async throws -> String {
        String(decoding: try await connection.readLine(maxLength: 1 << 20), as: UTF8.self)
    }

    /// One SMTP reply: every line up to the one with a space after the code.
    func reply() async throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try await line()
            lines.append(line)
            if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return lines }
        }
    }

    /// The code of the next SMTP reply.
    func code() async throws -> Int {
        let lines = try await reply()
        return Int(lines.last?.prefix(3) ?? "") ?? -1
    }

    /// Sends one tagged IMAP command (`text` may hold literals with their CRLFs) and returns every
    /// line up to and including the tagged one.
    func command(_ tag: String, _ text: String) async throws -> [String] {
        try await send("\(tag) \(text)\r\n")
        var lines: [String] = []
        while true {
            let line = try await line()
            lines.append(line)
            if line.hasPrefix(tag + " ") { return lines }
        }
    }

    /// Whether the server closed the connection (reads until end of stream).
    func isClosedByServer() async -> Bool {
        do {
            while true { _ = try await line() }
        } catch {
            return (error as? NetError) == .closed
        }
    }

    func close() async { await connection.close() }
}

/// Starts a catcher for one test and shuts it down afterwards, even when the test throws.
func withCatcher<Result>(
    _ adjust: (inout Configuration) -> Void = { _ in }, _ body: (MailCatcher) async throws -> Result
) async throws -> Result {
    var configuration = Configuration()
    adjust(&configuration)
    return try await MailCatcher.withRunning(configuration, body)
}

/// A minimal message with the given subject.
func sampleMessage(subject: String = "Hello", to: String = "bo@example.com", body: String = "Body text") -> String {
    "From: Ana <ana@example.com>\r\nTo: \(to)\r\nSubject: \(subject)\r\n\r\n\(body)\r\n"
}
