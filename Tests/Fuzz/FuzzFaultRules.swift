// libFuzzer target: fault-rule text (`FaultRule(parsing:)`, `FaultRule.parseList`), and each
// rule that parses applied by an SMTP session to a fixed transaction.
//
// Invariants: a rule's `description` parses back to an equal rule; a list parses to the rules of
// its lines; every reply a rule makes the session send is a well-formed SMTP reply.

import LetterboxFaults
import LetterboxStore

@testable import LetterboxSMTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFaultRules(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: raw, as: UTF8.self)
    _ = try? FaultRule.parseList(text)
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        guard let rule = try? FaultRule(parsing: String(line)) else { continue }
        let again: FaultRule
        do { again = try FaultRule(parsing: rule.description) } catch {
            fuzzFailure("\(rule.description.debugDescription) does not parse back: \(error)")
        }
        guard again == rule else {
            fuzzFailure("\(rule.description.debugDescription) parses back to \(again.description.debugDescription)")
        }
        applyToTransaction(rule)
    }
    return 0
}

/// Runs EHLO, MAIL, RCPT, DATA and a body through a session carrying `rule`.
private func applyToTransaction(_ rule: FaultRule) {
    var configuration = SMTPConfiguration(maxMessageSize: 1024)
    configuration.faults = FaultInjector(rules: [rule])
    var session = SMTPSession(configuration: configuration, peer: "fuzz")
    func check(_ action: SMTPSession.Action) -> Bool {
        switch action {
        case .reply(let reply), .receiveData(let reply), .startTLS(let reply):
            checkSMTPReply(reply)
            return true
        case .close(let reply):
            checkSMTPReply(reply)
            return false
        case .drop: return false
        case .delayed(_, let next): return check(next)
        case .receiveChunk: return true
        }
    }
    guard check(session.opening()) else { return }
    for line in [
        "EHLO client.example", "AUTH PLAIN AGEAYg==", "MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "DATA",
    ] {
        guard check(session.receive(Array(line.utf8))) else { return }
    }
    var completion = session.dataReceived(.complete(Array("Subject: x\r\n\r\nbody\r\n".utf8)))
    while true {
        switch completion {
        case .reply(let reply): checkSMTPReply(reply)
        case .deliver: checkSMTPReply(session.delivered(id: 1))
        case .drop: break
        case .delayed(_, let next):
            completion = next
            continue
        }
        break
    }
}
