// libFuzzer target: SMTP command lines (`SMTPCommand.parse`), one per input line. A refusal must
// be a well-formed SMTP error reply; an accepted command must keep what RFC 5321 promises.

@testable import LetterboxSMTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPCommand(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    for line in raw.split(separator: 0x0A, omittingEmptySubsequences: false) {
        var line = Array(line)
        if line.last == 0x0D { line.removeLast() }
        switch SMTPCommand.parse(line) {
        case .failure(let reply):
            checkSMTPReply(reply)
            guard (500...599).contains(reply.code) else { fuzzFailure("a refused command got \(reply.wire)") }
        case .success(let command):
            switch command {
            case .bdat(let size, _): guard size >= 0 else { fuzzFailure("negative BDAT size") }
            case .rcpt(let to, _): guard !to.isEmpty else { fuzzFailure("empty RCPT path accepted") }
            case .mail(let from, _): guard from.utf8.count <= 256 else { fuzzFailure("over-long path accepted") }
            default: break
            }
        }
    }
    return 0
}
