import Foundation
import LetterboxMIME
import LetterboxStore

/// Writes what FETCH returns about one message: ENVELOPE, BODYSTRUCTURE and BODY[section]
/// (RFC 3501 §6.4.5, §7.4.2). Works on the message in canonical CRLF form, so every size and
/// offset agrees with RFC822.SIZE.
struct MessageRenderer {
    let bytes: [UInt8]
    let root: MIMEPart

    init(_ message: Message) {
        bytes = LineEndings.canonical(message.raw)
        root = MIMEPart(parsing: bytes)
    }

    // MARK: ENVELOPE

    static func envelope(_ headers: MessageHeaders, into writer: inout IMAPWriter) {
        let from = headers.from
        writer.raw("(")
        writer.nstring(headers.date)
        writer.raw(" ")
        writer.nstring(headers.first("Subject"))
        for list in [from, headers.sender.map { [$0] } ?? from, headers.replyTo.isEmpty ? from : headers.replyTo, headers.to, headers.cc, headers.bcc] {
            writer.raw(" ")
            addresses(list, into: &writer)
        }
        writer.raw(" ")
        writer.nstring(headers.first("In-Reply-To"))
        writer.raw(" ")
        writer.nstring(headers.messageID)
        writer.raw(")")
    }

    /// `((name adl mailbox host) …)` or NIL. Non-ASCII names are sent as RFC 2047 encoded words.
    private static func addresses(_ list: [MailAddress], into writer: inout IMAPWriter) {
        guard !list.isEmpty else { return writer.raw("NIL") }
        writer.list(list) { writer, address in
            let at = address.address.lastIndex(of: "@")
            let mailbox = at.map { String(address.address[..<$0]) } ?? address.address
            let host = at.map { String(address.address[address.address.index(after: $0)...]) }
            writer.raw("(")
            writer.nstring(address.name.map(encodedWord))
            writer.raw(" NIL ")
            writer.nstring(mailbox)
            writer.raw(" ")
            writer.nstring(host)
            writer.raw(")")
        }
    }

    private static func encodedWord(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !$0.isASCII }) else { return text }
        return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    // MARK: BODYSTRUCTURE

    func bodyStructure(extensible: Bool, into writer: inout IMAPWriter) {
        structure(of: root, extensible: extensible, into: &writer)
    }

    private func structure(of part: MIMEPart, extensible: Bool, into writer: inout IMAPWriter) {
        let type = part.contentType
        if type.isMultipart && !part.children.isEmpty {
            writer.raw("(")
            for child in part.children { structure(of: child, extensible: extensible, into: &writer) }
            writer.raw(" ")
            writer.string(type.subtype.uppercased())
            if extensible {
                writer.raw(" ")
                parameters(type.parameters, into: &writer)
                extensionFields(of: part, into: &writer)
            }
            writer.raw(")")
            return
        }
        let single = type.isMultipart ? ContentType.textPlain : type
        writer.raw("(")
        writer.string(single.type.uppercased())
        writer.raw(" ")
        writer.string(single.subtype.uppercased())
        writer.raw(" ")
        parameters(single.parameters, into: &writer)
        writer.raw(" ")
        writer.nstring(part.headers.first("Content-ID"))
        writer.raw(" ")
        writer.nstring(part.headers.first("Content-Description"))
        writer.raw(" ")
        writer.string((part.headers.first("Content-Transfer-Encoding") ?? "7BIT").uppercased())
        writer.raw(" \(part.bodyRange.count)")
        if single.type == "message" && (single.subtype == "rfc822" || single.subtype == "global"), let inner = part.children.first {
            writer.raw(" ")
            Self.envelope(inner.headers, into: &writer)
            writer.raw(" ")
            structure(of: inner, extensible: extensible, into: &writer)
            writer.raw(" \(lineCount(part.bodyRange))")
        } else if single.type == "text" {
            writer.raw(" \(lineCount(part.bodyRange))")
        }
        if extensible {
            writer.raw(" ")
            writer.nstring(part.headers.first("Content-MD5"))
            extensionFields(of: part, into: &writer)
        }
        writer.raw(")")
    }

    /// Disposition, language and location (RFC 3501 §7.4.2 extension data).
    private func extensionFields(of part: MIMEPart, into writer: inout IMAPWriter) {
        writer.raw(" ")
        if let disposition = part.contentDisposition {
            writer.raw("(")
            writer.string(disposition.kind.uppercased())
            writer.raw(" ")
            parameters(disposition.parameters, into: &writer)
            writer.raw(")")
        } else {
            writer.raw("NIL")
        }
        writer.raw(" ")
        writer.nstring(part.headers.first("Content-Language"))
        writer.raw(" ")
        writer.nstring(part.headers.first("Content-Location"))
    }

    private func parameters(_ parameters: [String: String], into writer: inout IMAPWriter) {
        guard !parameters.isEmpty else { return writer.raw("NIL") }
        writer.list(parameters.sorted { $0.key < $1.key }) { writer, pair in
            writer.string(pair.key.uppercased())
            writer.raw(" ")
            writer.string(pair.value)
        }
    }

    private func lineCount(_ range: Range<Int>) -> Int {
        var lines = 0
        for index in range where bytes[index] == 0x0A { lines += 1 }
        if let last = range.last, bytes[last] != 0x0A { lines += 1 }
        return lines
    }

    // MARK: BODY[section]

    /// The octets `section` names, or nil when the part does not exist.
    func section(_ section: BodySection) -> ArraySlice<UInt8>? {
        guard let (part, isMessage) = resolve(section.part) else { return nil }
        switch section.text {
        case nil:
            return section.part.isEmpty ? bytes[...] : bytes[part.bodyRange]
        case .mime:
            return bytes[part.headerRange.lowerBound..<part.bodyRange.lowerBound]
        case .header, .headerFields, .text:
            guard let message = isMessage ? part : (isEncapsulating(part) ? part.children.first : nil) else { return nil }
            switch section.text {
            case .text: return bytes[message.bodyRange]
            case .headerFields(let names, let not): return headerFields(of: message, names: names, not: not)
            default: return bytes[message.headerRange.lowerBound..<message.bodyRange.lowerBound]
            }
        }
    }

    /// Finds the part a section path names (RFC 3501 §6.4.5). `isMessage` is true for the top
    /// level, whose HEADER and TEXT are the message's own.
    private func resolve(_ path: [Int]) -> (MIMEPart, isMessage: Bool)? {
        var current = root
        guard !path.isEmpty else { return (root, true) }
        for (depth, number) in path.enumerated() {
            // Inside a message/rfc822 part, numbering continues in the encapsulated message.
            if depth > 0, isEncapsulating(current), let inner = current.children.first { current = inner }
            if current.contentType.isMultipart {
                guard number <= current.children.count else { return nil }
                current = current.children[number - 1]
            } else {
                guard number == 1 else { return nil }
            }
        }
        return (current, false)
    }

    private func isEncapsulating(_ part: MIMEPart) -> Bool {
        part.contentType.type == "message" && (part.contentType.subtype == "rfc822" || part.contentType.subtype == "global")
    }

    /// The header lines named (or all but those, for `.NOT`), then a blank line (RFC 3501 §6.4.5).
    private func headerFields(of message: MIMEPart, names: [String], not: Bool) -> ArraySlice<UInt8> {
        let wanted = Set(names.map { $0.lowercased() })
        var out: [UInt8] = []
        var keep = false
        var index = message.headerRange.lowerBound
        let end = message.bodyRange.lowerBound
        while index < end {
            var lineEnd = index
            while lineEnd < end && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let line = bytes[index..<min(lineEnd + 1, end)]
            if line.first == 0x20 || line.first == 0x09 {
                if keep { out.append(contentsOf: line) }
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                let name = String(decoding: bytes[index..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
                keep = wanted.contains(name) != not
                if keep { out.append(contentsOf: line) }
            } else {
                keep = false
            }
            index = lineEnd + 1
        }
        out.append(contentsOf: [0x0D, 0x0A])
        return out[...]
    }
}
