import Foundation
import Letterbox
import TestSupport
import Testing

/// The randomized multi-session checker (`letterbox-bench imapcheck`), bounded and seeded so CI
/// keeps it: four sessions of a few hundred random commands each on shared mailboxes, against
/// each store, and against Dovecot (which must pass, or the checker is wrong).
@Suite(.timeLimit(.minutes(5))) struct IMAPCheckerTests {
    private func options(port: Int) -> IMAPChecker.Options {
        var options = IMAPChecker.Options(port: port)
        options.sessions = 4
        options.commandsPerSession = 300
        options.seed = 17
        return options
    }

    @Test(arguments: ["memory", "maildir"]) func fourSessionsAgreeWithLetterbox(store: String) async throws {
        let folder = try MaildirIntegrationTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withCatcher({ configuration in
            if store == "maildir" { configuration.storage = .maildir(folder) }
        }) { mail in
            let report = await IMAPChecker.run(options(port: mail.ports.imap))
            #expect(report.passed, "\(report.summary)")
            #expect(report.commands >= 4 * 300)
        }
    }

    @Test func fourSessionsAgreeWithDovecot() async throws {
        try await DovecotIMAPServer.withRunning(messages: []) { dovecot in
            var options = options(port: dovecot.port)
            options.user = DovecotIMAPServer.user
            options.password = DovecotIMAPServer.password
            let report = await IMAPChecker.run(options)
            #expect(report.passed, "\(report.summary)")
        }
    }
}
