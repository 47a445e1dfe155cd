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

    /// The envelope with its text downgraded (see the type's comment). Nearly every envelope is
    /// ASCII already and is returned as it is, without rebuilding its address lists: this runs
    /// for every message of a FETCH ENVELOPE (building them anew cost a quarter of a 10,000-message
    /// `UID FETCH 1:* ENVELOPE`).
    static func envelope(_ envelope: MessageEnvelope) -> MessageEnvelope {
        guard !isASCII(envelope) else { return envelope }
        var result = envelope
        result.date = text(envelope.date)
        result.subject = text(envelope.subject)
        result.from = addresses(envelope.from)
        result.sender = addresses(envelope.sender)
        result.replyTo = addresses(envelope.replyTo)
        result.to = addresses(envelope.to)
        result.cc = addresses(envelope.cc)
        result.bcc = addresses(envelope.bcc)
        result.inReplyTo = text(envelope.inReplyTo)
        result.messageID = text(envelope.messageID)
        return result
    }

    private static func addresses(_ list: [EnvelopeAddress]) -> [EnvelopeAddress] {
        list.flatMap { item -> [EnvelopeAddress] in
            switch item {
            case .mailbox(let name, let mailbox, let host):
                guard isASCII(mailbox) && isASCII(host ?? "") else {
                    // RFC 6857 §3.1: `=?utf-8?…?= :;` naming the original display name and address.
                    let address = mailbox + (host.map { "@" + $0 } ?? "")
                    let original = name.map { "\($0) <\(address)>" } ?? "<\(address)>"
                    return [.groupStart(name: encodedWords(original)), .groupEnd]
                }
                return [.mailbox(name: text(name), mailbox: mailbox, host: host)]
            case .groupStart(let name): return [.groupStart(name: text(name))]
            case .groupEnd: return [.groupEnd]
            }
        }
    }

    /// Whether `text` is ASCII; a native string's octets are checked in place.
    private static func isASCII(_ text: some StringProtocol) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { octets in octets.allSatisfy { $0 < 0x80 } }
            ?? text.utf8.allSatisfy { $0 < 0x80 }
    }

    private static func isASCII(_ text: String?) -> Bool { text.map { isASCII($0) } ?? true }

    private static func isASCII(_ envelope: MessageEnvelope) -> Bool {
        isASCII(envelope.date) && isASCII(envelope.subject) && isASCII(envelope.inReplyTo)
            && isASCII(envelope.messageID) && isASCII(envelope.from) && isASCII(envelope.sender)
            && isASCII(envelope.replyTo) && isASCII(envelope.to) && isASCII(envelope.cc) && isASCII(envelope.bcc)
    }

    private static func isASCII(_ list: [EnvelopeAddress]) -> Bool {
        list.allSatisfy { item in
            switch item {
            case .mailbox(let name, let mailbox, let host): isASCII(name) && isASCII(mailbox) && isASCII(host)
            case .groupStart(let name): isASCII(name)
            case .groupEnd: true
            }
        }
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
