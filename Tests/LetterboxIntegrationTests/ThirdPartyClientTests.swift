import Foundation
import Letterbox
import LetterboxStore
import TestSupport
import Testing

/// SMTP clients we did not write, talking to a live catcher: Python's smtplib, curl and swaks.
@Suite struct ThirdPartyClientTests {
    @Test func pythonSmtplibSendsWithAuthAndBcc() async throws {
        try await withCatcher { mail in
            let script = """
                import smtplib, sys
                from email.message import EmailMessage
                msg = EmailMessage()
                msg["From"] = "Ana <ana@example.com>"
                msg["To"] = "bo@example.com"
                msg["Subject"] = "Grüße from smtplib"
                msg.set_content("Hello from Python\\n.leading dot line\\n")
                with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as s:
                    s.ehlo("python.test")
                    s.login("ana", "any-password")
                    s.send_message(msg, to_addrs=["bo@example.com", "secret@example.com"])
                """
            let python = try ExternalTool.path("python3", package: "python3")
            let result = try await ExternalTool.run(python, ["-c", script, String(mail.ports.smtp)])
            #expect(result.status == 0, "\(result.stderr)")
            let message = try await mail.waitForMessage(to: "secret@example.com", timeout: .seconds(30))
            #expect(message.subject == "Grüße from smtplib")
            #expect(message.envelope.authenticatedAs == "ana")
            #expect(message.envelope.helo == "python.test")
            #expect(message.text.contains(".leading dot line"))
        }
    }

    @Test func curlUploadsAMessage() async throws {
        try await withCatcher { mail in
            let curl = try ExternalTool.path("curl", package: "curl")
            let body = sampleMessage(subject: "From curl", to: "cu@example.com", body: "curl body")
            let result = try await ExternalTool.run(
                curl,
                [
                    "--silent", "--show-error", "smtp://127.0.0.1:\(mail.ports.smtp)", "--mail-from",
                    "sender@example.com",
                    "--mail-rcpt", "cu@example.com", "--upload-file", "-",
                ], stdin: body)
            #expect(result.status == 0, "\(result.stderr)")
            let message = try await mail.waitForMessage(to: "cu@example.com", timeout: .seconds(30))
            #expect(message.subject == "From curl")
            #expect(message.envelope.sender == "sender@example.com")
        }
    }

    @Test func swaksSendsPipelinedWithAuthLogin() async throws {
        try await withCatcher { mail in
            let swaks = try ExternalTool.path("swaks", package: "swaks")
            let result = try await ExternalTool.run(
                swaks,
                [
                    "--server", "127.0.0.1", "--port", String(mail.ports.smtp), "--from", "swaks@example.com",
                    "--to", "one@example.com,two@example.com", "--header", "Subject: From swaks", "--pipeline",
                    "--auth", "LOGIN", "--auth-user", "robot", "--auth-password", "pw", "--timeout", "30",
                ])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let message = try await mail.waitForMessage(subject: "From swaks", timeout: .seconds(30))
            #expect(message.envelope.recipients == ["one@example.com", "two@example.com"])
            #expect(message.envelope.authenticatedAs == "robot")
        }
    }

    @Test func swaksAuthenticatesWithCramMD5() async throws {
        try await withCatcher { mail in
            let swaks = try ExternalTool.path("swaks", package: "swaks")
            let result = try await ExternalTool.run(
                swaks,
                [
                    "--server", "127.0.0.1", "--port", String(mail.ports.smtp), "--from", "swaks@example.com",
                    "--to", "chunk@example.com", "--header", "Subject: CRAM-MD5 by swaks", "--timeout", "30",
                    "--auth", "CRAM-MD5", "--auth-user", "robot", "--auth-password", "pw",
                ])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let message = try await mail.waitForMessage(subject: "CRAM-MD5 by swaks", timeout: .seconds(30))
            #expect(message.envelope.recipients == ["chunk@example.com"])
        }
    }
}
