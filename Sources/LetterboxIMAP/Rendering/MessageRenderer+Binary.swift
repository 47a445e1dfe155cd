import LetterboxMIME
import LetterboxStore

/// BINARY (RFC 3516) of ``MessageRenderer``: a part with its Content-Transfer-Encoding undone.
extension MessageRenderer {
    /// What `BINARY[part]` names.
    enum BinaryContent: Equatable {
        case decoded([UInt8])
        /// The part's transfer encoding is not one Letterbox can undo (RFC 3516 §4.2 UNKNOWN-CTE).
        case unknownEncoding
        /// No such part: answered with no octets, as Dovecot does (and as BODY[n] of a missing part).
        case missing
    }

    /// The octets of `part` decoded. `[]` is the whole message: a multipart one as it is (RFC
    /// 2045 §6.4 allows no encoding on it; its parts keep theirs), a single part one with its
    /// header as written and its body decoded.
    func binaryContent(_ part: [Int]) -> BinaryContent {
        if part.isEmpty {
            guard !root.isMultipart else { return .decoded(bytes) }
            let bodyStart = HeaderBytes.bodyStart(of: bytes)
            guard let body = Self.decode(bytes[bodyStart...], root.contentTransferEncoding) else {
                return .unknownEncoding
            }
            return .decoded(Array(bytes[..<bodyStart]) + body)
        }
        guard let found = root.part(at: part) else { return .missing }
        let body = bytes[original(found.bodyRange)]
        guard !found.isMultipart else { return .decoded(Array(body)) }
        return Self.decode(body, found.contentTransferEncoding).map(BinaryContent.decoded) ?? .unknownEncoding
    }

    private static func decode(_ body: ArraySlice<UInt8>, _ encoding: ContentTransferEncoding) -> [UInt8]? {
        if case .other = encoding { return nil }
        return encoding.decode(body)
    }

    /// Writes `BINARY[part]<origin> ~{n}…` or `BINARY.SIZE[part] n`: a literal8 when the octets
    /// hold a NUL (RFC 3516 §4.2), else a literal. FETCH refuses a message whose part has an
    /// unknown encoding before rendering it (``refusesBinary(_:)``).
    func binary(_ attribute: FetchAttribute, into out: inout IMAPWriter) {
        switch attribute {
        case .binary(let part, let partial, _):
            out.raw("BINARY[\(part.map(String.init).joined(separator: "."))]")
            guard case .decoded(let data) = binaryContent(part) else { return out.raw(" {0}\r\n") }
            var slice = data[...]
            if let partial {
                out.raw("<\(partial.lowerBound)>")
                let start = min(partial.lowerBound, data.count), end = min(partial.upperBound + 1, data.count)
                slice = data[start..<end]
            }
            out.raw(slice.contains(0) ? " ~" : " ")
            out.literal(slice)
        case .binarySize(let part):
            var size = 0
            if case .decoded(let data) = binaryContent(part) { size = data.count }
            out.raw("BINARY.SIZE[\(part.map(String.init).joined(separator: "."))] \(size)")
        default: break
        }
    }

    /// Whether `attributes` ask for a part of this message whose encoding is unknown: FETCH then
    /// answers `NO [UNKNOWN-CTE]` and sends nothing for the message (RFC 3516 §4.2).
    func refusesBinary(_ attributes: [FetchAttribute]) -> Bool {
        attributes.contains { attribute in
            switch attribute {
            case .binary(let part, _, _), .binarySize(let part): binaryContent(part) == .unknownEncoding
            default: false
            }
        }
    }
}

extension IMAPSession {
    /// Whether FETCH must refuse `message` (read as `views`) for a BINARY item (``MessageRenderer/refusesBinary(_:)``).
    static func refusesBinary(_ attributes: [FetchAttribute], _ views: MessageViews, _ message: Message) -> Bool {
        let asksBinary = attributes.contains { attribute in
            switch attribute {
            case .binary, .binarySize: true
            default: false
            }
        }
        guard asksBinary else { return false }
        return MessageRenderer(views, canonicalSize: message.canonicalSize).refusesBinary(attributes)
    }
}
