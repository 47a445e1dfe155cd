// libFuzzer target: the IMAP session fed a whole transcript, framed as IMAPServer frames it
// (lines, literals, AUTHENTICATE responses, IDLE … DONE), over a fresh in-memory store holding
// FuzzSupport's seed messages.
//
// Invariants: every response is CRLF lines of tagged (the command's own tag), untagged or
// continuation responses, the command's tagged OK/NO/BAD last; after LOGOUT's BYE the session
// ends and nothing more is read or sent.

import LetterboxStore

@testable import LetterboxIMAP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIMAPSession(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    fuzzBlocking { await runIMAPSession(raw) }
    return 0
}

private func runIMAPSession(_ raw: [UInt8]) async {
    let options = FuzzOptions(raw)
    let store = await seededStore()
    let configuration = IMAPConfiguration(
        credentials: options.has(4) ? Credentials(users: ["a": "b"]) : .anyone,
        maxLiteralSize: options.has(1) ? 64 : 65536)
    var session = IMAPSession(configuration: configuration, store: store, canStartTLS: options.has(8))
    var connection = FuzzConnection(raw, from: options.start, chunk: options.chunk)
    checkIMAPResponse(session.greeting, tag: nil, final: false)
    while true {
        guard
            let read = readIMAPCommand(
                &connection, maxLiteralSize: configuration.maxLiteralSize, continuation: { _ in })
        else { return }
        let bytes: [UInt8]
        switch read {
        case .refused(let response, let fatal):
            checkIMAPResponse(Array(response.utf8), tag: String(response.prefix { $0 != " " }), final: false)
            if fatal { return }
            continue
        case .command(let command):
            bytes = command
        }
        let tagged: TaggedCommand
        switch IMAPParser.parse(bytes) {
        case .failure(let error):
            checkIMAPResponse(
                Array("\(error.tag ?? "*") BAD \(error.reason)\r\n".utf8), tag: error.tag, final: error.tag != nil)
            continue
        case .success(let command):
            tagged = command
        }
        let (response, outcome) = await session.handle(tagged)
        switch outcome {
        case .proceed:
            checkIMAPResponse(response, tag: tagged.tag, final: true)
        case .close:
            let last = checkIMAPResponse(response, tag: tagged.tag, final: true)
            // LOGOUT (tagged OK), or the failed login that used up the session's tries (tagged NO).
            guard String(decoding: response, as: UTF8.self).contains("* BYE "),
                last.hasPrefix("\(tagged.tag) OK") || last.hasPrefix("\(tagged.tag) NO")
            else {
                fuzzFailure("close without BYE and a tagged answer: \(show(response))")
            }
            return  // nothing is read or sent after BYE
        case .startTLS:
            checkIMAPResponse(response, tag: tagged.tag, final: true)
            session.tlsStarted()
        case .authenticate:
            guard response == Array("+ \r\n".utf8) else { fuzzFailure("AUTHENTICATE continuation \(show(response))") }
            let line: [UInt8]
            do {
                guard let read = try connection.readLine(maxLength: IMAPConfiguration.maxLineLength) else { return }
                line = read
            } catch {
                return  // the server ends the connection on an over-long SASL line
            }
            let (answer, outcome) = session.continueAuthentication(line)
            checkIMAPResponse(answer, tag: tagged.tag, final: true)
            if outcome == .close { return }
        case .idle(let tag):
            guard tag == tagged.tag else { fuzzFailure("IDLE for tag \(tag), command \(tagged.tag)") }
            checkIMAPResponse(response, tag: nil, final: false)
            guard String(decoding: response, as: UTF8.self).hasSuffix("+ idling\r\n") else {
                fuzzFailure("IDLE without continuation")
            }
            checkIMAPResponse(session.idleUpdates(), tag: nil, final: false)
            do {
                guard (try connection.readLine(maxLength: IMAPConfiguration.maxLineLength)) != nil else { return }
            } catch {
                return
            }
        }
    }
}
