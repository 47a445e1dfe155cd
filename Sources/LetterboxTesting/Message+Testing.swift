public import Foundation
public import Letterbox
public import LetterboxMIME
public import LetterboxStore

// Test sugar on a captured message: its addresses, blind copies, attachments, and the links and
// one-time codes tests look for. The same `Message` comes back from an in-process `MailCatcher`
// and from a `RemoteMailCatcher`.
extension Message {
    /// The `From:` addresses.
    public var from: [MailAddress] { headers.from }

    /// The `To:` addresses.
    public var to: [MailAddress] { headers.to }

    /// The `Cc:` addresses.
    public var cc: [MailAddress] { headers.cc }

    /// Envelope recipients that appear in no `To:`/`Cc:` header: the blind copies.
    public var bcc: [String] {
        let visible = Set((to + cc).map { $0.address.lowercased() })
        return envelope.recipients.filter { !visible.contains($0.lowercased()) }
    }

    /// The first value of a header, decoded (RFC 2047); nil when absent.
    public func header(_ name: String) -> String? { headers.first(name).map(EncodedWords.decode) }

    /// Parts with a file name or an attachment disposition, in order.
    public var attachments: [Attachment] {
        var found: [Attachment] = []
        let raw = raw
        func walk(_ part: MIMEPart) {
            if part.contentType.isMultipart {
                part.children.forEach(walk)
                return
            }
            guard part.isAttachment || part.filename != nil else { return }
            found.append(
                Attachment(
                    filename: part.filename, contentType: part.contentType.mimeType, contentID: part.contentID,
                    data: Data(part.decodedBody(in: raw))))
        }
        walk(partTree)
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
}

/// One attachment of a captured ``Message``.
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
