/// An IMAP URL that names a message or a part of one (RFC 5092 §3, `imessagepart`), as CATENATE
/// takes it (RFC 4469 §5): `imap://user@host/INBOX;UIDVALIDITY=7/;UID=20/;SECTION=1.2`, the same
/// from `/INBOX…` on (this server), or `;UID=20…` in the selected mailbox. URLAUTH and search
/// URLs are not messages; they and anything malformed parse to nil.
struct IMAPMessageURL: Equatable {
    /// The `user` of an `imap://` URL, when it names one.
    var user: String?
    /// The mailbox name (percent-decoded, UTF-8); nil for the selected mailbox.
    var mailbox: String?
    var uidValidity: UInt64?
    var uid: UInt64
    /// The section as FETCH writes it (`1.2.HEADER`), percent-decoded; nil for the whole message.
    var section: String?
    /// `;PARTIAL=offset[.length]` (RFC 5092 §3).
    var partial: (offset: Int, length: Int?)?

    static func == (lhs: IMAPMessageURL, rhs: IMAPMessageURL) -> Bool {
        lhs.user == rhs.user && lhs.mailbox == rhs.mailbox && lhs.uidValidity == rhs.uidValidity
            && lhs.uid == rhs.uid && lhs.section == rhs.section && lhs.partial?.offset == rhs.partial?.offset
            && lhs.partial?.length == rhs.partial?.length
    }

    init?(_ text: String) {
        var rest = Substring(text)
        if rest.lowercased().hasPrefix("imap://") {
            rest = rest.dropFirst(7)
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                // `user;AUTH=…@host`: the mechanism says nothing here.
                let userPart = authority[..<at].split(separator: ";", omittingEmptySubsequences: false).first ?? ""
                guard let decoded = Self.percentDecoded(userPart) else { return nil }
                user = decoded
            }
            rest = rest[authorityEnd...]
            guard rest.hasPrefix("/") else { return nil }
        }
        // The mailbox (with its UIDVALIDITY) up to `/;UID=`, or none when the URL starts there.
        var segments: [Substring]
        if rest.hasPrefix("/") {
            guard let uidStart = Self.range(of: "/;UID=", in: rest) else { return nil }
            var mailboxPart = rest[rest.index(after: rest.startIndex)..<uidStart.lowerBound]
            if let validity = Self.range(of: ";UIDVALIDITY=", in: mailboxPart) {
                guard let value = UInt64(mailboxPart[validity.upperBound...]), value > 0 else { return nil }
                uidValidity = value
                mailboxPart = mailboxPart[..<validity.lowerBound]
            }
            guard !mailboxPart.isEmpty, let name = Self.percentDecoded(mailboxPart) else { return nil }
            mailbox = name
            segments = rest[rest.index(after: uidStart.lowerBound)...].split(
                separator: "/", omittingEmptySubsequences: false)
        } else {
            segments = rest.split(separator: "/", omittingEmptySubsequences: false)
        }
        guard let first = segments.first, let uidText = Self.value(of: ";UID=", in: first),
            let uid = UInt64(uidText), uid > 0
        else { return nil }
        self.uid = uid
        segments.removeFirst()
        if let next = segments.first, let value = Self.value(of: ";SECTION=", in: next) {
            guard !value.isEmpty, let decoded = Self.percentDecoded(value) else { return nil }
            section = decoded
            segments.removeFirst()
        }
        if let next = segments.first, let value = Self.value(of: ";PARTIAL=", in: next) {
            let numbers = value.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...2).contains(numbers.count), let offset = Int(numbers[0]), offset >= 0 else { return nil }
            var length: Int?
            if numbers.count == 2 {
                guard let value = Int(numbers[1]), value > 0 else { return nil }
                length = value
            }
            partial = (offset, length)
            segments.removeFirst()
        }
        // `;URLAUTH=…`, `?search` or anything else: not a message part Letterbox serves.
        guard segments.isEmpty else { return nil }
    }

    /// Where `marker` (ASCII, matched ignoring case) is in `text`.
    private static func range(of marker: String, in text: Substring) -> Range<Substring.Index>? {
        let pattern = Array(marker.utf8), bytes = Array(text.utf8)
        guard bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count)
        where zip(pattern, bytes[start..<(start + pattern.count)]).allSatisfy({ $0 == asciiUppercased($1) }) {
            let lower = text.utf8.index(text.utf8.startIndex, offsetBy: start)
            return lower..<text.utf8.index(lower, offsetBy: pattern.count)
        }
        return nil
    }

    private static func asciiUppercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 0x20 : byte
    }

    /// The text after `marker` when `segment` starts with it (ignoring case).
    private static func value(of marker: String, in segment: Substring) -> Substring? {
        guard segment.count >= marker.count, segment.prefix(marker.count).uppercased() == marker else { return nil }
        return segment.dropFirst(marker.count)
    }

    /// `%XX` undone (RFC 3986 §2.1); nil for a broken escape or octets that are not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
