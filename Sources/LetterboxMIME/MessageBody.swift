/// The readable content of a message, whatever its MIME structure.
package enum MessageBody {
    /// The text a person reads, with line breaks as `\n`:
    ///
    /// - the first `text/plain` part that is not an attachment, searching depth-first through
    ///   nested `multipart/*` (alternative, mixed, related…) but not into attached messages;
    /// - else a plain-text rendering of the first such `text/html` part (tags stripped, script
    ///   and style dropped, block elements as line breaks, entities decoded);
    /// - else "".
    ///
    /// Transfer encodings and charsets are decoded. Never fails on malformed input.
    package static func text(of raw: [UInt8]) -> String {
        text(of: raw, root: MIMEPart(parsing: raw))
    }

    /// ``text(of:)`` for a message already parsed into `root` (from the same `raw`).
    package static func text(of raw: [UInt8], root: MIMEPart) -> String {
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
    package static func html(of raw: [UInt8]) -> String? {
        html(of: raw, root: MIMEPart(parsing: raw))
    }

    /// ``html(of:)`` for a message already parsed into `root` (from the same `raw`).
    package static func html(of raw: [UInt8], root: MIMEPart) -> String? {
        firstReadablePart(in: root, subtype: "html").map { normalizingLineBreaks($0.text(in: raw)) }
    }

    /// The parts a full-text search (IMAP `SEARCH BODY` and `TEXT`) looks in, depth-first: every
    /// `text/*` part with no parts below it, whatever its disposition: the plain and HTML
    /// alternatives, text attachments, and the text parts of attached messages
    /// (`message/rfc822`), as Dovecot searches. Read each with ``searchableText(of:in:)``.
    package static func searchableParts(of root: MIMEPart) -> [MIMEPart] {
        // Most mail is one part: no walk.
        if root.sectionChildren.isEmpty { return root.contentType.type == "text" ? [root] : [] }
        return root.numberedParts().map(\.part).filter { $0.contentType.type == "text" && $0.sectionChildren.isEmpty }
    }

    /// The text of one of the ``searchableParts(of:)`` as a person reads it: transfer encoding
    /// and charset decoded; for `text/html`, the markup rendered as text (tags and scripts
    /// left out, entities decoded), so a search for `div` does not find every HTML message.
    package static func searchableText(of part: MIMEPart, in raw: [UInt8]) -> String {
        let text = part.text(in: raw)
        return part.contentType.subtype == "html" ? HTMLText.render(text) : text
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

extension MessageBody {
    /// The parts a mail client offers as files, depth-first with their IMAP section numbers
    /// (see ``MIMEPart/part(at:)``):
    ///
    /// - every leaf part except an inline `text/plain` or `text/html` part without a file name
    ///   (those are the bodies a person reads); so inline images of a `multipart/related` are
    ///   listed, with their Content-ID;
    /// - an attached message (`message/rfc822`) as one file, without looking inside it.
    ///
    /// Multipart containers are never listed. Never fails.
    package static func attachments(of root: MIMEPart) -> [(path: [Int], part: MIMEPart)] {
        var result: [(path: [Int], part: MIMEPart)] = []
        var skippedPrefix: [Int]?
        for (path, part) in root.numberedParts() {
            if let prefix = skippedPrefix, path.count > prefix.count, Array(path.prefix(prefix.count)) == prefix {
                continue
            }
            skippedPrefix = nil
            if part.isMultipart && !part.children.isEmpty { continue }
            if part.contentType.type == "message", part.encapsulatedMessage != nil || part.isAttachment {
                result.append((path, part))
                skippedPrefix = path
                continue
            }
            let readable =
                part.contentType.type == "text"
                && (part.contentType.subtype == "plain" || part.contentType.subtype == "html")
            if readable && !part.isAttachment && part.filename == nil { continue }
            result.append((path, part))
        }
        return result
    }
}
