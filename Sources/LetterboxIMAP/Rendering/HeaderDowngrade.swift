import LetterboxMIME

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What ENVELOPE and BODYSTRUCTURE send a client that did not `ENABLE UTF8=ACCEPT`: header text
/// in raw UTF-8 (RFC 6532, as SMTPUTF8 mail carries it) would reach a client that cannot take it,
/// so the server downgrades it (RFC 6855 §7 makes that the server's job): text becomes RFC 2047
/// encoded words, and an address that is not ASCII becomes an empty group whose name holds the
/// encoded display name and address, as RFC 6857 §3.1 downgrades address fields. ASCII text
/// passes unchanged, so mail without UTF-8 headers is answered byte for byte as before.
///
/// Dovecot 2.3 passes such octets through as literals (it offers no UTF8=ACCEPT).
enum HeaderDowngrade {
    /// `text` with every run of words holding non-ASCII characters as `=?utf-8?b?…?=` words
    /// (several when long: each at most 75 characters, never splitting a character, RFC 2047 §2);
    /// the words between stay as they are.
    static func text(_ text: String) -> String {
        guard !isASCII(text) else { return text }
        var out = ""
        var run: [Substring] = []
        func flush() {
            guard !run.isEmpty else { return }
            if !out.isEmpty { out += " " }
            out += encodedWords(run.joined(separator: " "))
            run = []
        }
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if isASCII(word) && !word.isEmpty {
                flush()
                out += (out.isEmpty ? "" : " ") + word
            } else if !word.isEmpty || !run.isEmpty {
                run.append(word)
            } else {
                out += " "
            }
        }
        flush()
        return out
    }

    static func text(_ text: String?) -> String? { text.map { Self.text($0) } }

    /// For an address whose mailbox or host is not ASCII, the name of the empty group that
    /// stands for it (RFC 6857 §3.1: `=?utf-8?…?= :;` naming the original display name and
    /// address); nil for an ASCII address, which goes as it is (its display name downgraded as
    /// text).
    static func group(name: String?, mailbox: String, host: String?) -> String? {
        guard !isASCII(mailbox) || !isASCII(host ?? "") else { return nil }
        let address = mailbox + (host.map { "@" + $0 } ?? "")
        return encodedWords(name.map { "\($0) <\(address)>" } ?? "<\(address)>")
    }

    /// Whether `text` is ASCII; a native string's octets are checked in place.
    private static func isASCII(_ text: some StringProtocol) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { octets in octets.allSatisfy { $0 < 0x80 } }
            ?? text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// `text` as B-encoded words of at most 45 octets each (60 base64 characters, 75 in all).
    private static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let octets = Array(character.utf8)
            if chunk.count + octets.count > 45 && !chunk.isEmpty {
                words.append("=?utf-8?b?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += octets
        }
        if !chunk.isEmpty { words.append("=?utf-8?b?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: " ")
    }
}
