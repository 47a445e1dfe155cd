import LetterboxMIME
import LetterboxNet
import LetterboxStore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The text and JSON views of messages that the inspection API serves.
enum MessageRendering {
    // MARK: Plain text

    /// The `GET /messages.json` entries of `messages` (their views read), in order.
    static func jsonList(
        _ messages: [(message: Message, views: Result<MessageViews, StoreError>)], store: any MessageStore
    ) -> JSONValue {
        .array(
            messages.map { message, views in
                json(
                    message, views: views, detailed: false, location: store.location(of: message.id),
                    flags: store.flags(of: message.id))
            })
    }

    /// One line per message, oldest first, each ending in a line feed:
    /// `id⇥receivedAt⇥envelope sender⇥envelope recipients⇥subject`. A message whose bytes cannot
    /// be read (`views` nil: another program removed its file) shows `(unreadable: reason)` where
    /// the subject goes, never an empty subject.
    static func list(_ messages: [(message: Message, views: Result<MessageViews, StoreError>)]) -> String {
        var text = ""
        for (message, views) in messages {
            let subject: String
            switch views {
            case .success(let views): subject = views.headers.subject
            case .failure(let error): subject = "(unreadable: \(error.reason))"
            }
            let fields = [
                String(message.id),
                receivedAt(message),
                message.envelope.sender,
                message.envelope.recipients.joined(separator: ","),
                subject,
            ]
            text += fields.map(\.singleLine).joined(separator: "\t") + "\n"
        }
        return text
    }

    /// Header lines a person reads (`From:`, `To:`, `Cc:`, `Subject:`, `Date:`, `Envelope-From:`,
    /// `Envelope-To:`), an empty line, then the readable text body.
    static func detail(_ message: Message, views: MessageViews) -> String {
        let headers = views.headers
        let lines = [
            ("From", addresses(headers.from)),
            ("To", addresses(headers.to)),
            ("Cc", addresses(headers.cc)),
            ("Subject", headers.subject),
            ("Date", headers.date ?? ""),
            ("Envelope-From", message.envelope.sender),
            ("Envelope-To", message.envelope.recipients.joined(separator: ", ")),
        ]
        var text = ""
        for (name, value) in lines { text += "\(name): \(value.singleLine)\n" }
        return text + "\n" + MessageBody.text(of: views.raw, root: views.partTree)
    }

    // MARK: JSON

    /// The summary object of `GET /messages.json`; with `detailed`, also `text` and `html`
    /// (`GET /messages/{id}.json`). `mailbox` is where the message is now (null once it is gone),
    /// `captured` whether it came in over SMTP (false for what an IMAP client appended or copied).
    /// A message whose bytes cannot be read has null header fields and `unreadable` with the reason.
    /// `flags` are its IMAP flags (`seen` says whether `\Seen` is among them), `bcc` the envelope
    /// recipients named in neither `To:` nor `Cc:`, `attachments` how many attachments it has.
    static func json(
        _ message: Message, views result: Result<MessageViews, StoreError>, detailed: Bool, location: MessageLocation?,
        flags: MessageFlags
    ) -> JSONValue {
        let envelope = message.envelope
        var members: [(key: String, value: JSONValue)] = [
            ("id", .int(Int(clamping: message.id))),
            ("receivedAt", .string(receivedAt(message))),
            (
                "envelope",
                .object([
                    ("from", .string(envelope.sender)),
                    ("recipients", .array(envelope.recipients.map(JSONValue.string))),
                    ("helo", .string(envelope.helo)),
                    ("auth", .stringOrNull(envelope.authenticatedAs)),
                    ("peer", .string(envelope.peer)),
                    (
                        "tls",
                        envelope.tls.map {
                            .object([("protocol", .string($0.version)), ("cipher", .string($0.cipher))])
                        } ?? .null
                    ),
                ])
            ),
        ]
        guard case .success(let views) = result else {
            if case .failure(let error) = result {
                members += [
                    ("from", .null), ("to", .null), ("cc", .null), ("subject", .null), ("date", .null),
                    ("size", .int(message.size)), ("mailbox", .stringOrNull(location.map(\.displayName))),
                    ("captured", .bool(location?.captured ?? true)),
                    ("flags", .array(flags.sorted.map(JSONValue.string))),
                    ("seen", .bool(flags.contains(MessageFlags.seen))), ("unreadable", .string(error.reason)),
                ]
            }
            return .object(members)
        }
        // The MIME tree first (the attachments are counted from it): its root has the header
        // section, which is then not parsed a second time on its own.
        let tree = views.partTree
        let headers = views.headers
        // Each list parsed once: the entry is rendered for every captured message while an event
        // stream or a webhook is open.
        let (to, cc) = (headers.to, headers.cc)
        members += [
            ("from", json(headers.from)),
            ("to", json(to)),
            ("cc", json(cc)),
            ("subject", .string(headers.subject)),
            ("date", .stringOrNull(headers.date)),
            ("size", .int(message.size)),
            ("mailbox", .stringOrNull(location.map(\.displayName))),
            ("captured", .bool(location?.captured ?? true)),
            ("uid", location.map { .int(Int(clamping: $0.uid)) } ?? .null),
            ("flags", .array(flags.sorted.map(JSONValue.string))),
            ("seen", .bool(flags.contains(MessageFlags.seen))),
            ("bcc", .array(blindCopies(envelope.recipients, named: to + cc).map(JSONValue.string))),
        ]
        // The summary counts the attachments; the detail lists them (one member, never both).
        if !detailed { members.append(("attachments", .int(MessageBody.attachments(of: tree).count))) }
        if detailed {
            members.append(("text", .string(MessageBody.text(of: views.raw, root: tree))))
            members.append(("html", .stringOrNull(MessageBody.html(of: views.raw, root: tree))))
            members.append(("headers", headersJSON(headers)))
            members.append(("attachments", attachmentsJSON(views)))
            members.append(("parts", partTreeJSON(views)))
        }
        return .object(members)
    }

    /// Every header field in order as `{name, value}`, encoded words decoded. Of a message with
    /// more fields than ``HeaderBudget`` parses, the first ones, then a last element
    /// `{"omitted": n}` counting those left out (`/messages/{id}/headers` has them all, as bytes).
    static func headersJSON(_ headers: MessageHeaders) -> JSONValue {
        var elements: [JSONValue] = headers.fields.map { field in
            .object([("name", .string(field.name)), ("value", .string(EncodedWords.decode(field.value)))])
        }
        if headers.omittedFields > 0 { elements.append(.object([("omitted", .int(headers.omittedFields))])) }
        return .array(elements)
    }

    /// `[{part, filename, contentType, size, contentId}]` for ``MessageBody/attachments(of:)``;
    /// `size` is the decoded size in octets.
    static func attachmentsJSON(_ views: MessageViews) -> JSONValue {
        .array(
            MessageBody.attachments(of: views.partTree).map { path, part in
                .object([
                    ("part", .string(MIMEPart.sectionString(path))),
                    ("filename", .stringOrNull(part.filename)),
                    ("contentType", .string(part.contentType.mimeType)),
                    ("size", .int(part.decodedSize(in: views.raw))),
                    ("contentId", .stringOrNull(part.contentID)),
                ])
            })
    }

    /// The whole part tree, root first: each node has `part` (its IMAP section number, or null
    /// for a multipart message entity, which has none), `contentType`, `disposition`, `filename`,
    /// `contentId`, `size` (decoded octets), `octets` (body octets as stored), `lines` and
    /// `children`.
    static func partTreeJSON(_ views: MessageViews) -> JSONValue {
        let root = views.partTree
        let numbered = root.isMultipart && !root.children.isEmpty
        return partNode(root, number: numbered ? nil : [1], base: numbered ? [] : [1], raw: views.raw, depth: 0)
    }

    /// One node; `base` is the number its numbered descendants extend (RFC 3501 §6.4.5).
    private static func partNode(_ part: MIMEPart, number: [Int]?, base: [Int], raw: [UInt8], depth: Int) -> JSONValue {
        var children: [JSONValue] = []
        if part.isMultipart {
            for (offset, child) in part.children.enumerated() {
                let path = base + [offset + 1]
                children.append(partNode(child, number: path, base: path, raw: raw, depth: depth + 1))
            }
        } else if let message = part.encapsulatedMessage {
            if message.isMultipart && !message.children.isEmpty {
                children.append(partNode(message, number: nil, base: base, raw: raw, depth: depth + 1))
            } else {
                let path = base + [1]
                children.append(partNode(message, number: path, base: path, raw: raw, depth: depth + 1))
            }
        }
        return .object([
            ("part", .stringOrNull(number.map(MIMEPart.sectionString))),
            ("contentType", .string(part.contentType.mimeType)),
            ("disposition", .stringOrNull(part.contentDisposition?.kind)),
            ("filename", .stringOrNull(part.filename)),
            ("contentId", .stringOrNull(part.contentID)),
            ("size", .int(part.decodedSize(in: raw))),
            ("octets", .int(part.bodySize)),
            ("lines", .int(part.bodyLineCount)),
            ("children", .array(children)),
        ])
    }

    // MARK: Parts

    /// One line per numbered part, in order:
    /// `section⇥content type⇥disposition⇥file name⇥decoded size`, empty fields for what is absent.
    static func partList(_ views: MessageViews) -> String {
        var text = ""
        for (path, part) in views.partTree.numberedParts() {
            let fields = [
                MIMEPart.sectionString(path),
                part.contentType.mimeType,
                part.contentDisposition?.kind ?? "",
                part.filename ?? "",
                String(part.decodedSize(in: views.raw)),
            ]
            text += fields.map(\.singleLine).joined(separator: "\t") + "\n"
        }
        return text
    }

    /// A part's decoded bytes, labelled with its content type (and charset, for text) and, when
    /// it has one, its file name (RFC 6266 `filename*`). A content type that is not made of HTTP
    /// token characters is sent as `application/octet-stream`.
    static func partResponse(_ part: MIMEPart, of views: MessageViews) -> HTTPResponse {
        var type =
            isToken(part.contentType.type) && isToken(part.contentType.subtype)
            ? part.contentType.mimeType : "application/octet-stream"
        if let charset = part.contentType.charset, isToken(charset), part.contentType.type == "text" {
            type += "; charset=\(charset)"
        }
        // A multipart part is sent as it stands, delimiters and all: without its boundary no client
        // could split it. As a quoted-string (RFC 9110 §5.6.4), and only if every octet is visible
        // ASCII or a space (a boundary's own alphabet, RFC 2046 §5.1.1, is narrower still).
        if part.isMultipart, type == part.contentType.mimeType, let boundary = part.contentType.boundary,
            !boundary.isEmpty, boundary.utf8.allSatisfy({ (0x20...0x7E).contains($0) })
        {
            let escaped = boundary.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
            type += "; boundary=\"\(escaped)\""
        }
        var headers: HTTPHeaders = ["Content-Type": type, "X-Content-Type-Options": "nosniff"]
        // An HTML or SVG attachment opened in a tab must not run in this origin. (PDF is spared:
        // Chromium refuses to show a sandboxed PDF, and its viewer runs no page script.)
        if part.contentType.mimeType.lowercased() != "application/pdf" {
            headers["Content-Security-Policy"] = MessageViewDocument.contentSecurityPolicy(remote: false)
        }
        if let filename = part.filename, !filename.isEmpty {
            headers["Content-Disposition"] = "inline; filename*=UTF-8''\(percentEncoded(filename))"
        }
        let body = part.isMultipart ? Array(part.body(in: views.raw)) : part.decodedBody(in: views.raw)
        return HTTPResponse(headers: headers, body: body)
    }

    /// RFC 9110 §5.6.2 `token`.
    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    true
                default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }

    /// RFC 8187 `value-chars`: attr-char as is, every other UTF-8 byte as `%XX`.
    private static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                output.append(byte)
            case _ where "!#$&+-.^_`|~".utf8.contains(byte):
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The envelope recipients that `addresses` (the `To:` and `Cc:` lists) do not name: the blind copies.
    static func blindCopies(_ recipients: [String], named addresses: [MailAddress]) -> [String] {
        let named = Set(addresses.map { $0.address.lowercased() })
        return recipients.filter { !named.contains($0.lowercased()) }
    }

    private static func json(_ addresses: [MailAddress]) -> JSONValue {
        .array(addresses.map { .object([("name", .stringOrNull($0.name)), ("address", .string($0.address))]) })
    }

    // MARK: Fields

    /// Arrival time as RFC 3339 UTC with whole seconds, e.g. `2026-11-27T06:12:13Z`.
    static func receivedAt(_ message: Message) -> String {
        Timestamp.rfc3339(seconds: Int(message.envelope.receivedAt.timeIntervalSince1970.rounded(.down)))
    }

    private static func addresses(_ list: [MailAddress]) -> String {
        list.map(\.description).joined(separator: ", ")
    }
}

extension MessageLocation {
    /// The mailbox name as people write it: IMAP's modified UTF-7 (`Entw&APw-rfe`, RFC 3501
    /// §5.1.3) decoded to UTF-8 (`Entwürfe`); a name that is not valid modified UTF-7 as it is.
    var displayName: String { ModifiedUTF7.decode(mailbox) ?? mailbox }
}
