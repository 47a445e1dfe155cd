import Foundation
import Letterbox
import TestSupport

/// `imapcheck`: the randomized multi-session checker (``IMAPChecker``) against Letterbox with
/// the memory or the Maildir store, and with `--against dovecot` against Dovecot too, the same
/// sessions and seed: Dovecot must pass, or the checker is wrong.
enum IMAPCheck {
    /// Runs every asked-for target and prints each report; returns whether all passed.
    static func report(sessions: Int, seconds: Double, stores: [String], dovecot: Bool, seed: UInt64) async throws
        -> Bool
    {
        var passed = true
        for store in stores {
            var configuration = Configuration()
            configuration.httpPort = nil
            configuration.pop3Port = nil
            configuration.smtpPort = nil
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "letterbox-bench-imapcheck-\(getpid())"
            ).path
            try? FileManager.default.removeItem(atPath: folder)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            if store == "maildir" { configuration.storage = .maildir(folder) }
            let catcher = try await MailCatcher.start(configuration)
            passed = await run("letterbox (\(store))", port: catcher.ports.imap, sessions, seconds, seed) && passed
            await catcher.shutdown()
        }
        guard dovecot else { return passed }
        guard let executable = DovecotReference.executable(for: .imap) else {
            print("dovecot-imapd not installed: apt-get install dovecot-imapd")
            return false
        }
        let reference = try DovecotReference(executable: executable, messages: [], sessions: sessions, service: .imap)
        defer { reference.stop() }
        return await run(reference.version, port: reference.port, sessions, seconds, seed, user: "bench") && passed
    }

    private static func run(
        _ name: String, port: Int, _ sessions: Int, _ seconds: Double, _ seed: UInt64, user: String = "checker"
    ) async -> Bool {
        var options = IMAPChecker.Options(port: port)
        options.sessions = sessions
        options.seconds = seconds
        options.seed = seed
        options.user = user
        options.password = user == "bench" ? "bench" : "checker"
        let report = await IMAPChecker.run(options)
        print("imapcheck \(name), \(sessions) sessions, seed \(seed): \(report.summary)")
        return report.passed
    }
}
