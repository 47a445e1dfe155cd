/// Builds the ``MIMEPart`` tree of one message (RFC 2045 §2.4, RFC 2046 §5.1).
///
/// Boundaries are looked for only on lines that start with `--`, found in one pass over the
/// message the first time a multipart needs them; each multipart then visits just those lines
/// inside its body. Line feeds are counted once per byte: a part counts the bytes it owns
/// directly (header section, preamble, delimiter lines, epilogue, a leaf body) and adds up its
/// children's totals. Recursion is bounded by ``MIMEPart/maximumDepth``.
struct MIMEParser {
    let raw: [UInt8]
    /// Start offsets of the lines that begin with `--`, ascending; nil until first needed.
    private var delimiterCandidates: [Int]?
    /// Parts made so far, the root included.
    private(set) var partCount = 0
    /// What is left of the message's ``HeaderBudget``, shared by every part.
    private var headerBudget = HeaderBudget()

    init(raw: [UInt8]) {
        self.raw = raw
    }

    mutating func parse(range: Range<Int>, defaultContentType: ContentType, depth: Int) -> MIMEPart {
        partCount += 1
        let section = HeaderSection(raw: raw, in: range, budget: &headerBudget)
        let headers = MessageHeaders(fields: section.fields, omittedFields: section.omittedFields)
        let contentType = headers.first("Content-Type").flatMap(ContentType.init(parsing:)) ?? defaultContentType
        let bodyRange = section.bodyStart..<range.upperBound
        let headerLines = LineCount(raw, in: range.lowerBound..<section.bodyStart)
        let canNest = depth < MIMEPart.maximumDepth && partCount < MIMEPart.maximumPartCount

        var children: [MIMEPart] = []
        var preamble: Range<Int>?
        var epilogue: Range<Int>?
        var bodyLines: LineCount
        if canNest, contentType.isMultipart, let boundary = contentType.boundary, !boundary.isEmpty {
            let childDefault: ContentType = contentType.subtype == "digest" ? .messageRFC822 : .textPlain
            let split = MultipartSplitter.split(
                raw, candidates: candidates(), body: bodyRange, delimiter: Array("--\(boundary)".utf8),
                limit: MIMEPart.maximumPartCount - partCount)
            var owned = bodyRange.lowerBound  // start of the bytes not yet counted
            bodyLines = LineCount()
            for partRange in split.parts {
                guard partCount < MIMEPart.maximumPartCount else { break }
                let child = parse(range: partRange, defaultContentType: childDefault, depth: depth + 1)
                bodyLines += LineCount(raw, in: owned..<partRange.lowerBound)
                bodyLines += LineCount(lineFeeds: child.lineCount, bareLineFeeds: child.bareLineFeeds)
                owned = partRange.upperBound
                children.append(child)
            }
            bodyLines += LineCount(raw, in: owned..<bodyRange.upperBound)
            preamble = split.preamble
            if children.count < split.parts.count, let last = children.last {
                epilogue = last.range.upperBound..<bodyRange.upperBound
            } else if children.isEmpty, !split.parts.isEmpty {
                epilogue = split.preamble.upperBound..<bodyRange.upperBound
            } else {
                epilogue = split.epilogue
            }
        } else if canNest, contentType.type == "message",
            contentType.subtype == "rfc822" || contentType.subtype == "global",
            ContentTransferEncoding(parsing: headers.first("Content-Transfer-Encoding")).isIdentity
        {
            let child = parse(range: bodyRange, defaultContentType: .textPlain, depth: depth + 1)
            bodyLines = LineCount(lineFeeds: child.lineCount, bareLineFeeds: child.bareLineFeeds)
            children = [child]
        } else {
            bodyLines = LineCount(raw, in: bodyRange)
        }
        return MIMEPart(
            range: range, headerRange: section.range, bodyRange: bodyRange, headers: headers,
            contentType: contentType, children: children, preambleRange: preamble, epilogueRange: epilogue,
            headerLines: headerLines, bodyLines: bodyLines)
    }

    /// The lines that start with `--`, found once per message.
    private mutating func candidates() -> [Int] {
        if let delimiterCandidates { return delimiterCandidates }
        let found = MultipartSplitter.candidateLines(in: raw)
        delimiterCandidates = found
        return found
    }
}

extension MIMEPart {
    /// Line feeds in the whole part not preceded by CR.
    var bareLineFeeds: Int { headerSectionBareLineFeeds + bodyBareLineFeeds }
}
