import LetterboxMIME
import LetterboxStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Decides whether a message matches a SEARCH key (RFC 3501 §6.4.4). String keys match
/// case-insensitively on decoded header values and the decoded body text.
struct SearchEvaluator {
    /// A message as the session sees it.
    struct Candidate {
        let sequence: UInt64
        let uid: UInt64
        let message: Message
        let flags: MessageFlags
        let recent: Bool
        /// Its mod-sequence (RFC 7162 §3.1.5 `MODSEQ`).
        var modSeq: UInt64 = 0
    }

    let largestSequence: UInt64
    let largestUID: UInt64

    /// A key prepared for judging many messages: its sequence sets resolved once.
    indirect enum CompiledKey: Sendable {
        case key(SearchKey)
        case and([CompiledKey])
        case or(CompiledKey, CompiledKey)
        case not(CompiledKey)
        case sequence(ResolvedSequenceSet)
        case uid(ResolvedSequenceSet)
    }

    func compile(_ key: SearchKey) -> CompiledKey {
        switch key {
        case .and(let keys): .and(keys.map(compile))
        case .or(let first, let second): .or(compile(first), compile(second))
        case .not(let inner): .not(compile(inner))
        case .sequence(let set): .sequence(ResolvedSequenceSet(set, largest: largestSequence))
        case .uid(let set): .uid(ResolvedSequenceSet(set, largest: largestUID))
        default: .key(key)
        }
    }

    func matches(_ key: SearchKey, _ candidate: Candidate) -> Bool {
        matches(compile(key), candidate)
    }

    func matches(_ key: CompiledKey, _ candidate: Candidate) -> Bool {
        switch key {
        case .and(let keys): keys.allSatisfy { matches($0, candidate) }
        case .or(let first, let second): matches(first, candidate) || matches(second, candidate)
        case .not(let inner): !matches(inner, candidate)
        case .sequence(let set): set.contains(candidate.sequence)
        case .uid(let set): set.contains(candidate.uid)
        case .key(let key): matches(leaf: key, candidate)
        }
    }

    /// A key that is neither a combination nor a set.
    private func matches(leaf key: SearchKey, _ candidate: Candidate) -> Bool {
        let message = candidate.message
        switch key {
        case .all: return true
        case .and, .or, .not, .sequence, .uid: return matches(compile(key), candidate)
        case .flag(let name, let set): return candidate.flags.contains(name) == set
        case .recent: return candidate.recent
        case .modSeq(let least): return candidate.modSeq >= least
        case .new: return candidate.recent && !candidate.flags.contains(MessageFlags.seen)
        case .old: return !candidate.recent
        case .header(let field, let value): return header(field, of: message, contains: value)
        case .body(let value):
            let views = Self.views(of: message)
            if let large = LargeHeaderSection(views.raw) {
                let structure = large.structure
                return text(of: structure.bytes, root: structure.root, contains: value)
            }
            return text(of: message, contains: value)
        case .text(let value):
            // The body includes the header fields of the MIME parts (a file name, a
            // Content-Description), as in Dovecot and Cyrus.
            let views = Self.views(of: message)
            if let large = LargeHeaderSection(views.raw) {
                // A header section too large to parse whole is searched as bytes: raw field
                // values (and names), not decoded ones.
                let structure = large.structure
                return bytes(large.raw[0..<structure.messageBodyStart], contain: value)
                    || text(of: structure.bytes, root: structure.root, contains: value)
                    || partHeaders(of: structure.root, contain: value)
            }
            return fields(message.headers, contain: value) || text(of: message, contains: value)
                || partHeaders(of: message.partTree, contain: value)
        case .larger(let size): return message.canonicalSize > size
        case .smaller(let size): return message.canonicalSize < size
        case .before(let date): return IMAPDate.day(of: message.envelope.receivedAt) < date
        case .on(let date): return IMAPDate.day(of: message.envelope.receivedAt) == date
        case .since(let date): return IMAPDate.day(of: message.envelope.receivedAt) >= date
        case .sentBefore(let date): return sentDay(message).map { $0 < date } ?? false
        case .sentOn(let date): return sentDay(message) == date
        case .sentSince(let date): return sentDay(message).map { $0 >= date } ?? false
        }
    }

    private func fields(_ headers: MessageHeaders, contain value: String) -> Bool {
        headers.fields.contains { contains(EncodedWords.decode($0.value), value) }
    }

    /// Whether the header section of a part below `part` contains `value`.
    private func partHeaders(of part: MIMEPart, contain value: String) -> Bool {
        part.children.contains { fields($0.headers, contain: value) || partHeaders(of: $0, contain: value) }
    }

    private func sentDay(_ message: Message) -> SearchDate? {
        Self.views(of: message).headers(named: ["date"]).date.flatMap(IMAPDate.day(ofHeader:))
    }

    /// The message's bytes and parsed views; empty when its file cannot be read.
    static func views(of message: Message) -> MessageViews {
        (try? message.loadViews()) ?? .empty
    }

    /// Whether `value` occurs in `bytes`, ignoring case.
    private func bytes(_ bytes: ArraySlice<UInt8>, contain value: String) -> Bool {
        if let pattern = ASCIIPattern(value) {
            return bytes.withUnsafeBufferPointer { pattern.occurs(in: $0) }
        }
        return String(decoding: bytes, as: UTF8.self).containsIgnoringCase(value)
    }

    /// A header field contains `value` in its decoded form (RFC 2047 encoded words decoded, so
    /// `utf` does not match `=?utf-8?q?=C3=84pfel?=`); an empty value matches any message that
    /// has the field (RFC 3501 §6.4.4 HEADER). An address field also matches in its addresses
    /// as parsed (comments left out: `user-from(comment)@domain.org` is `user-from@domain.org`),
    /// as Dovecot matches FROM, TO, CC and BCC.
    private func header(_ field: String, of message: Message, contains value: String) -> Bool {
        let views = Self.views(of: message)
        let isAddress = Self.addressFields.contains(field.lowercased())
        if let large = LargeHeaderSection(views.raw) {
            // Field by field from the bytes, stopping at the first match: no string per field.
            let pattern = ASCIIPattern(value)
            return HeaderBytes.anyField(named: field, in: large.raw) { raw in
                if value.isEmpty { return true }
                let plain = !raw.contains(UInt8(ascii: "=")) && !(isAddress && raw.contains(UInt8(ascii: "(")))
                if plain, let pattern {
                    // No encoded word, no comment: the raw bytes are the decoded text.
                    let unfolded = raw.filter { $0 != 0x0D && $0 != 0x0A }
                    return unfolded.withUnsafeBufferPointer { pattern.occurs(in: $0) }
                }
                // The field as MIME parsing reads it.
                let unfolded = Array("X:".utf8) + raw + [0x0D, 0x0A]
                return MessageHeaders(parsing: unfolded).values("X").contains {
                    headerValue($0, isAddress: isAddress, contains: value)
                }
            }
        }
        let values = views.headers.values(field)
        if value.isEmpty { return !values.isEmpty }
        return values.contains { headerValue($0, isAddress: isAddress, contains: value) }
    }

    /// Fields whose value is an address list (RFC 5322 §3.6.2, §3.6.3, §3.6.6).
    private static let addressFields: Set<String> = [
        "from", "sender", "reply-to", "to", "cc", "bcc", "resent-from", "resent-sender", "resent-to", "resent-cc",
        "resent-bcc",
    ]

    /// Whether one unfolded field value contains `key` once decoded, or, for an address field,
    /// in one of its addresses written as `Name <address>`.
    private func headerValue(_ raw: String, isAddress: Bool, contains key: String) -> Bool {
        if contains(EncodedWords.decode(raw), key) { return true }
        return isAddress && MailAddress.parseList(raw).contains { contains($0.description, key) }
    }

    /// Whether the body text of `message` contains `value`: every text part, decoded (see
    /// ``MessageBody/searchableParts(of:)``), as RFC 3501 §6.4.4 BODY means the whole body.
    private func text(of message: Message, contains value: String) -> Bool {
        let views = Self.views(of: message)
        return text(of: views.raw, root: views.partTree, contains: value)
    }

    /// ``text(of:contains:)`` for a message's bytes and part tree. A non-HTML text part in UTF-8
    /// or US-ASCII without a transfer encoding is its own text, up to line breaks: an ASCII key
    /// without line breaks is looked for in its raw bytes, with no decoding and no copy (the
    /// common case, and the one that SEARCH over many messages meets).
    private func text(of raw: [UInt8], root: MIMEPart, contains value: String) -> Bool {
        let pattern = ASCIIPattern(value).flatMap { $0.hasLineBreak ? nil : $0 }
        return MessageBody.searchableParts(of: root).contains { part in
            let type = part.contentType
            if let pattern, type.subtype != "html",
                [.sevenBit, .eightBit, .binary].contains(part.contentTransferEncoding),
                ["utf-8", "us-ascii"].contains(type.charset?.lowercased() ?? "us-ascii"),
                part.bodyRange.upperBound <= raw.count
            {
                return raw.withUnsafeBufferPointer {
                    pattern.occurs(in: UnsafeBufferPointer(rebasing: $0[part.bodyRange]))
                }
            }
            return contains(MessageBody.searchableText(of: part, in: raw), value)
        }
    }

    private func contains(_ haystack: String, _ needle: String) -> Bool {
        if let pattern = ASCIIPattern(needle) {
            var text = haystack
            return text.withUTF8 { pattern.occurs(in: $0) }
        }
        return haystack.containsIgnoringCase(needle)
    }

    /// An ASCII search key, matched in UTF-8 text with ASCII case folding (all the folding an ASCII
    /// key needs) and `memchr` to find candidates: much faster than Foundation's comparison, which
    /// first converts the text to UTF-16.
    struct ASCIIPattern {
        private let folded: [UInt8]
        private let first: UInt8
        private let firstUpper: UInt8

        /// Nil for an empty key or one with non-ASCII characters.
        init?(_ key: String) {
            let bytes = Array(key.utf8)
            guard !bytes.isEmpty, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            folded = bytes.map(Self.fold)
            first = folded[0]
            firstUpper = (0x61...0x7A).contains(first) ? first - 0x20 : first
        }

        var hasLineBreak: Bool { folded.contains(0x0A) || folded.contains(0x0D) }

        private static func fold(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }

        func occurs(in text: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let base = text.baseAddress, text.count >= folded.count else { return false }
            let last = text.count - folded.count
            // The next position at or after `start` where the key could begin with `byte`.
            func next(_ byte: UInt8, from start: Int) -> Int {
                guard start <= last, let found = memchr(base + start, Int32(byte), last - start + 1) else {
                    return .max
                }
                return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
            }
            var lower = next(first, from: 0)
            var upper = firstUpper == first ? Int.max : next(firstUpper, from: 0)
            while true {
                let candidate = min(lower, upper)
                guard candidate <= last else { return false }
                var index = 1
                while index < folded.count && Self.fold(base[candidate + index]) == folded[index] { index += 1 }
                if index == folded.count { return true }
                if candidate == lower {
                    lower = next(first, from: candidate + 1)
                } else {
                    upper = next(firstUpper, from: candidate + 1)
                }
            }
        }
    }
}
