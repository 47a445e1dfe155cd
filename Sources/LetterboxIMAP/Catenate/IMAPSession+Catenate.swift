import LetterboxStore
import LetterboxThreads

/// Why CATENATE could not build its message: the tagged response (RFC 4469 §5).
struct CatenateRefusal: Error {
    let response: String
}

/// CATENATE (RFC 4469) of ``IMAPSession``: the message of an APPEND joined from literals and
/// from messages (or parts of them) this login can read on this server, named by IMAP URL
/// (RFC 5092). No URL reaches another server: one that names another user, a mailbox the login
/// cannot see, a UIDVALIDITY that changed or a message that is gone is `NO [BADURL …]`.
extension IMAPSession {
    /// The parts joined, at most ``IMAPConfiguration/maxLiteralSize`` octets, as one APPEND
    /// literal may be (else `NO [TOOBIG]`).
    func catenated(_ parts: [CatenatePart]) async -> Result<[UInt8], CatenateRefusal> {
        let limit = configuration.maxLiteralSize
        var message: [UInt8] = []
        for part in parts {
            switch part {
            case .text(let bytes): message += bytes
            case .url(let text):
                switch await catenatePart(at: text) {
                case .success(let bytes): message += bytes
                case .failure(let refusal): return .failure(refusal)
                }
            }
            guard message.count <= limit else {
                return .failure(CatenateRefusal(response: "NO [TOOBIG] the joined message exceeds \(limit) octets"))
            }
        }
        return .success(message)
    }

    /// The octets an IMAP URL names, as `BODY.PEEK[section]<partial>` would give them.
    private func catenatePart(at text: String) async -> Result<[UInt8], CatenateRefusal> {
        // `url-resp-text` holds no `]` (RFC 4469 §6); nor does it carry control characters.
        let echoed = String(
            text.unicodeScalars.filter { $0 != "]" && $0.value >= 0x20 && $0.value != 0x7F }.prefix(200))
        func bad(_ reason: String) -> Result<[UInt8], CatenateRefusal> {
            .failure(CatenateRefusal(response: "NO [BADURL \(echoed)] \(reason)"))
        }
        guard let url = IMAPMessageURL(text) else {
            return bad("not an IMAP URL of a message part on this server (RFC 5092; no URLAUTH)")
        }
        if let user = url.user, user != login { return bad("the URL names another user") }
        let name: String
        if let mailbox = url.mailbox {
            name = ModifiedUTF7.encode(mailbox)
        } else {
            guard state == .selected else { return bad("a URL without a mailbox needs a selected mailbox") }
            name = selected
        }
        guard let snapshot = view(name), let mailbox = snapshot.mailbox else { return bad("no such mailbox") }
        if let validity = url.uidValidity, validity != UInt64(mailbox.uidValidity) {
            return bad("the mailbox's UIDVALIDITY is \(mailbox.uidValidity)")
        }
        guard let entry = snapshot.entries.first(where: { $0.uid == url.uid }) else {
            return bad("no message with UID \(url.uid) in the mailbox")
        }
        var section = BodySection()
        if let text = url.section {
            // The section grammar is FETCH's (RFC 5092 §3 `section`): read by the same parser.
            guard case .success(let parsed) = IMAPParser.parse(Array("x FETCH 1 BODY.PEEK[\(text)]".utf8)),
                case .fetch(_, let attributes, _, _) = parsed.command, attributes.count == 1,
                case .bodySection(let named, nil, true) = attributes[0]
            else { return bad("the section is not one FETCH knows") }
            section = named
        }
        guard case .success(let views)? = await Message.load([entry.message]).first else {
            return bad("the message can no longer be read")
        }
        let size = entry.message.canonicalSize
        let wanted = section
        let render: @Sendable () -> [UInt8]? = {
            MessageRenderer(views, canonicalSize: size).section(wanted).map(Array.init)
        }
        let rendered = size > Self.renderOnLoopLimit ? await BlockingPool.offload(render) : render()
        guard let bytes = rendered else { return bad("the message has no such part") }
        guard let partial = url.partial else { return .success(bytes) }
        let start = min(partial.offset, bytes.count)
        let end = partial.length.map { min(start + $0, bytes.count) } ?? bytes.count
        return .success(Array(bytes[start..<end]))
    }
}
