import Foundation
import Letterbox
import LetterboxSMTP
import LetterboxStore
import Testing

/// The octets one IMAP command may bring (lines and literals together): 32 KiB before login,
/// the message size limit for APPEND, 4 MiB for anything else; refused before the literal is
/// read (RFC 7888 §4, RFC 9051 §7.1 TOOBIG).
@Suite struct IMAPCommandLimitTests {
    @Test func beforeLoginASynchronizingLiteralOverTheBudgetIsRefusedAndTheSessionGoesOn() async throws {
        try await withCatcher { mail in
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            try await client.send("a LOGIN {40000}\r\n")
            #expect(
                try await client.line()
                    == "a BAD [TOOBIG] literal of 40000 octets exceeds the limit of 32768 octets for one command before login"
            )
            // Literals that fit one by one but not together are refused at the one that overflows.
            try await client.send("b ID ({20000}\r\n")
            #expect(try await client.line() == "+ ready for literal")
            try await client.send(String(repeating: "x", count: 20000) + " {20000}\r\n")
            #expect(
                try await client.line().hasPrefix("b BAD [TOOBIG] literal of 20000 octets exceeds the limit of 32768"))
            try await client.send("c NOOP\r\n")
            #expect(try await client.line() == "c OK NOOP completed")
            try await client.send("d LOGIN ana pw\r\n")
            #expect(try await client.line().hasPrefix("d OK"), "a legitimate login still works")
            await client.close()
        }
    }

    @Test func beforeLoginTheSASLResponseOfAuthenticateIsHeldToTheSameBudget() async throws {
        // A password that fits a 64 KiB line but not the 32 KiB a command may have before login.
        let password = String(repeating: "p", count: 40_000)
        try await withCatcher({ $0.credentials = Credentials(users: ["ana": password]) }) { mail in
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            try await client.send("a AUTHENTICATE PLAIN\r\n")
            #expect(try await client.line() == "+ ")
            let response = Data("\0ana\0\(password)".utf8).base64EncodedString()
            try await client.send(response + "\r\n")
            #expect(try await client.line() == "a BAD [TOOBIG] SASL response exceeds 32768 octets")
            try await client.send("b NOOP\r\n")
            #expect(try await client.line() == "b OK NOOP completed", "the session goes on, not logged in")
            try await client.send("c SELECT INBOX\r\n")
            #expect(try await client.line().hasPrefix("c BAD"))
            await client.close()
        }
    }

    @Test func beforeLoginANonSynchronizingLiteralOverTheBudgetEndsTheConnection() async throws {
        try await withCatcher { mail in
            // The finding: LITERAL+ literals of 32 MiB in a SEARCH before login were all read.
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            try await client.send("a SEARCH TEXT {33554432+}\r\n")
            #expect(
                try await client.line()
                    == "* BYE [TOOBIG] literal of 33554432 octets exceeds the limit of 32768 octets for one command before login"
            )
            #expect(await client.isClosedByServer())
            // The server still serves.
            let next = try LineClient(port: mail.ports.imap)
            _ = try await next.line()
            try await next.send("b LOGIN {3+}\r\nana {2+}\r\npw\r\n")
            #expect(try await next.line().hasPrefix("b OK"))
            await next.close()
        }
    }

    @Test func afterLoginAppendMayBeAsLargeAsAMessageAndOtherCommandsAFewMiB() async throws {
        let messageLimit = 6 << 20
        try await withCatcher({ $0.smtp.maxMessageSize = messageLimit }) { mail in
            let client = try LineClient(port: mail.ports.imap)
            _ = try await client.line()
            try await client.send("a LOGIN ana pw\r\n")
            #expect(try await client.line().hasPrefix("a OK"))
            // An APPEND of 5 MB: over the 4 MiB of other commands, within the message limit.
            let body = String(repeating: "line of text\r\n", count: 5_000_000 / 14)
            let message = "Subject: big\r\n\r\n" + body
            let size = message.utf8.count
            try await client.send("b APPEND INBOX {\(size)}\r\n")
            #expect(try await client.line() == "+ ready for literal")
            try await client.send(message + "\r\n")
            #expect(try await client.line().hasPrefix("b OK [APPENDUID"))
            try await client.send("c SELECT INBOX\r\n")
            while !(try await client.line().hasPrefix("c OK")) {}
            try await client.send("d SEARCH TEXT {\(size)}\r\n")
            #expect(
                try await client.line()
                    == "d BAD [TOOBIG] literal of \(size) octets exceeds the limit of 4194304 octets for one command")
            try await client.send("e APPEND INBOX {\(messageLimit + 1)}\r\n")
            #expect(
                try await client.line()
                    == "e NO [TOOBIG] literal of \(messageLimit + 1) octets exceeds the limit of \(messageLimit) octets"
            )
            try await client.send("f FETCH 1 RFC822.SIZE\r\n")
            #expect(try await client.line() == "* 1 FETCH (RFC822.SIZE \(size))")
            #expect(try await client.line() == "f OK FETCH completed")
            await client.close()
        }
    }
}
