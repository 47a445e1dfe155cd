import Foundation
import Letterbox
import LetterboxStore

/// `letterbox-bench qresync`: a QRESYNC client (RFC 7162 §3.2.5) reopening a large mailbox it
/// cached, after a few flag changes and expunges made by another session. Reports what the
/// server sent (VANISHED UIDs, FETCH responses, octets) and how long the SELECT took, seen from
/// the client on loopback (so an upper bound of the server's time), beside a client without
/// QRESYNC that must fetch every message's flags again.
enum QResyncResync {
    static func report(messages: Int, changes: Int, expunges: Int, directory: String?, repetitions: Int) async throws {
        let count = max(messages, changes + expunges + 1)
        var configuration = Configuration()
        configuration.httpPort = nil
        configuration.pop3Port = nil
        configuration.smtpPort = nil
        if let directory { configuration.storage = .maildir(directory) }
        let catcher = try await MailCatcher.start(configuration)
        for number in 0..<count {
            _ = try await catcher.store.append(
                IMAPLoad.message(number, size: 2048, needle: false),
                envelope: Envelope(sender: "bench@example.com", recipients: ["sink@example.com"]))
        }
        let port = catcher.ports.imap
        let store = directory == nil ? "memory" : "maildir"
        do {
            let lines = try await onThread {
                try measure(port: port, messages: count, changes: changes, expunges: expunges, repetitions: repetitions)
            }
            print(
                "QRESYNC resync of \(count) messages after \(changes) flag changes and \(expunges) expunges (\(store) store)"
            )
            for line in lines { print("  " + line) }
        } catch {
            await catcher.shutdown()
            throw error
        }
        await catcher.shutdown()
    }

    private static func measure(port: Int, messages: Int, changes: Int, expunges: Int, repetitions: Int) throws
        -> [String]
    {
        // The client caches the mailbox: UIDVALIDITY and HIGHESTMODSEQ.
        let cache = try BlockingIMAPClient(port: port)
        try cache.logIn(user: "bench", password: "bench")
        try cache.command("ENABLE QRESYNC")
        let selected = String(decoding: try cache.command("SELECT INBOX", keep: true).untagged, as: UTF8.self)
        guard let validity = number(after: "UIDVALIDITY ", in: selected),
            let highest = number(after: "HIGHESTMODSEQ ", in: selected)
        else { throw BlockingIMAPClient.Failure(description: "SELECT gave no UIDVALIDITY or HIGHESTMODSEQ") }

        // Another session: flags on `changes` messages, `expunges` others expunged, spread out.
        let other = try BlockingIMAPClient(port: port)
        try other.logIn(user: "bench", password: "bench")
        try other.selectInbox()
        let step = max(1, messages / (changes + expunges + 1))
        let changed = (0..<changes).map { ($0 * 2 + 1) * step / 2 + 1 }
        let expunged = (0..<expunges).map { ($0 * 2 + 2) * step / 2 + 1 }
        try other.command("UID STORE \(changed.map(String.init).joined(separator: ",")) +FLAGS.SILENT (\\Flagged)")
        try other.command("UID STORE \(expunged.map(String.init).joined(separator: ",")) +FLAGS.SILENT (\\Deleted)")
        try other.command("UID EXPUNGE \(expunged.map(String.init).joined(separator: ","))")

        // The client comes back: SELECT with QRESYNC, repeated (each answers the same changes).
        var seconds: [Double] = []
        var vanished = 0
        var fetches = 0
        var octets = 0
        for _ in 0..<repetitions {
            let client = try BlockingIMAPClient(port: port)
            try client.logIn(user: "bench", password: "bench")
            try client.command("ENABLE QRESYNC")
            let response = try client.command("SELECT INBOX (QRESYNC (\(validity) \(highest)))", keep: true)
            seconds.append(response.seconds)
            let text = String(decoding: response.untagged, as: UTF8.self)
            let lines = text.split(separator: "\r\n")
            fetches = lines.count { $0.contains(" FETCH (") }
            vanished = lines.first { $0.hasPrefix("* VANISHED (EARLIER) ") }.map { uidCount($0.dropFirst(21)) } ?? 0
            octets = response.untagged.count
        }
        // Without QRESYNC the client refetches every message's flags.
        let plain = try BlockingIMAPClient(port: port)
        try plain.logIn(user: "bench", password: "bench")
        try plain.selectInbox()
        var full: [Double] = []
        var fullOctets = 0
        for _ in 0..<repetitions {
            let response = try plain.command("UID FETCH 1:* (FLAGS)", keep: true)
            full.append(response.seconds)
            fullOctets = response.untagged.count
        }
        func milliseconds(_ samples: [Double]) -> String {
            let sorted = samples.sorted()
            return String(
                format: "median %.2f ms, max %.2f ms", sorted[sorted.count / 2] * 1000, (sorted.last ?? 0) * 1000)
        }
        return [
            "SELECT (QRESYNC): \(vanished) UIDs in VANISHED (EARLIER), \(fetches) FETCH responses, \(octets) octets before the"
                + " completion; \(milliseconds(seconds)) over \(repetitions) runs (client-side, loopback)",
            "UID FETCH 1:* (FLAGS) without QRESYNC: \(fullOctets) octets; \(milliseconds(full))",
        ]
    }

    private static func number(after prefix: String, in text: String) -> UInt64? {
        guard let range = text.range(of: prefix) else { return nil }
        return UInt64(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// How many UIDs a UID set such as `3,5:9` names.
    private static func uidCount(_ set: Substring) -> Int {
        set.split(separator: ",").reduce(0) { total, part in
            let bounds = part.split(separator: ":").compactMap { Int($0) }
            guard let low = bounds.first, let high = bounds.last else { return total }
            return total + abs(high - low) + 1
        }
    }
}
