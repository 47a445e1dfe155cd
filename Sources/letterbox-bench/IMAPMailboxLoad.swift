import Foundation
import Letterbox
import LetterboxStore
import TestSupport

/// IMAP mailbox operations: APPEND of many messages over one connection (one round trip each,
/// LITERAL+), then COPY and MOVE of a whole large INBOX into other mailboxes. Letterbox (memory and
/// Maildir store) and Dovecot (when installed) hold the same INBOX and are driven by the same
/// blocking client in the same run.
enum IMAPMailboxLoad {
    struct Figures: Sendable {
        var appendSeconds = 0.0
        var copySeconds = 0.0
        var moveSeconds = 0.0
        var problems: [String] = []
    }

    static func report(messages: Int, appends: Int, size: Int) async throws {
        let stored = (0..<max(messages, 1)).map { IMAPLoad.message($0, size: size, needle: false) }
        let appended = (0..<max(appends, 1)).map { IMAPLoad.message(messages + $0, size: size, needle: false) }

        var configuration = Configuration()
        configuration.httpPort = nil
        configuration.pop3Port = nil
        configuration.smtpPort = nil
        let catcher = try await MailCatcher.start(configuration)
        for bytes in stored {
            _ = try await catcher.store.append(
                bytes, envelope: Envelope(sender: "bench@example.com", recipients: ["sink@example.com"]))
        }
        // The same INBOX in a Maildir store (fsync per APPEND, hard links for COPY, renames for MOVE),
        // the fair comparison with Dovecot's Maildir. Stored with concurrent deliveries (group commit).
        let maildirPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "letterbox-bench-imap-mailboxes-\(getpid())"
        ).path
        try? FileManager.default.removeItem(atPath: maildirPath)
        defer { try? FileManager.default.removeItem(atPath: maildirPath) }
        var maildirConfiguration = configuration
        maildirConfiguration.storage = .maildir(maildirPath)
        let maildirCatcher = try await MailCatcher.start(maildirConfiguration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<32 {
                group.addTask {
                    for index in stride(from: lane, to: stored.count, by: 32) {
                        _ = try await maildirCatcher.store.append(
                            stored[index],
                            envelope: Envelope(sender: "bench@example.com", recipients: ["sink@example.com"]))
                    }
                }
            }
            try await group.waitForAll()
        }
        var targets = [
            IMAPLoad.Target(name: "letterbox", port: catcher.ports.imap),
            IMAPLoad.Target(name: "letterbox-maildir", port: maildirCatcher.ports.imap),
        ]
        var dovecot: DovecotReference?
        if let executable = DovecotReference.executable(for: .imap) {
            do {
                dovecot = try DovecotReference(executable: executable, messages: stored, sessions: 16, service: .imap)
            } catch {
                print("dovecot failed to start, reporting letterbox alone: \(error)")
            }
        } else {
            print("dovecot-imapd not installed: apt-get install dovecot-imapd (reporting letterbox alone)")
        }
        if let dovecot { targets.append(IMAPLoad.Target(name: "dovecot", port: dovecot.port)) }
        let measured = targets
        let figures: [Figures]
        do {
            figures = try await onThread {
                try measured.map { try measure($0, stored: stored.count, appended: appended) }
            }
        } catch {
            dovecot?.stop()
            await catcher.shutdown()
            await maildirCatcher.shutdown()
            throw error
        }
        dovecot?.stop()
        await catcher.shutdown()
        await maildirCatcher.shutdown()

        func side(_ value: (Figures) -> String) -> String {
            var parts = targets.indices.map { "\(targets[$0].name) \(value(figures[$0]))" }
            if dovecot == nil { parts.append("dovecot n/a") }
            return parts.joined(separator: ", ")
        }
        let kib = size / 1024
        print(
            "imap APPEND \(appended.count) × \(kib) KiB over one connection (LITERAL+, one round trip each): "
                + side { String(format: "%.0f msg/s", Double(appended.count) / $0.appendSeconds) }
                + (figures.count > 2
                    ? String(
                        format: " (memory %.0f%%, maildir %.0f%% of dovecot; goal ≥ 50%%)",
                        figures[2].appendSeconds / figures[0].appendSeconds * 100,
                        figures[2].appendSeconds / figures[1].appendSeconds * 100)
                    : ""))
        print(
            "imap UID COPY 1:* of \(stored.count) × \(kib) KiB: "
                + side { String(format: "%.0f ms", $0.copySeconds * 1000) } + " (goal < 500 ms)")
        print(
            "imap UID MOVE 1:* of \(stored.count) × \(kib) KiB: "
                + side { String(format: "%.0f ms", $0.moveSeconds * 1000) } + " (goal < 500 ms)")
        for (index, target) in targets.enumerated() {
            for problem in figures[index].problems { print("  warning: \(target.name): \(problem)") }
        }
    }

    /// APPENDs into a new mailbox, then copies and moves the whole INBOX into two more.
    private static func measure(_ target: IMAPLoad.Target, stored: Int, appended: [[UInt8]]) throws -> Figures {
        var figures = Figures()
        let client = try BlockingIMAPClient(port: target.port)
        try client.logIn(user: IMAPLoad.user, password: IMAPLoad.password)
        for name in ["Bench", "Copies", "Moved"] { _ = try client.command("CREATE \(name)") }
        let start = DispatchTime.now().uptimeNanoseconds
        for message in appended {
            let response = try client.command(
                "APPEND Bench {\(message.count)+}\r\n" + String(decoding: message, as: UTF8.self))
            if !response.completion.contains("[APPENDUID ") && figures.problems.isEmpty {
                figures.problems.append("APPEND without APPENDUID: \(response.completion)")
            }
        }
        figures.appendSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let exists = try client.selectInbox()
        if exists != stored { figures.problems.append("SELECT: \(exists) EXISTS, expected \(stored)") }
        figures.copySeconds = try client.command("UID COPY 1:* Copies").seconds
        let moved = try client.command("UID MOVE 1:* Moved")
        figures.moveSeconds = moved.seconds
        if moved.untaggedCount < stored { figures.problems.append("MOVE: \(moved.untaggedCount) responses") }
        for (name, expected) in [("Bench", appended.count), ("Copies", stored), ("Moved", stored), ("INBOX", 0)] {
            let status = try client.command("STATUS \(name) (MESSAGES)", keep: true)
            let text = String(decoding: status.untagged, as: UTF8.self)
            if !text.contains("(MESSAGES \(expected))") {
                figures.problems.append("STATUS \(name): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
        client.logOut()
        return figures
    }
}
