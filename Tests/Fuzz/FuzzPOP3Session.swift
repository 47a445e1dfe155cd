// libFuzzer target: POP3 commands (`POP3Command.parse`) and the POP3 session fed a whole
// transcript, framed as POP3Server frames it, over a maildrop of three messages; plus RETR/TOP
// encoding (`MessageTransfer`) of the input itself as a message.
//
// Invariants: every status line is `+OK`/`-ERR` (or `+ ` during AUTH) with no CR, LF or NUL;
// multi-line bodies are dot-stuffed; QUIT's answer ends the session and nothing follows it;
// UPDATE deletes only messages that exist and that DELE marked; the fast path for canonical
// messages sends the same octets as the encoder.

import LetterboxStore

@testable import LetterboxPOP3

private let maildrop: [Message] = fuzzBlocking {
    let store = MemoryStore()
    var messages: [Message] = []
    for text in [
        "From: a@example.com\r\nTo: b@example.com\r\nSubject: one\r\n\r\nHello\r\n.dot line\r\n",
        "Subject: bare\n\nline\n.\n..\nend",
        "",
    ] {
        if let message = try? await store.append(
            Array(text.utf8), envelope: Envelope(sender: "a@example.com", recipients: ["b@example.com"]))
        {
            messages.append(message)
        }
    }
    return messages
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPOP3Session(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    let options = FuzzOptions(raw)
    checkTransfer(Array(raw[options.start...]), bodyLines: Int(options.flags >> 5))
    var connection = FuzzConnection(raw, from: options.start, chunk: options.chunk)
    var session = POP3Session(
        configuration: POP3Configuration(credentials: options.has(4) ? Credentials(users: ["a": "b"]) : .anyone),
        timestamp: "<1.2@fuzz>", canStartTLS: options.has(8))
    var marked: Set<UInt64> = []
    checkStatus(session.greeting)
    while true {
        var action: POP3Session.Action
        do {
            guard let line = try connection.readLine(maxLength: POP3Configuration.maxLineLength) else { return 0 }
            _ = POP3Command.parse(line)
            action = session.receive(line)
            if case .reply(let status) = action, status.hasPrefix("+OK message "), status.hasSuffix(" deleted"),
                case .success(.dele(let number)) = POP3Command.parse(line), number >= 1, number <= maildrop.count
            {
                marked.insert(maildrop[number - 1].id)
            }
            if case .reply(let status) = action, status.hasPrefix("+OK maildrop has") { marked = [] }
        } catch {
            action = session.lineTooLong()
        }
        if case .openMaildrop = action {
            marked = []
            action = session.maildropOpened(maildrop, uidValidity: 7)
        }
        // A failed login's delay is the driver's to wait; what follows it is checked as usual.
        while case .delayed(_, let next) = action { action = next }
        switch action {
        case .reply(let status):
            checkStatus(status)
        case .multiline(let status, let lines):
            checkStatus(status)
            guard status.hasPrefix("+OK") else { fuzzFailure("multi-line answer after \(status)") }
            for line in lines where !isClean(line) { fuzzFailure("multi-line answer line \(line.debugDescription)") }
        case .retrieve(let status, let message, let number, let bodyLines):
            checkStatus(status)
            guard maildrop.indices.contains(number - 1), maildrop[number - 1].id == message.id else {
                fuzzFailure("RETR \(number) picked message \(message.id)")
            }
            checkTransfer(message.raw, bodyLines: bodyLines)
        case .commit(let ids, let reply):
            checkStatus(reply)
            guard Set(ids) == marked, ids.count == marked.count else {
                fuzzFailure("UPDATE deletes \(ids), DELE marked \(marked.sorted())")
            }
            return 0
        case .close(let status):
            checkStatus(status)
            return 0
        case .startTLS(let status):
            checkStatus(status)
            session.tlsStarted()
        case .openMaildrop:
            fuzzFailure("maildrop opened twice")
        case .delayed:
            fuzzFailure("unwrapped above")
        }
    }
}

/// A POP3 status line: `+OK`, `-ERR` or a SASL continuation (RFC 1939 §3, RFC 5034 §4).
private func checkStatus(_ status: String) {
    guard status.hasPrefix("+OK") || status.hasPrefix("-ERR") || status == "+ " else {
        fuzzFailure("status line \(status.debugDescription)")
    }
    guard isClean(status) else { fuzzFailure("control octets in \(status.debugDescription)") }
    if status.hasPrefix("+OK"), status.count > 3, !status.hasPrefix("+OK ") {
        fuzzFailure("status \(status.debugDescription)")
    }
}

/// What RETR/TOP sends for `raw`: CRLF lines, no lone `.` before the terminator, `.` CRLF at the
/// end; a message sent as it is (already canonical) is byte-identical to the encoding.
private func checkTransfer(_ raw: [UInt8], bodyLines: Int?) {
    let encoded = MessageTransfer.encode(raw, bodyLines: bodyLines)
    let lines = crlfLines(encoded, what: "RETR transfer", bareCR: true)
    guard let last = lines.last, last.elementsEqual([UInt8(ascii: ".")]) else {
        fuzzFailure("transfer without terminator")
    }
    for line in lines.dropLast() where line.elementsEqual([UInt8(ascii: ".")]) {
        fuzzFailure("a lone dot inside a transfer")
    }
    if bodyLines == nil, MessageTransfer.isAlreadyCanonical(raw) {
        guard raw + Array(".\r\n".utf8) == encoded else { fuzzFailure("canonical fast path differs from the encoder") }
    }
}
