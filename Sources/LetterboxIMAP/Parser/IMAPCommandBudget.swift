/// How many octets one IMAP command may bring, its lines and literals together, so that no peer
/// can make a session hold more than that while the command is read.
///
/// - Before login: ``IMAPConfiguration/maxCommandBytesBeforeLogin`` (Dovecot's imap-login reads a
///   command's parameters into a buffer of a few KiB); enough for LOGIN, AUTHENTICATE with an
///   initial response, ID, CAPABILITY and STARTTLS.
/// - After login: APPEND may carry a message as large as the configured limit
///   (``IMAPConfiguration/maxLiteralSize``) plus a line's worth for its other arguments; any other
///   command ``IMAPConfiguration/maxCommandBytes``.
///
/// A literal that would not fit is refused before its octets are read (RFC 7888 §4, RFC 9051
/// §7.1 `TOOBIG`): a synchronizing one with a tagged `BAD` (`NO` for an APPEND, RFC 4469 §3)
/// instead of the continuation request; a non-synchronizing one, whose octets are already on the
/// way, with `BYE` and the end of the connection, so they are never read as commands.
struct IMAPCommandBudget {
    /// Most octets of the whole command.
    let limit: Int
    /// The command is an APPEND after login: its literal is a message.
    let isAppend: Bool
    let authenticated: Bool
    /// The largest single literal (the message size limit).
    let maxLiteralSize: Int

    /// The budget for the first line, before the command's name is known.
    static func firstLine(authenticated: Bool) -> Int {
        authenticated ? IMAPConfiguration.maxLineLength : IMAPConfiguration.maxCommandBytesBeforeLogin
    }

    /// The budget of the command whose first line is `line`.
    init(firstLine line: [UInt8], authenticated: Bool, maxLiteralSize: Int) {
        self.authenticated = authenticated
        self.maxLiteralSize = maxLiteralSize
        isAppend = authenticated && Self.commandName(of: line) == "APPEND"
        if !authenticated {
            limit = IMAPConfiguration.maxCommandBytesBeforeLogin
        } else if isAppend {
            limit = maxLiteralSize + IMAPConfiguration.maxLineLength
        } else {
            limit = IMAPConfiguration.maxCommandBytes
        }
    }

    /// How long the next line may be when the command holds `used` octets so far.
    func lineLimit(used: Int) -> Int {
        max(0, min(IMAPConfiguration.maxLineLength, limit - used))
    }

    /// Why a literal of `size` octets, the `count`th of a command holding `used` octets, cannot be
    /// read; nil when it fits.
    func refusal(literalSize size: Int, count: Int, used: Int) -> String? {
        if count > IMAPConfiguration.maxLiterals {
            return "more than \(IMAPConfiguration.maxLiterals) literals in one command"
        }
        if size > maxLiteralSize {
            return "literal of \(size) octets exceeds the limit of \(maxLiteralSize) octets"
        }
        if size > limit - used {
            let scope = authenticated ? "one command" : "one command before login"
            return "literal of \(size) octets exceeds the limit of \(limit) octets for \(scope)"
        }
        return nil
    }

    /// The reply refusing a literal for `reason`: tagged for a synchronizing literal (the client
    /// waits and sends nothing more), `BYE` for a non-synchronizing one (its octets follow).
    func reply(refusing reason: String, tag: String, synchronizing: Bool) -> String {
        guard synchronizing else { return "* BYE [TOOBIG] \(reason)\r\n" }
        return "\(tag) \(isAppend ? "NO" : "BAD") [TOOBIG] \(reason)\r\n"
    }

    /// The command name of a first line (`UID` commands give `UID`), uppercased; "" if none.
    static func commandName(of line: [UInt8]) -> String {
        let words = line.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count >= 2 else { return "" }
        let name = words[1].prefix(16)
        return String(decoding: name, as: UTF8.self).uppercased()
    }

    /// The tag of a first line, for a tagged refusal; `*` when it is not a plausible tag (RFC 3501
    /// §9 `tag`: atom characters but `+`), so nothing odd is echoed.
    static func tag(of line: [UInt8]) -> String {
        let tag = line.prefix { $0 != 0x20 }
        let plausible =
            !tag.isEmpty && tag.count <= 64
            && tag.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"(){%*\"\\]+".utf8.contains($0) }
        return plausible ? String(decoding: tag, as: UTF8.self) : "*"
    }
}
