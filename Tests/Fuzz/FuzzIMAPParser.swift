// libFuzzer target: IMAP command framing (literal announcements `{n}`, `{n+}`, as IMAPServer
// reads them) and `IMAPParser.parse` over every command of the input.
//
// Invariants: a parsed command's tag is a non-empty IMAP `tag` (no space, CR, LF, `{`, `*`, `+`
// at the start…); a refusal's response is a well-formed BAD/BYE line.

@testable import LetterboxIMAP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIMAPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    let options = FuzzOptions(raw)
    var connection = FuzzConnection(raw, from: options.start, chunk: options.chunk)
    let maxLiteral = options.has(1) ? 16 : 65536
    while let read = readIMAPCommand(&connection, maxLiteralSize: maxLiteral, continuation: { _ in }) {
        switch read {
        case .refused(let response, let fatal):
            checkIMAPResponse(Array(response.utf8), tag: String(response.prefix { $0 != " " }), final: false)
            if fatal { return 0 }
        case .command(let bytes):
            switch IMAPParser.parse(bytes) {
            case .success(let command):
                checkIMAPTag(command.tag)
            case .failure(let error):
                checkIMAPResponse(
                    Array("\(error.tag ?? "*") BAD \(error.reason)\r\n".utf8), tag: error.tag, final: false)
            }
        }
    }
    return 0
}

/// RFC 3501 §9: `tag = 1*<any ASTRING-CHAR except "+">`. Checked: what a client needs to match
/// the tagged response (no space or control octet, not `*` or starting with `+`, no `{`).
func checkIMAPTag(_ tag: String) {
    guard !tag.isEmpty, tag != "*", !tag.hasPrefix("+"),
        tag.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "{") })
    else {
        fuzzFailure("tag \(tag.debugDescription) accepted")
    }
}
