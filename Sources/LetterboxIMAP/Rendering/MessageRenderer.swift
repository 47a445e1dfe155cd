import LetterboxMIME
import LetterboxStore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes what FETCH returns about one message: ENVELOPE, BODYSTRUCTURE and BODY[section]
/// (RFC 3501 §6.4.5, §7.4.2). Works on the message in canonical CRLF form, so every size and
/// offset agrees with RFC822.SIZE.
///
/// The top-level sections (`BODY[]`, `HEADER`, `HEADER.FIELDS`, `TEXT`) are cut from the bytes
/// (``HeaderBytes``) without parsing the message; the part tree is parsed only for
/// BODYSTRUCTURE and numbered parts, from a copy without most of the header when that header is
/// large (``LargeHeaderSection``).
final class MessageRenderer {
    let bytes: [UInt8]
    private let views: MessageViews
    private let isCanonical: Bool
    /// Header text in BODYSTRUCTURE goes out in ASCII (``HeaderDowngrade``): the client did not
    /// enable UTF8=ACCEPT.
    var downgradesUTF8 = false

    /// The message whose bytes and parts are `views`, `canonicalSize` octets in CRLF form.
    init(_ views: MessageViews, canonicalSize: Int) {
        // Mail stored in canonical form (the usual case) is served as is, with the part tree the
        // message already keeps; anything else is converted (and parsed again when parts are asked).
        self.views = views
        isCanonical = canonicalSize == views.raw.count
        bytes = isCanonical ? views.raw : LineEndings.canonical(views.raw)
    }

    /// Where the top-level body starts.
    private lazy var bodyStart: Int = HeaderBytes.bodyStart(of: bytes)

    /// The part tree, and how its offsets map to ``bytes``.
    private lazy var tree: (root: MIMEPart, structure: LargeHeaderSection.Structure?) = {
        if let large = LargeHeaderSection(bytes) {
            let structure = large.structure
            return (structure.root, structure)
        }
        return (isCanonical ? views.partTree : MIMEPart(parsing: bytes), nil)
    }()

    var root: MIMEPart { tree.root }

    /// A range of the part tree as a range of ``bytes``.
    func original(_ range: Range<Int>) -> Range<Int> {
        guard let structure = tree.structure else { return range }
        // Before the copy's body: the top-level header section, whole.
        guard range.lowerBound >= structure.bodyStart else { return 0..<structure.messageBodyStart }
        return (range.lowerBound + structure.shift)..<(range.upperBound + structure.shift)
    }

    // MARK: ENVELOPE

    /// The ENVELOPE of a header section (RFC 3501 §7.4.2): values as written, names with their
    /// encoded words, groups as `(NIL NIL name NIL)` … `(NIL NIL NIL NIL)`; with
    /// `downgradesUTF8`, text that is not ASCII downgraded as ``HeaderDowngrade`` says, in the
    /// same pass that writes it.
    static func envelope(_ envelope: MessageEnvelope, downgradesUTF8: Bool, into writer: inout IMAPWriter) {
        writer.raw("(")
        writer.headerText(envelope.date, downgrading: downgradesUTF8)
        writer.raw(" ")
        writer.headerText(envelope.subject, downgrading: downgradesUTF8)
        writer.raw(" ")
        addresses(envelope.from, downgradesUTF8: downgradesUTF8, into: &writer)
        writer.raw(" ")
        addresses(envelope.sender, downgradesUTF8: downgradesUTF8, into: &writer)
        writer.raw(" ")
        addresses(envelope.replyTo, downgradesUTF8: downgradesUTF8, into: &writer)
        writer.raw(" ")
        addresses(envelope.to, downgradesUTF8: downgradesUTF8, into: &writer)
        writer.raw(" ")
        addresses(envelope.cc, downgradesUTF8: downgradesUTF8, into: &writer)
        writer.raw(" ")
        addresses(envelope.bcc, downgradesUTF8: downgradesUTF8, into: &writer)
        writer.raw(" ")
        writer.headerText(envelope.inReplyTo, downgrading: downgradesUTF8)
        writer.raw(" ")
        writer.headerText(envelope.messageID, downgrading: downgradesUTF8)
        writer.raw(")")
    }

    /// `((name adl mailbox host)(…))` or NIL. The addresses follow each other without a space
    /// (RFC 3501 §9: `"(" 1*address ")"`).
    private static func addresses(
        _ list: [EnvelopeAddress], downgradesUTF8: Bool, into writer: inout IMAPWriter
    ) {
        guard !list.isEmpty else { return writer.raw("NIL") }
        writer.raw("(")
        for address in list {
            switch address {
            case .mailbox(let name, let mailbox, let host):
                if downgradesUTF8, let group = HeaderDowngrade.group(name: name, mailbox: mailbox, host: host) {
                    writer.raw("(NIL NIL ")
                    writer.string(group)
                    writer.raw(" NIL)(NIL NIL NIL NIL)")
                    continue
                }
                writer.raw("(")
                writer.headerText(name, downgrading: downgradesUTF8)
                writer.raw(" NIL ")
                writer.string(mailbox)
                writer.raw(" ")
                writer.nstring(host)
                writer.raw(")")
            case .groupStart(let name):
                writer.raw("(NIL NIL ")
                writer.headerText(name, downgrading: downgradesUTF8)
                writer.raw(" NIL)")
            case .groupEnd:
                writer.raw("(NIL NIL NIL NIL)")
            }
        }
        writer.raw(")")
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
                parameters(type.orderedParameters, into: &writer)
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
        parameters(single.orderedParameters, into: &writer)
        writer.raw(" ")
        writer.nstring(headerText(part, "Content-ID"))
        writer.raw(" ")
        writer.nstring(headerText(part, "Content-Description"))
        writer.raw(" ")
        writer.string((part.headers.first("Content-Transfer-Encoding") ?? "7BIT").uppercased())
        writer.raw(" \(part.bodyRange.count)")
        if single.type == "message" && (single.subtype == "rfc822" || single.subtype == "global") {
            writer.raw(" ")
            if let inner = part.encapsulatedMessage {
                Self.envelope(inner.envelope, downgradesUTF8: downgradesUTF8, into: &writer)
                writer.raw(" ")
                structure(of: inner, extensible: extensible, into: &writer)
            } else {
                // A message hidden by its transfer encoding still needs the envelope and body of
                // RFC 3501 §9 body-type-msg: empty ones, as Dovecot sends.
                writer.raw("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ")
                writer.raw(#"("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0"#)
                writer.raw(extensible ? " NIL NIL NIL NIL)" : ")")
            }
            writer.raw(" \(part.bodyLineCount)")
        } else if single.type == "text" {
            writer.raw(" \(part.bodyLineCount)")
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
            parameters(disposition.orderedParameters, into: &writer)
            writer.raw(")")
        } else {
            writer.raw("NIL")
        }
        writer.raw(" ")
        writer.nstring(headerText(part, "Content-Language"))
        writer.raw(" ")
        writer.nstring(headerText(part, "Content-Location"))
    }

    /// A header field's value as BODYSTRUCTURE gives it: downgraded when asked to.
    private func headerText(_ part: MIMEPart, _ name: String) -> String? {
        let value = part.headers.first(name)
        return downgradesUTF8 ? HeaderDowngrade.text(value) : value
    }

    /// Parameters in the order of the header field. Values come decoded (RFC 2231 continuations
    /// joined, charsets applied); one that is not ASCII goes out again in RFC 2231 form,
    /// `NAME*` `utf-8''…`, as servers that pass the header through send it, so the response stays
    /// 7-bit for clients that did not enable UTF-8.
    private func parameters(_ parameters: [HeaderParameter], into writer: inout IMAPWriter) {
        guard !parameters.isEmpty else { return writer.raw("NIL") }
        writer.list(parameters) { writer, parameter in
            if parameter.value.utf8.allSatisfy({ $0 < 0x80 }) {
                writer.string(parameter.name.uppercased())
                writer.raw(" ")
                writer.string(parameter.value)
            } else {
                writer.string(parameter.name.uppercased() + "*")
                writer.raw(" ")
                writer.string("utf-8''" + Self.percentEncoded(parameter.value))
            }
        }
    }

    /// RFC 2231 §7 `extended-other-values`: attribute-chars as they are, every other octet `%XX`.
    private static func percentEncoded(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in value.utf8 {
            let isAttributeChar = byte > 0x20 && byte < 0x7F && !"*'%()<>@,;:\\\"/[]?=".utf8.contains(byte)
            if isAttributeChar {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: BODY[section]

    /// The octets `section` names, or nil when the part does not exist (RFC 3501 §6.4.5 part
    /// numbers, as ``MIMEPart/part(at:)`` resolves them).
    func section(_ section: BodySection) -> ArraySlice<UInt8>? {
        if section.part.isEmpty {
            switch section.text {
            case nil: return bytes[...]
            case .header: return bytes[0..<bodyStart]
            case .text: return bytes[bodyStart...]
            case .headerFields(let names, let not):
                return HeaderBytes.fieldLines(of: bytes, names: names, excluding: not).lines[...]
            case .mime: return nil
            }
        }
        guard let part = root.part(at: section.part) else { return nil }
        switch section.text {
        case nil:
            return bytes[original(part.bodyRange)]
        case .mime:
            return bytes[original(part.headerSectionRange)]
        case .header, .headerFields, .text:
            // HEADER and TEXT of a part belong to a message/rfc822 part.
            guard let message = part.encapsulatedMessage else { return nil }
            switch section.text {
            case .text: return bytes[original(message.bodyRange)]
            case .headerFields(let names, let not):
                let header = original(message.headerSectionRange)
                return HeaderBytes.fieldLines(of: bytes, in: header, names: names, excluding: not).lines[...]
            default: return bytes[original(message.headerSectionRange)]
            }
        }
    }
}
