import Foundation
import Letterbox
import TestSupport
import Testing

/// The web inbox driven end to end in headless Chromium (Debian's `chromium` and
/// `chromium-driver`, PyPI `selenium`) by `Fixtures/browser/web_inbox.py`: live arrival, the
/// sandboxed HTML view, remote content, attachment bytes, search, keyboard, delete (seen over
/// IMAP), 375 px and dark mode. Screenshots go to `.build/web-inbox-screenshots/`.
@Suite("Web inbox in a real browser")
struct WebInboxBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = root.appendingPathComponent("Fixtures/browser/web_inbox.py").path
    static let screenshots = root.appendingPathComponent(".build/web-inbox-screenshots").path

    @Test("the inbox works in headless Chromium", .timeLimit(.minutes(2)))
    func browser() async throws {
        _ = try ExternalTool.path("chromium", package: "chromium")
        _ = try ExternalTool.path("chromedriver", package: "chromium-driver")
        let python = try await ExternalTool.python(with: ["selenium"], pip: "selenium")
        try await withCatcher { mail in
            let result = try await ExternalTool.run(
                python,
                [
                    Self.script, String(mail.ports.http), String(mail.ports.smtp), String(mail.ports.imap),
                    Self.screenshots,
                ])
            #expect(result.status == 0, "browser script failed:\n\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("ok: dark mode applies"), "\(result.stdout)")
        }
    }
}
