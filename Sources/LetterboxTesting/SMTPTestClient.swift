import Foundation
import LetterboxNet

/// A small SMTP client for tests that only need "some mail arrived": sends a message (or raw
/// bytes) to a catcher and returns once it answered 250.
public enum SMTPTestClient {
    /// Why sending failed: the server's reply, or the connection error.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Sends `raw` (CRLF line endings expected) from `from` to every address in `to`.
    public static func send(
        raw: String, from: String = "sender@example.com", to recipients: [String], host: String = "127.0.0.1", port: Int
    ) async throws {
        let loop = try EventLoopGroup.shared.get().next()
        let connection = try Connection.connect(host: host, port: port, loop: loop, idleTimeout: .seconds(30))
        do {
            try await transaction(raw: raw, from: from, to: recipients, on: connection)
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
    }

    private static func transaction(raw: String, from: String, to recipients: [String], on connection: Connection)
        async throws
    {
        func expect(_ code: String) async throws {
            while true {
                let line = String(decoding: try await connection.readLine(maxLength: 4096), as: UTF8.self)
                guard line.hasPrefix(code) else { throw Failure(description: "expected \(code), server said: \(line)") }
                if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return }
            }
        }
        try await expect("220")
        var commands = "EHLO letterbox-testing\r\nMAIL FROM:<\(from)>\r\n"
        for recipient in recipients { commands += "RCPT TO:<\(recipient)>\r\n" }
        connection.write(commands + "DATA\r\n")
        try await connection.flush()
        try await expect("250")
        try await expect("250")
        for _ in recipients { try await expect("250") }
        try await expect("354")
        var body = raw.replacingOccurrences(of: "\r\n.", with: "\r\n..")
        if body.hasPrefix(".") { body = "." + body }
        if !body.hasSuffix("\r\n") { body += "\r\n" }
        connection.write(body + ".\r\nQUIT\r\n")
        try await connection.flush()
        try await expect("250")
    }

    /// Sends a simple text message.
    public static func send(
        subject: String, body: String = "", from: String = "sender@example.com", to recipients: [String],
        host: String = "127.0.0.1", port: Int
    ) async throws {
        let raw =
            "From: \(from)\r\nTo: \(recipients.joined(separator: ", "))\r\nSubject: \(subject)\r\n\r\n"
            + body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
        try await send(raw: raw, from: from, to: recipients, host: host, port: port)
    }
}
