import Foundation
import Letterbox
import LetterboxFaults
import LetterboxSMTP
import LetterboxStore
import TestSupport
import Testing

/// What the HTTP port refuses to web pages: a `Host` it does not answer to (DNS rebinding), and
/// state changes sent cross-site (a `text/plain` POST needs no CORS preflight). Over TCP, with curl.
@Suite struct HTTPBrowserPolicyTests {
    /// `status⏎body` of one request.
    private func request(_ port: Int, _ path: String, _ arguments: [String] = []) async throws -> (Int, String) {
        let curl = try ExternalTool.path("curl", package: "curl")
        let output = try await ExternalTool.run(
            curl,
            ["--silent", "--show-error", "--max-time", "60", "--write-out", "\n%{http_code}"] + arguments
                + ["http://127.0.0.1:\(port)\(path)"])
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let body = lines.dropLast().joined(separator: "\n")
        return (Int(lines.last ?? "") ?? -1, body.hasSuffix("\n") ? String(body.dropLast()) : body)
    }

    private func store(_ mail: MailCatcher) async throws {
        _ = try await mail.store.append(
            Array("Subject: kept\r\n\r\nsecret\r\n".utf8),
            envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]))
    }

    @Test func aForeignHostIsRefusedSoARebindingPageCannotReadMail() async throws {
        try await withCatcher { mail in
            try await store(mail)
            let port = mail.ports.http
            for host in ["evil.example", "evil.example:\(port)", "attacker.example.com.", "127.0.0.1.evil.example"] {
                let (status, body) = try await request(port, "/messages/1", ["-H", "Host: \(host)"])
                #expect(status == 403, "Host: \(host)")
                #expect(body.contains("is not served here") && !body.contains("secret"), "Host: \(host)")
            }
            // An unknown path is refused too, so a page cannot probe what exists.
            #expect(try await request(port, "/nothing", ["-H", "Host: evil.example"]).0 == 403)
        }
    }

    @Test func theNamesTheServerAnswersToAreServed() async throws {
        try await withCatcher { configuration in
            configuration.smtp.hostname = "mail.internal.test"
        } _: { mail in
            try await store(mail)
            let port = mail.ports.http
            let hosts = [
                "localhost", "localhost:\(port)", "LOCALHOST:\(port)", "127.0.0.1:\(port)", "[::1]:\(port)", "[::1]",
                "app.localhost", "10.1.2.3:8025", "letterbox:8025", "letterbox", "mail.internal.test:\(port)",
                "host.docker.internal:\(port)", "letterbox.mail.svc.cluster.local", "ci.home.arpa", "letterbox.test",
            ]
            for host in hosts {
                let (status, body) = try await request(port, "/messages/1", ["-H", "Host: \(host)"])
                #expect(status == 200, "Host: \(host)")
                #expect(body.contains("secret"), "Host: \(host)")
            }
        }
    }

    @Test func allowedHostsAddNamesSuffixesOrEverything() async throws {
        try await withCatcher { configuration in
            configuration.httpAllowedHosts = ["mail.example.com:8025", ".corp.example"]
        } _: { mail in
            let port = mail.ports.http
            let hosts = [
                ("mail.example.com:\(port)", 200), ("mx.eu.corp.example", 200), ("corp.example.evil", 403),
                ("example.com", 403),
            ]
            for (host, expected) in hosts {
                let (status, _) = try await request(port, "/healthz", ["-H", "Host: \(host)"])
                #expect(status == expected, "Host: \(host)")
            }
        }
        try await withCatcher { configuration in
            configuration.httpAllowedHosts = ["*"]
        } _: { mail in
            let (status, _) = try await request(mail.ports.http, "/healthz", ["-H", "Host: anything.example"])
            #expect(status == 200)
        }
    }

    @Test func theExecutableTakesAllowedHostsFromTheFlagAndTheEnvironment() async throws {
        let help = try await ExternalTool.run(MaildirKillTests.binary, ["--help"])
        #expect(help.stdout.contains("--http-allowed-hosts") && help.stdout.contains("LETTERBOX_HTTP_ALLOWED_HOSTS"))
        let port = try freeLoopbackPort()
        let server = try ChildProcess(
            MaildirKillTests.binary,
            [
                "--http-port", String(port), "--smtp-port", "off", "--pop3-port", "off", "--imap-port", "off",
                "--http-allowed-hosts", "mail.example.com,.corp.example",
            ])
        // Stopping waits for it to exit: on a thread of its own, off the cooperative pool.
        try await withCleanup({ _ = try? await onOwnThread { server.stop() } }) {
            var status = -1
            for _ in 0..<200 where status != 200 {
                status = (try? await request(port, "/healthz"))?.0 ?? -1
                if status != 200 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(try await request(port, "/healthz", ["-H", "Host: mail.example.com"]).0 == 200)
            #expect(try await request(port, "/healthz", ["-H", "Host: a.corp.example:8025"]).0 == 200)
            #expect(try await request(port, "/healthz", ["-H", "Host: other.example.com"]).0 == 403)
        }
    }

    @Test func aCrossSiteTextPlainPostAddsNoFaultRule() async throws {
        try await withCatcher { mail in
            let port = mail.ports.http
            let post = ["-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "rcpt=*:550 5.1.1"]
            let (status, body) = try await request(port, "/faults", post + ["-H", "Origin: http://evil.example"])
            #expect(status == 403)
            #expect(body.contains("cross-site POST refused"))
            #expect(try await request(port, "/faults", post + ["-H", "Origin: null"]).0 == 403)
            #expect(try await request(port, "/faults", post + ["-H", "Sec-Fetch-Site: cross-site"]).0 == 403)
            #expect(try await request(port, "/faults", post + ["-H", "Sec-Fetch-Site: same-site"]).0 == 403)
            #expect(mail.faults.rules.isEmpty)
            // Same origin, or a tool that sends no Origin: accepted.
            #expect(try await request(port, "/faults", post + ["-H", "Origin: http://127.0.0.1:\(port)"]).0 == 201)
            #expect(try await request(port, "/faults", post + ["-H", "Sec-Fetch-Site: same-origin"]).0 == 201)
            #expect(try await request(port, "/faults", post).0 == 201)
            #expect(mail.faults.rules.count == 3)
        }
    }

    @Test func aCrossSiteDeleteRemovesNothing() async throws {
        try await withCatcher { mail in
            try await store(mail)
            let port = mail.ports.http
            #expect(
                try await request(port, "/messages", ["-X", "DELETE", "-H", "Origin: https://evil.example"]).0 == 403)
            #expect(
                try await request(port, "/messages/1", ["-X", "DELETE", "-H", "Sec-Fetch-Site: cross-site"]).0 == 403)
            #expect(mail.messages.count == 1)
            // Reading stays possible from anywhere the Host allows: GET changes nothing.
            #expect(try await request(port, "/messages", ["-H", "Origin: https://evil.example"]).0 == 200)
            #expect(try await request(port, "/messages", ["-X", "DELETE"]).1 == "1")
        }
    }
}
