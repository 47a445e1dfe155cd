import Foundation
import Letterbox
import Testing

/// Two sessions over TCP race `STORE 1 (UNCHANGEDSINCE m)` with the same `m`, round after round,
/// in both stores: exactly one of them changes the message each round, the other is told
/// MODIFIED (RFC 7162 §3.1.3), because the store checks and changes in one step.
@Suite(.timeLimit(.minutes(3))) struct IMAPConditionalStoreRaceTests {
    /// The lines of one response, up to and including the tagged one.
    private func response(_ client: LineClient, tag: String) async throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try await client.line()
            lines.append(line)
            if line.hasPrefix(tag + " ") { return lines }
        }
    }

    @Test(arguments: [false, true])
    func exactlyOneOfTwoRacingConditionalStoresWins(maildir: Bool) async throws {
        try await withIMAPCatcher(maildir: maildir) { mail in
            let clients = [try LineClient(port: mail.ports.imap), try LineClient(port: mail.ports.imap)]
            let message = sampleMessage()
            for client in clients {
                _ = try await client.line()
                #expect(try await client.command("a", "LOGIN x y").last?.hasPrefix("a OK") == true)
            }
            _ = try await clients[0].command("b", "APPEND Archive {\(message.utf8.count)+}\r\n\(message)")
            for client in clients { _ = try await client.command("c", "SELECT Archive") }
            func modSeq(_ client: LineClient) async throws -> String {
                let line = try await client.command("m", "FETCH 1 (MODSEQ)").first { $0.hasPrefix("* 1 FETCH") } ?? ""
                return String(line.split(separator: "(").last?.prefix { $0.isNumber } ?? "")
            }
            for round in 1...30 {
                let seen = [try await modSeq(clients[0]), try await modSeq(clients[1])]
                try #require(seen[0] == seen[1] && !seen[0].isEmpty, "round \(round): \(seen)")
                // Both commands are on the wire before either answer is read.
                for (client, keyword) in zip(clients, ["a", "b"]) {
                    try await client.send(
                        "s UID STORE 1 (UNCHANGEDSINCE \(seen[0])) +FLAGS.SILENT (\(keyword)\(round))\r\n")
                }
                var completions: [String] = []
                for client in clients { completions.append(try await response(client, tag: "s").last ?? "") }
                let winners = completions.filter { $0.hasPrefix("s OK") && !$0.contains("[MODIFIED") }
                #expect(winners.count == 1, "round \(round): \(completions)")
                let flags = try await clients[0].command("f", "FETCH 1 (FLAGS)").joined()
                #expect(flags.contains("a\(round)") != flags.contains("b\(round)"), "round \(round): \(flags)")
            }
            for client in clients { await client.close() }
        }
    }
}
