import Foundation
import Letterbox
import LetterboxMIME

/// A captured message as a test sees it: decoded subject, addresses, text, HTML, attachments,
/// headers and the exact raw bytes, plus helpers for the links and one-time codes tests look for.
///
/// The same type comes back from an in-process ``MailCatcher`` and from a ``RemoteMailCatcher``.
public struct CapturedMail: Sendable, Identifiable, CustomStringConvertible {
    /// The stored message behind this view.
    public let message: Message

    public init(_ message: Message) {
        self.message = message
    }

    /// The catcher's id for the message (also its IMAP UID).
    public var id: UInt64 { message.id }
    /// The decoded `Subject:`.
    public var subject: String { message.subject }
    /// The `From:` addresses.
    public var from: [MailAddress] { message.headers.from }
    /// The `To:` addresses.
    public var to: [MailAddress] { message.headers.to }
    /// The `Cc:` addresses.
    public var cc: [MailAddress] { message.headers.cc }
    /// Envelope recipients that appear in no `To:`/`Cc:` header: the blind copies.
    public var bcc: [String] {
        let visible = Set((to + cc).map { $0.address.lowercased() })
        return message.envelope.recipients.filter { !visible.contains($0.lowercased()) }
    }
    /// What the SMTP transaction said: sender, every recipient, HELO, AUTH, peer, time.
    public var envelope: Envelope { message.envelope }
    /// The text a person reads (text/plain, or a rendering of the HTML).
    public var text: String { message.text }
    /// The decoded HTML part, if there is one.
    public var html: String? { MessageBody.html(of: message.raw) }
    /// Every header field in order, values decoded (RFC 2047).
    public var headers: [(name: String, value: String)] {
        message.headers.fields.map { ($0.name, EncodedWords.decode($0.value)) }
    }
    /// The first value of a header, decoded; nil when absent.
    public func header(_ name: String) -> String? { message.headers.first(name).map(EncodedWords.decode) }
    /// Exactly the bytes received.
    public var raw: [UInt8] { message.raw }

    /// Parts with a file name or an attachment disposition, in order.
    public var attachments: [Attachment] {
        var found: [Attachment] = []
        func walk(_ part: MIMEPart) {
            if part.contentType.isMultipart {
                part.children.forEach(walk)
                return
            }
            guard part.isAttachment || part.filename != nil else { return }
            found.append(
                Attachment(
                    filename: part.filename, contentType: part.contentType.mimeType, contentID: part.contentID,
                    data: Data(part.decodedBody(in: message.raw))))
        }
        walk(message.partTree)
        return found
    }

    /// Every http(s) link in the text and in the HTML's `href`s, in order, without duplicates.
    public var links: [URL] {
        let sources = [text, html ?? ""].joined(separator: "\n")
        let pattern = #"https?://[^\s"'<>()\[\]]+"#
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(sources.startIndex..., in: sources)
        var seen: Set<String> = []
        var links: [URL] = []
        for match in expression.matches(in: sources, range: range) {
            guard let matched = Range(match.range, in: sources) else { continue }
            var link = String(sources[matched]).replacingOccurrences(of: "&amp;", with: "&")
            while let last = link.last, ".,;:!?".contains(last) { link.removeLast() }
            if seen.insert(link).inserted, let url = URL(string: link) { links.append(url) }
        }
        return links
    }

    /// The first link whose text contains `fragment` (case-insensitive), e.g. `"/confirm"`.
    public func link(containing fragment: String) -> URL? {
        links.first { $0.absoluteString.localizedCaseInsensitiveContains(fragment) }
    }

    /// The first stand-alone run of `digits` digits in the text (subject as a fallback): the
    /// one-time code of a sign-in or verification mail.
    public func oneTimeCode(digits: ClosedRange<Int> = 4...8) -> String? {
        let pattern = "(?<![\\d-])\\d{\(digits.lowerBound),\(digits.upperBound)}(?![\\d-])"
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return nil }
        for source in [text, subject] {
            let range = NSRange(source.startIndex..., in: source)
            if let match = expression.firstMatch(in: source, range: range), let found = Range(match.range, in: source) {
                return String(source[found])
            }
        }
        return nil
    }

    /// `#3 from a@example.com to b@example.com "Subject"`.
    public var description: String {
        "#\(id) from \(envelope.sender.isEmpty ? "<>" : envelope.sender) to \(envelope.recipients.joined(separator: ", ")) \"\(subject)\""
    }
}

/// One attachment of a ``CapturedMail``.
public struct Attachment: Sendable, Equatable {
    public let filename: String?
    /// e.g. `application/pdf`.
    public let contentType: String
    /// The `Content-ID`, for inline images referenced as `cid:`.
    public let contentID: String?
    /// The decoded bytes.
    public let data: Data

    public init(filename: String?, contentType: String, contentID: String?, data: Data) {
        self.filename = filename
        self.contentType = contentType
        self.contentID = contentID
        self.data = data
    }
}
