import LetterboxMIME
import LetterboxStore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The HTML body of a message as the inbox's sandboxed frame shows it (`/messages/{id}/view`).
///
/// Mail HTML never runs in the inbox's origin: the route's `Content-Security-Policy` forbids
/// every script, form, frame and connection and sandboxes the document (an opaque origin, even
/// when opened directly in a tab), and the page's `<iframe sandbox>` does the same again. `cid:`
/// references (RFC 2392) become `data:` URLs of the parts they name, so inline images show
/// without loosening the policy; remote images, styles and fonts load only with `remote=1`
/// ("load remote content"), as mail clients do.
enum MessageViewDocument {
    /// Parts larger than this are not inlined (their `cid:` reference stays, and shows nothing).
    static let maxInlinedPartSize = 8 << 20

    /// The policy of the route: nothing but inline styles and inlined images, unless `remote`.
    static func contentSecurityPolicy(remote: Bool) -> String {
        let remoteSources = remote ? " http: https:" : ""
        return "default-src 'none'; img-src data:\(remoteSources); style-src 'unsafe-inline'\(remoteSources); "
            + "font-src data:\(remoteSources); media-src data:\(remoteSources); form-action 'none'; "
            + "frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"
    }

    /// `html` with links opening outside the frame and `cid:` references inlined.
    static func render(html: String, views: MessageViews) -> String {
        "<!DOCTYPE html><meta charset=\"utf-8\"><base target=\"_blank\">"
            + inliningContentIDs(in: html, views: views)
    }

    /// Replaces each `cid:value` (up to a quote, space, `)` or `>`) with a `data:` URL of the part
    /// whose `Content-ID` is `value` (percent-decoded, RFC 2392 §2); unknown ones stay as they are.
    static func inliningContentIDs(in html: String, views: MessageViews) -> String {
        var parts: [String: MIMEPart] = [:]
        for (_, part) in views.partTree.numberedParts() {
            guard let contentID = part.contentID else { continue }
            parts[bare(contentID)] = part
        }
        guard !parts.isEmpty else { return html }
        let bytes = Array(html.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        let prefix = Array("cid:".utf8)
        while index < bytes.count {
            guard index + prefix.count <= bytes.count,
                zip(bytes[index..<index + prefix.count], prefix).allSatisfy({ $0 | 0x20 == $1 })
            else {
                output.append(bytes[index])
                index += 1
                continue
            }
            var end = index + prefix.count
            while end < bytes.count, !" \t\r\n\"')>".utf8.contains(bytes[end]) { end += 1 }
            let value = String(decoding: bytes[(index + prefix.count)..<end], as: UTF8.self)
            let key = bare((try? PercentDecoding.decode(value[...], plusAsSpace: false, part: "cid")) ?? value)
            if let part = parts[key], let url = dataURL(part, raw: views.raw) {
                output += url.utf8
            } else {
                output += bytes[index..<end]
            }
            index = end
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `<abc@x>` → `abc@x`, lowercased.
    private static func bare(_ contentID: String) -> String {
        var text = contentID.trimmingHTTPWhitespace()
        if text.hasPrefix("<"), text.hasSuffix(">"), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        return text.lowercased()
    }

    private static func dataURL(_ part: MIMEPart, raw: [UInt8]) -> String? {
        let body = part.decodedBody(in: raw)
        guard body.count <= maxInlinedPartSize else { return nil }
        let type = part.contentType.mimeType.lowercased()
        let safeType = type.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: "/+.-".utf8.contains(byte)
            }
        }
        return "data:\(safeType ? type : "application/octet-stream");base64," + Data(body).base64EncodedString()
    }
}
