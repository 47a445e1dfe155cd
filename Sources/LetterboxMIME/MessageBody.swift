/// The readable content of a message, whatever its MIME structure.
public enum MessageBody {
    /// The text a person reads, with line breaks as `\n`:
    ///
    /// - the first `text/plain` part that is not an attachment, searching depth-first through
    ///   nested `multipart/*` (alternative, mixed, related…) but not into attached messages;
    /// - else a plain-text rendering of the first such `text/html` part (tags stripped, script
    ///   and style dropped, block elements as line breaks, entities decoded);
    /// - else "".
    ///
    /// Transfer encodings and charsets are decoded. Never fails on malformed input.
    public static func text(of raw: [UInt8]) -> String {
        let root = MIMEPart(parsing: raw)
        if let plain = firstReadablePart(in: root, subtype: "plain") {
            return normalizingLineBreaks(plain.text(in: raw))
        }
        if let html = firstReadablePart(in: root, subtype: "html") {
            return HTMLText.render(html.text(in: raw))
        }
        return ""
    }

    /// The decoded source of the first `text/html` part that is not an attachment, with line
    /// breaks as `\n`; nil when there is none.
    public static func html(of raw: [UInt8]) -> String? {
        let root = MIMEPart(parsing: raw)
        return firstReadablePart(in: root, subtype: "html").map { normalizingLineBreaks($0.text(in: raw)) }
    }

    /// Depth-first search for an inline `text/<subtype>` part.
    static func firstReadablePart(in part: MIMEPart, subtype: String) -> MIMEPart? {
        if part.contentType.isMultipart {
            for child in part.children {
                if let found = firstReadablePart(in: child, subtype: subtype) { return found }
            }
            return nil
        }
        guard part.contentType.type == "text", part.contentType.subtype == subtype, !part.isAttachment else {
            return nil
        }
        return part
    }

    /// CRLF (and a lone CR) become LF. Works on the UTF-8 bytes, where CR and LF are always
    /// single bytes, which is far faster than walking Unicode scalars.
    static func normalizingLineBreaks(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == 0x0D {
                output.append(0x0A)
                previousWasCR = true
            } else {
                if !(byte == 0x0A && previousWasCR) { output.append(byte) }
                previousWasCR = false
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
