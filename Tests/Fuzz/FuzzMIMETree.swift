// libFuzzer target: the MIME tree parser and everything built on it (part numbering, sizes and
// line counts, decoding, body selection). Built by run.sh against the LetterboxMIME module
// compiled for testing. The invariants IMAP relies on are checked with preconditions, so a
// violation is a crash that libFuzzer keeps.

@testable import LetterboxMIME

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMIMETree(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    let root = MIMEPart(parsing: raw)
    var count = 0
    check(root, in: raw, depth: 0, count: &count)
    precondition(count <= MIMEPart.maximumPartCount)
    for (path, part) in root.numberedParts() {
        precondition(root.part(at: path)?.range == part.range)
        precondition(MIMEPart.sectionPath(parsing: MIMEPart.sectionString(path)) == path)
        _ = part.decodedSize(in: raw)
        _ = part.text(in: raw)
    }
    _ = MessageBody.text(of: raw, root: root)
    _ = MessageBody.html(of: raw, root: root)
    return 0
}

/// Ranges nest and stay in bounds; stored line counts equal a direct count.
private func check(_ part: MIMEPart, in raw: [UInt8], depth: Int, count: inout Int) {
    count += 1
    precondition(depth <= MIMEPart.maximumDepth)
    precondition(part.range.lowerBound >= 0 && part.range.upperBound <= raw.count)
    precondition(part.headerRange.lowerBound == part.range.lowerBound)
    precondition(part.headerRange.upperBound <= part.bodyRange.lowerBound)
    precondition(part.bodyRange.upperBound == part.range.upperBound)
    let direct = LineCount(raw, in: part.bodyRange)
    precondition(direct.lineFeeds == part.bodyLineCount)
    precondition(part.bodySize + direct.bareLineFeeds == part.canonicalBodySize)
    precondition(LineCount(raw, in: part.headerSectionRange).lineFeeds + part.bodyLineCount == part.lineCount)
    if let preamble = part.preambleRange, let epilogue = part.epilogueRange {
        precondition(part.bodyRange.contains(preamble.lowerBound) || preamble.lowerBound == part.bodyRange.lowerBound)
        precondition(preamble.upperBound <= epilogue.lowerBound && epilogue.upperBound == part.bodyRange.upperBound)
    }
    var previousEnd = part.bodyRange.lowerBound
    for child in part.children {
        precondition(child.range.lowerBound >= previousEnd && child.range.upperBound <= part.bodyRange.upperBound)
        if let preamble = part.preambleRange { precondition(child.range.lowerBound >= preamble.upperBound) }
        previousEnd = child.range.upperBound
        check(child, in: raw, depth: depth + 1, count: &count)
    }
}
