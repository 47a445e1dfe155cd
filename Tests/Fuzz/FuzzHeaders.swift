// libFuzzer target: the header parser (RFC 5322 fields, RFC 2047 words, address lists, MIME
// parameters). Built by run.sh against the LetterboxMIME module compiled for testing, so it
// reaches internal API. Every check is a precondition: a violation is a crash libFuzzer keeps.

@testable import LetterboxMIME

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    let headers = MessageHeaders(parsing: raw)
    _ = headers.subject
    _ = headers.from
    _ = headers.to
    _ = headers.cc
    _ = headers.sender
    _ = MessageEnvelope(headers: headers)
    var budget = HeaderBudget()
    let section = HeaderSection(raw: raw, in: 0..<raw.count, budget: &budget)
    precondition(section.range.lowerBound == 0 && section.range.upperBound <= section.bodyStart)
    precondition(section.bodyStart <= raw.count)
    for field in headers.fields {
        _ = EncodedWords.decode(field.value)
        checkBareAddress(field.value)
        _ = EnvelopeAddress.parseList(field.value)
        if let type = ContentType(parsing: field.value) {
            precondition(!type.type.isEmpty && !type.subtype.isEmpty)
            precondition(type.orderedParameters.count == type.parameters.count)
        }
        let disposition = ContentDisposition(parsing: field.value)
        _ = disposition.filename
    }
    // The whole input as one header value too: the parsers above see only unfolded lines.
    let text = String(decoding: raw, as: UTF8.self)
    _ = EncodedWords.decode(text)
    checkBareAddress(text)
    _ = ContentType(parsing: text)
    _ = ContentDisposition(parsing: text).parameters
    return 0
}

/// The shortcut for a bare addr-spec, when it answers, answers as the full address-list parser.
private func checkBareAddress(_ value: String) {
    let full = MailAddress.parseListFully(value)
    if let bare = MailAddress.bareAddress(value) { precondition([bare] == full) }
    precondition(MailAddress.parseList(value) == full)
}
