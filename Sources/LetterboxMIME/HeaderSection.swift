/// Where an entity's header section lies in its bytes, and the fields it holds
/// (RFC 5322 §2.2 and §3.5, RFC 2045 §3).
///
/// Lenient by design: lines may end in CRLF or a bare LF; a continuation line before any field
/// is ignored; an mbox `From ` line at the very start is skipped; and a line that is neither a
/// field nor a continuation ends the header section even without the blank line, so that the
/// body starts there (what most mail readers do). Only the header section is scanned.
struct HeaderSection {
    /// The fields in order, unfolded; at most what the ``HeaderBudget`` allowed.
    var fields: [HeaderField] = []
    /// Fields of the section left out of ``fields`` because the budget ran out.
    var omittedFields = 0
    /// The bytes of the header fields, without the blank line that ends them.
    var range: Range<Int>
    /// Where the body starts: after the blank line, at the first line that is not a field, or at
    /// the end when there is no body.
    var bodyStart: Int

    /// Scans the section; the fields within `budget` are parsed (and charged to it), the rest are
    /// only counted, so the section's extent is exact however many fields it has.
    init(raw: [UInt8], in bounds: Range<Int>, budget: inout HeaderBudget) {
        var fields: [HeaderField] = []
        var omitted = 0
        var name: String?
        var value: [UInt8] = []

        func flush() {
            if let name {
                if value.count <= budget.bytes {
                    budget.bytes -= value.count
                    budget.fields -= 1
                    fields.append(HeaderField(name: name, value: Self.text(value)))
                } else {
                    omitted += 1
                }
            }
            name = nil
            value.removeAll(keepingCapacity: true)
        }
        /// Whether the next field fits the budget; counts it as omitted when not.
        func admits() -> Bool {
            guard budget.fields > 0, budget.bytes > 0 else {
                omitted += 1
                return false
            }
            return true
        }

        // Lines are classified by the scanner IMAP's byte-level views use (``HeaderBytes``), so
        // both end the section at the same line.
        var headerEnd = bounds.lowerBound
        let bodyStart = raw.withUnsafeBufferPointer { buffer in
            HeaderBytes.scan(buffer, from: bounds.lowerBound, upTo: bounds.upperBound) {
                line, start, contentEnd, next in
                switch line {
                case .continuation:
                    // Unfolding removes only the line break; the whitespace stays (RFC 5322 §2.2.3).
                    // A value beyond the budget is not accumulated: flush() will leave it out.
                    if name != nil, value.count <= budget.bytes {
                        value.append(contentsOf: buffer[start..<contentEnd].prefix(budget.bytes + 1 - value.count))
                    }
                case .field(let nameEnd, let colon):
                    flush()
                    if admits() {
                        name = String(decoding: buffer[start..<nameEnd], as: UTF8.self)
                        value.append(contentsOf: buffer[(colon + 1)..<min(contentEnd, colon + 1 + budget.bytes + 1)])
                    }
                case .mboxFrom:
                    break  // an mbox separator is not part of the message
                }
                headerEnd = next
                return true
            }
        }
        flush()
        self.fields = fields
        self.omittedFields = omitted
        self.range = bounds.lowerBound..<headerEnd
        self.bodyStart = bodyStart
    }

    /// Header bytes as text: UTF-8 when valid (RFC 6532), else ISO-8859-1; whitespace trimmed.
    private static func text(_ bytes: [UInt8]) -> String {
        var start = 0
        var end = bytes.count
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return Charset.fallback(bytes[start..<end])
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}

/// How much of a message's header fields parsing turns into ``HeaderField`` values, so that one
/// message of two million header lines costs a megabyte or two in every parsed view, not
/// gigabytes: per message (every part's header section included) at most ``maximumFields``
/// fields and ``maximumBytes`` octets of field values. Fields beyond are counted
/// (``MessageHeaders/omittedFields``), not parsed; the raw bytes are untouched, so byte-level
/// views (a message's source, its header section as bytes) still have them all.
package struct HeaderBudget: Sendable {
    /// Fields parsed from one message, every part included.
    package static let maximumFields = 10_000
    /// Octets of field values parsed from one message.
    package static let maximumBytes = 1 << 20

    var fields = HeaderBudget.maximumFields
    var bytes = HeaderBudget.maximumBytes
}
