import Foundation
import LetterboxNet
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Dovecot IMAP server of the differential tests (``DovecotServer``): a passwd-file user
/// (`test`/`test`) and the folders a Letterbox store has from the start.
enum DovecotIMAPServer {
    static let user = "test"
    static let password = "test"

    /// The `dovecot` binary; when it or the IMAP service is missing the test is skipped (failed
    /// under `LETTERBOX_REQUIRE_CLIENTS=1`) with an install hint.
    static func executable() throws -> String {
        try ExternalTool.available { () throws(ThirdPartyProgram.Missing) in
            let service = DovecotServer.Service.imap
            try ThirdPartyProgram.require(service.binary, package: service.package)
            guard let executable = DovecotServer.executable(for: service) else {
                throw ThirdPartyProgram.Missing("dovecot is not installed (apt-get install \(service.package))")
            }
            return executable
        }
    }

    /// Starts Dovecot with `messages` in its INBOX (sequence numbers in this order, internal
    /// dates ``internalDate(ofMessage:)``), runs `body`, and stops Dovecot and removes its folder
    /// afterwards, also when `body` throws.
    static func withRunning<Result>(
        messages: [[UInt8]], _ body: (DovecotServer) async throws -> Result
    ) async throws -> Result {
        let executable = try executable()
        let server = try await onOwnThread {
            try DovecotServer(executable: executable, service: .imap, messages: messages, options: options)
        }
        // Stopping waits for Dovecot to exit: on a thread of its own, as starting does.
        do {
            let result = try await body(server)
            try await onOwnThread { server.stop() }
            return result
        } catch {
            _ = try? await onOwnThread { server.stop() }
            throw error
        }
    }

    /// The internal date the differential tests give message `index` (from 0) on both servers.
    static func internalDate(ofMessage index: Int) -> Date { DovecotServer.internalDate(ofMessage: index) }

    private static var options: DovecotServer.Options {
        var options = DovecotServer.Options()
        options.user = user
        options.password = password
        // The folders a Letterbox store has from the start: "/" as the delimiter, INBOX and the
        // RFC 6154 special-use folders, all subscribed.
        options.extraConfig = """
            namespace inbox {
              inbox = yes
              separator = /
              mailbox INBOX {
                auto = subscribe
              }
            \(["Sent", "Drafts", "Trash", "Junk", "Archive"].map { specialUse($0) }.joined())}

            """
        return options
    }

    private static func specialUse(_ name: String) -> String {
        "  mailbox \(name) {\n    auto = subscribe\n    special_use = \\\(name)\n  }\n"
    }
}

/// A raw IMAP client for scripts: sends one tagged command at a time and collects every
/// response up to the tagged one, literals included, exactly as received.
final class IMAPScriptClient {
    /// One response: the untagged lines (each with its literals inline, `{n}` CRLF and the
    /// octets) and the tagged completion line.
    struct Response {
        var untagged: [[UInt8]]
        var completion: String
        /// `OK`, `NO` or `BAD`.
        var status: Substring { completion.split(separator: " ").dropFirst().first ?? "" }
    }

    private let connection: Connection
    private var counter = 0

    init(port: Int) throws {
        let loop = try EventLoopGroup.shared.get().next()
        // Generous: a loaded 2-core machine may stall a while; nothing here waits on purpose.
        connection = try Connection.connect(host: "127.0.0.1", port: port, loop: loop, idleTimeout: .seconds(120))
    }

    func greeting() async throws -> String {
        String(decoding: try await connection.readLine(maxLength: 1 << 16), as: UTF8.self)
    }

    /// Sends `command` (without tag and CRLF; LITERAL+ literals may be inline) and reads the reply.
    func send(_ command: [UInt8]) async throws -> Response {
        counter += 1
        let tag = "d\(counter)"
        try await connection.send(Array("\(tag) ".utf8) + command + [0x0D, 0x0A])
        var untagged: [[UInt8]] = []
        while true {
            var response = try await connection.readLine(maxLength: 1 << 20)
            // A line that ends in {n} continues after n octets (RFC 3501 §4.3).
            while let count = Self.literalCount(at: response) {
                response += [0x0D, 0x0A]
                response += try await connection.readExactly(count)
                response += try await connection.readLine(maxLength: 1 << 20)
            }
            if response.starts(with: Array("\(tag) ".utf8)) {
                return Response(untagged: untagged, completion: String(decoding: response, as: UTF8.self))
            }
            untagged.append(response)
        }
    }

    func send(_ command: String) async throws -> Response { try await send(Array(command.utf8)) }

    func close() async { await connection.close() }

    /// The n of a `{n}` that ends `line`.
    private static func literalCount(at line: [UInt8]) -> Int? {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        let digits = line[(open + 1)..<(line.count - 1)]
        guard !digits.isEmpty, digits.count < 10, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
