/// Text a peer sent, made safe to quote back in a one-line protocol reply.
///
/// A reply line must stay one line and short: SMTP allows 512 octets (RFC 5321 §4.5.3.1.5), POP3
/// 512 (RFC 2449 §4). A HELO name, a mechanism or a message number can be thousands of octets and
/// carry a bare CR, NUL or terminal escapes; quoted as is, they would break the line or the
/// client's display.
package enum PeerText {
    /// `text` with every control character (C0, DEL, C1) replaced by `?`, cut to at most `limit`
    /// octets of UTF-8 (with `...` marking the cut).
    package static func quoted(_ text: some StringProtocol, limit: Int = 64) -> String {
        var result = String.UnicodeScalarView()
        var octets = 0
        for scalar in text.unicodeScalars {
            let safe: Unicode.Scalar = scalar.properties.generalCategory == .control ? "?" : scalar
            octets += safe.utf8.count
            guard octets <= limit else {
                result.append(contentsOf: "...".unicodeScalars)
                break
            }
            result.append(safe)
        }
        return String(result)
    }
}
