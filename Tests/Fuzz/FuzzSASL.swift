// libFuzzer target: SASL decoding — base64 and PLAIN (`SASLPlain`, shared by the three
// protocols), and the SMTP AUTH exchange for PLAIN, LOGIN and CRAM-MD5, POP3 AUTH PLAIN and IMAP
// AUTHENTICATE PLAIN with the input's lines as the client's responses.
//
// Invariants: base64 of any octets decodes back to them; PLAIN splits on exactly two NULs; a
// login succeeds only with the configured user and password; every reply is well-formed.

import Foundation
import LetterboxMIME
import LetterboxStore
import LetterboxText

@testable import LetterboxIMAP
@testable import LetterboxPOP3
@testable import LetterboxSMTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSASL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    let options = FuzzOptions(raw)
    let body = Array(raw[options.start...])

    // Decoding on its own.
    let encoded = Data(body).base64EncodedString()
    guard SASLPlain.decodeBase64(encoded) == body else { fuzzFailure("base64 round trip of \(show(body))") }
    let plain = SASLPlain.parse(body)
    let nuls = body.count { $0 == 0 }
    guard (plain != nil) == (nuls == 2) else { fuzzFailure("PLAIN with \(nuls) NULs parsed: \(plain != nil)") }
    let text = String(decoding: body, as: UTF8.self)
    _ = SASLPlain.decode(text)

    // The input's lines as responses to each mechanism.
    let lines = body.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(8).map { line in
        Array(line.last == 0x0D ? line.dropLast() : line)
    }
    let users = options.has(4) ? Credentials(users: ["a": "b"]) : Credentials.anyone
    let mechanism = [
        "PLAIN", "LOGIN", "CRAM-MD5", "PLAIN " + (lines.first.map { String(decoding: $0, as: UTF8.self) } ?? ""),
    ][
        Int(options.flags & 3)]
    smtpAuth(mechanism: mechanism, responses: lines, credentials: users)
    pop3Auth(responses: lines, credentials: users)
    imapAuth(responses: lines, credentials: users)
    return 0
}

private func smtpAuth(mechanism: String, responses: [[UInt8]], credentials: Credentials) {
    var session = SMTPSession(configuration: SMTPConfiguration(credentials: credentials), peer: "fuzz")
    _ = session.receive(Array("EHLO client".utf8))
    var next: SMTPSession.Action = session.receive(Array("AUTH \(mechanism)".utf8))
    var remaining = responses[...]
    // What the client has sent so far: the initial response, then each line.
    var sent: [String] = mechanism.hasPrefix("PLAIN ") ? [String(mechanism.dropFirst(6))] : []
    while true {
        guard case .reply(let reply) = next else {
            if case .close(let reply) = next { checkSMTPReply(reply) }
            return
        }
        checkSMTPReply(reply)
        if reply.code == 235, credentials.users != nil {
            func decoded(_ text: String?) -> String? {
                text.flatMap { SASLPlain.decodeBase64($0.trimmingWhitespace()) }.map {
                    String(decoding: $0, as: UTF8.self)
                }
            }
            if mechanism.hasPrefix("PLAIN") {
                guard case .success(let plain) = SASLPlain.decode(sent.last?.trimmingWhitespace() ?? ""),
                    credentials.accepts(user: plain.user, password: plain.password)
                else { fuzzFailure("SMTP AUTH PLAIN accepted \(sent)") }
            } else if mechanism == "LOGIN" {
                guard sent.count >= 2, let user = decoded(sent[sent.count - 2]), let password = decoded(sent.last),
                    credentials.accepts(user: user, password: password)
                else { fuzzFailure("SMTP AUTH LOGIN accepted \(sent)") }
            } else {
                fuzzFailure("\(mechanism) accepted with a user list")
            }
        }
        guard reply.code == 334, let response = remaining.popFirst() else { return }
        sent.append(String(decoding: response, as: UTF8.self))
        next = session.receive(response)
    }
}

private func pop3Auth(responses: [[UInt8]], credentials: Credentials) {
    var session = POP3Session(configuration: POP3Configuration(credentials: credentials), timestamp: "<1@fuzz>")
    var action = session.receive(Array("AUTH PLAIN".utf8))
    for response in responses {
        guard case .reply(let status) = action, status == "+ " else { break }
        action = session.receive(response)
        if case .openMaildrop = action {
            let decoded = SASLPlain.decode(String(decoding: response, as: UTF8.self))
            guard case .success(let plain) = decoded, credentials.accepts(user: plain.user, password: plain.password)
            else {
                fuzzFailure("POP3 login without valid credentials")
            }
        }
        if case .reply(let status) = action, !isClean(status) || !(status.hasPrefix("+") || status.hasPrefix("-ERR")) {
            fuzzFailure("POP3 status \(status.debugDescription)")
        }
    }
}

private func imapAuth(responses: [[UInt8]], credentials: Credentials) {
    fuzzBlocking {
        var session = IMAPSession(configuration: IMAPConfiguration(credentials: credentials), store: MemoryStore())
        for response in responses {
            let (start, outcome) = await session.handle(
                TaggedCommand(tag: "a1", command: .authenticate(mechanism: "PLAIN", initialResponse: nil)))
            guard outcome == .authenticate else {
                checkIMAPResponse(start, tag: "a1", final: true)
                return
            }
            let (result, after) = session.continueAuthentication(response)
            let last = checkIMAPResponse(result, tag: "a1", final: true)
            if after == .close { return }  // the session's last failed login
            if last.hasPrefix("a1 OK") {
                let decoded = SASLPlain.decode(String(decoding: response, as: UTF8.self))
                guard case .success(let plain) = decoded,
                    credentials.accepts(user: plain.user, password: plain.password)
                else {
                    fuzzFailure("IMAP login without valid credentials")
                }
                return
            }
        }
    }
}
