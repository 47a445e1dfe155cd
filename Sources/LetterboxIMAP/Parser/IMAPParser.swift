import LetterboxStore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Why a command could not be parsed; `reason` goes into the tagged BAD.
package struct IMAPParseError: Error, Sendable, Equatable {
    package let reason: String
    /// The tag, when it could be read (else the BAD is untagged: `* BAD`).
    package var tag: String?
}

/// Parses one complete IMAP command (RFC 3501 §9), literals included inline as received:
/// `{n}` CRLF followed by n octets. The driver has already read every literal.
package struct IMAPParser {
    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    private static let maxDepth = 64
    /// Filled by SEARCH and SORT for ``TaggedCommand/searchPreamble``.
    private var searchPreamble: SearchPreamble?
    /// The charsets SEARCH and SORT accept (RFC 3501 §6.4.4 requires US-ASCII and UTF-8); the
    /// list a `NO [BADCHARSET (…)]` names.
    package static let searchCharsets = ["UTF-8", "US-ASCII"]

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses a whole command line (without the final CRLF).
    package static func parse(_ bytes: [UInt8]) -> Result<TaggedCommand, IMAPParseError> {
        var parser = IMAPParser(bytes)
        var tag: String?
        do {
            let parsedTag = try parser.tag()
            tag = parsedTag
            try parser.space()
            let command = try parser.command()
            guard parser.atEnd else { throw parser.error("unexpected characters after the command") }
            return .success(TaggedCommand(tag: parsedTag, command: command, searchPreamble: parser.searchPreamble))
        } catch var error as IMAPParseError {
            error.tag = tag
            return .failure(error)
        } catch {
            return .failure(IMAPParseError(reason: "\(error)", tag: tag))
        }
    }

    // MARK: Commands

    private mutating func command() throws -> IMAPCommand {
        let name = try atom().uppercased()
        switch name {
        case "CAPABILITY": return .capability
        case "NOOP": return .noop
        case "LOGOUT": return .logout
        case "CHECK": return .check
        case "CLOSE": return .close
        case "UNSELECT": return .unselect
        case "EXPUNGE": return .expunge
        case "IDLE": return .idle
        case "NAMESPACE": return .namespace
        case "STARTTLS": return .starttls
        case "LOGIN":
            try space()
            let user = try astring()
            try space()
            return .login(user: user, password: try astring())
        case "AUTHENTICATE":
            try space()
            let mechanism = try atom().uppercased()
            var initial: String?
            if try optionalSpace() { initial = try atom() }
            return .authenticate(mechanism: mechanism, initialResponse: initial)
        case "SELECT", "EXAMINE":
            try space()
            let mailbox = try astring()
            let parameters = peek == UInt8(ascii: " ") ? try selectParameters() : SelectParameters()
            return name == "SELECT" ? .select(mailbox, parameters) : .examine(mailbox, parameters)
        case "LIST": return try list()
        case "LSUB":
            try space()
            let reference = try astring()
            try space()
            let pattern = try listMailbox()
            return name == "LIST"
                ? .list(reference: reference, pattern: pattern) : .lsub(reference: reference, pattern: pattern)
        case "STATUS":
            try space()
            let mailbox = try astring()
            try space()
            let items = try parenthesized { try $0.atom().uppercased() }
            return .status(mailbox, items)
        case "SEARCH": return try search(uid: false)
        case "SORT": return try sort(uid: false)
        case "THREAD": return try thread(uid: false)
        case "FETCH": return try fetch(uid: false)
        case "STORE": return try store(uid: false)
        case "UID":
            try space()
            switch try atom().uppercased() {
            case "FETCH": return try fetch(uid: true)
            case "SEARCH": return try search(uid: true)
            case "SORT": return try sort(uid: true)
            case "THREAD": return try thread(uid: true)
            case "STORE": return try store(uid: true)
            case "EXPUNGE":
                try space()
                return .uidExpunge(try sequenceSet())
            case "COPY": return try copyOrMove("COPY", uid: true)
            case "MOVE": return try copyOrMove("MOVE", uid: true)
            case let other: return .unsupported("UID \(other)")
            }
        case "ID":
            try space()
            try skipValue()
            return .id
        case "ENABLE":
            var capabilities: [String] = []
            while try optionalSpace() { capabilities.append(try atom().uppercased()) }
            guard !capabilities.isEmpty else { throw error("ENABLE needs at least one capability") }
            return .enable(capabilities)
        case "CREATE", "DELETE", "SUBSCRIBE", "UNSUBSCRIBE":
            try space()
            let mailbox = try astring()
            switch name {
            case "CREATE": return .create(mailbox)
            case "DELETE": return .delete(mailbox)
            case "SUBSCRIBE": return .subscribe(mailbox)
            default: return .unsubscribe(mailbox)
            }
        case "RENAME":
            try space()
            let old = try astring()
            try space()
            return .rename(old, to: try astring())
        case "APPEND": return try append()
        case "CANCELUPDATE":
            // RFC 5267 §4.5: `"CANCELUPDATE" 1*(SP quoted)`.
            var tags: [String] = []
            while try optionalSpace() {
                guard peek == UInt8(ascii: "\"") else { throw error("CANCELUPDATE needs quoted tags") }
                tags.append(try string())
            }
            guard !tags.isEmpty else { throw error("CANCELUPDATE needs at least one tag") }
            return .cancelUpdate(tags)
        case "COPY", "MOVE": return try copyOrMove(name, uid: false)
        default:
            throw error("unknown command \(name.prefix(40))")
        }
    }

    /// `LIST [(selection)] reference pattern-or-(patterns) [RETURN (…)]` (RFC 5258 §6, RFC 5819,
    /// RFC 6154 §5.1); without any of the extended parts, the RFC 3501 LIST. An unknown option is
    /// BAD (RFC 5258 §3), as is RECURSIVEMATCH without SUBSCRIBED (RFC 5258 §3.1).
    private mutating func list() throws -> IMAPCommand {
        try space()
        var options = ListOptions()
        var extended = false
        if peek == UInt8(ascii: "(") {
            extended = true
            for name in try parenthesized(allowEmpty: true, { try $0.atom().uppercased() }) {
                switch name {
                case "SUBSCRIBED": options.subscribedOnly = true
                case "RECURSIVEMATCH": options.recursiveMatch = true
                case "SPECIAL-USE": options.specialUseOnly = true
                case "REMOTE": break  // no remote mailboxes (RFC 2193)
                default: throw error("unknown LIST selection option \(name.prefix(40))")
                }
            }
            if options.recursiveMatch && !options.subscribedOnly && !options.specialUseOnly {
                throw error("RECURSIVEMATCH needs SUBSCRIBED or SPECIAL-USE")
            }
            try space()
        }
        options.reference = try astring()
        try space()
        if peek == UInt8(ascii: "(") {
            extended = true
            options.patterns = try parenthesized { try $0.listMailbox() }
        } else {
            options.patterns = [try listMailbox()]
        }
        if try optionalSpace() {
            guard try atom().uppercased() == "RETURN" else { throw error("expected RETURN") }
            try space()
            extended = true
            _ = try parenthesized(allowEmpty: true) { parser in
                let name = try parser.atom().uppercased()
                switch name {
                case "SUBSCRIBED": options.returnSubscribed = true
                case "CHILDREN": options.returnChildren = true
                case "SPECIAL-USE": options.returnSpecialUse = true
                case "STATUS":
                    try parser.space()
                    options.status = try parser.parenthesized { try $0.atom().uppercased() }
                default: throw parser.error("unknown LIST return option \(name.prefix(40))")
                }
            }
        }
        if !extended, let pattern = options.patterns.first {
            return .list(reference: options.reference, pattern: pattern)
        }
        return .extendedList(options)
    }

    private mutating func copyOrMove(_ name: String, uid: Bool) throws -> IMAPCommand {
        try space()
        let set = try sequenceSet()
        try space()
        let mailbox = try astring()
        return name == "COPY" ? .copy(set, mailbox: mailbox, uid: uid) : .move(set, mailbox: mailbox, uid: uid)
    }

    /// `APPEND mailbox [SP flag-list] [SP date-time] SP literal` (RFC 3501 §6.3.11); the message
    /// literal may be non-synchronizing (`{n+}`, RFC 7888). More messages may follow, each with
    /// its own flags and date (RFC 3502 MULTIAPPEND), and a message may come as `UTF8 (~{n}…)`
    /// (RFC 6855 §4).
    private mutating func append() throws -> IMAPCommand {
        try space()
        let mailbox = try astring()
        var messages: [AppendMessage] = []
        repeat {
            try space()
            messages.append(try appendMessage())
        } while peek == UInt8(ascii: " ")
        if messages.count == 1, let only = messages.first, !only.utf8, only.catenate == nil {
            return .append(mailbox: mailbox, flags: only.flags, date: only.date, message: only.message)
        }
        return .extendedAppend(mailbox: mailbox, messages: messages)
    }

    private mutating func appendMessage() throws -> AppendMessage {
        var flags: [String] = []
        if peek == UInt8(ascii: "(") {
            flags = try parenthesized(allowEmpty: true) { try $0.flag() }
            try space()
        }
        var date: Date?
        if peek == UInt8(ascii: "\"") {
            let text = try string()
            guard let parsed = IMAPDate.dateTime(text) else {
                throw error("invalid date-time \"\(text.prefix(40))\" (expected e.g. \"21-Nov-1997 09:55:06 -0600\")")
            }
            date = parsed
            try space()
        }
        if peek == UInt8(ascii: "U") || peek == UInt8(ascii: "u") {
            guard try atom().uppercased() == "UTF8" else { throw error("APPEND needs the message as a literal") }
            try space()
            try expect("(")
            guard consume("~") else { throw error("UTF8 needs a literal8 (~{n})") }
            let message = try literal()
            try expect(")")
            return AppendMessage(flags: MessageFlags(flags), date: date, message: message, utf8: true)
        }
        if peek == UInt8(ascii: "C") || peek == UInt8(ascii: "c") {
            guard try atom().uppercased() == "CATENATE" else { throw error("APPEND needs the message as a literal") }
            try space()
            let parts = try parenthesized { try $0.catenatePart() }
            return AppendMessage(flags: MessageFlags(flags), date: date, message: [], utf8: false, catenate: parts)
        }
        // A literal8 (`~{n}`, RFC 3516 §4.3) may hold NUL octets.
        _ = consume("~")
        guard peek == UInt8(ascii: "{") else { throw error("APPEND needs the message as a literal") }
        return AppendMessage(flags: MessageFlags(flags), date: date, message: try literal(), utf8: false)
    }

    /// `TEXT literal` or `URL astring` (RFC 4469 §5 `cat-part`).
    private mutating func catenatePart() throws -> CatenatePart {
        let name = try atom().uppercased()
        try space()
        switch name {
        case "TEXT":
            _ = consume("~")
            guard peek == UInt8(ascii: "{") else { throw error("CATENATE TEXT needs a literal") }
            return .text(try literal())
        case "URL": return .url(try astring())
        default: throw error("unknown CATENATE part \(name.prefix(40)) (TEXT, URL)")
        }
    }

    private mutating func fetch(uid: Bool) throws -> IMAPCommand {
        try space()
        let set = try sequenceSet()
        try space()
        var attributes: [FetchAttribute]
        if peek == UInt8(ascii: "(") {
            attributes = try parenthesized { try $0.fetchAttribute() }
        } else {
            let start = position
            let word = try atom().uppercased()
            switch word {
            case "ALL": attributes = [.flags, .internalDate, .rfc822Size, .envelope]
            case "FAST": attributes = [.flags, .internalDate, .rfc822Size]
            case "FULL": attributes = [.flags, .internalDate, .rfc822Size, .envelope, .body]
            default:
                position = start
                attributes = [try fetchAttribute()]
            }
        }
        if uid && !attributes.contains(.uid) { attributes.insert(.uid, at: 0) }
        let modifiers = peek == UInt8(ascii: " ") ? try fetchModifiers(uid: uid) : FetchModifiers()
        return .fetch(set, attributes, uid: uid, modifiers: modifiers)
    }

    private mutating func fetchAttribute() throws -> FetchAttribute {
        let name = try fetchName().uppercased()
        switch name {
        case "ENVELOPE": return .envelope
        case "FLAGS": return .flags
        case "INTERNALDATE": return .internalDate
        case "UID": return .uid
        case "MODSEQ": return .modSeq
        case "BODYSTRUCTURE": return .bodyStructure
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.SIZE": return .rfc822Size
        case "RFC822.TEXT": return .rfc822Text
        case "BODY", "BODY.PEEK":
            guard peek == UInt8(ascii: "[") else {
                if name == "BODY" { return .body }
                throw error("BODY.PEEK needs a section")
            }
            let section = try bodySection()
            return .bodySection(section, partial: try partial(), peek: name == "BODY.PEEK")
        case "BINARY", "BINARY.PEEK":
            let part = try binarySection()
            return .binary(part: part, partial: try partial(), peek: name == "BINARY.PEEK")
        case "BINARY.SIZE": return .binarySize(part: try binarySection())
        default:
            throw error("unknown FETCH item \(name.prefix(40))")
        }
    }

    /// `<origin.count>` after a section, if there is one (RFC 3501 §6.4.5).
    private mutating func partial() throws -> ClosedRange<Int>? {
        guard consume("<") else { return nil }
        let origin = try number()
        try expect(".")
        let count = try number()
        guard count > 0 else { throw error("partial count must be positive") }
        try expect(">")
        return origin...(origin + count - 1)
    }

    /// `[1.2]` or `[]`: BINARY takes part numbers only (RFC 3516 §6 `section-binary`).
    private mutating func binarySection() throws -> [Int] {
        try expect("[")
        var part: [Int] = []
        while !consume("]") {
            if !part.isEmpty { try expect(".") }
            let number = try number()
            guard number > 0 else { throw error("part numbers start at 1") }
            part.append(number)
            guard part.count <= Self.maxDepth else { throw error("section nested too deeply") }
        }
        return part
    }

    /// A fetch item name: letters, digits and dots, stopping at `[`, `<`, `)` or space.
    private mutating func fetchName() throws -> String {
        let start = position
        while let byte = peek, byte != UInt8(ascii: "["), byte != UInt8(ascii: "<"), isAtomChar(byte) { position += 1 }
        guard position > start else { throw error("expected a FETCH item") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func bodySection() throws -> BodySection {
        try expect("[")
        var section = BodySection()
        while let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            let value = try number()
            guard value > 0 else { throw error("section part numbers start at 1") }
            section.part.append(value)
            guard peek == UInt8(ascii: ".") else { break }
            position += 1
        }
        if peek != UInt8(ascii: "]") {
            let name = try fetchName().uppercased()
            switch name {
            case "HEADER": section.text = .header
            case "TEXT": section.text = .text
            case "MIME":
                guard !section.part.isEmpty else { throw error("MIME needs a part number") }
                section.text = .mime
            case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
                try space()
                let fields = try parenthesized { try $0.astring() }
                section.text = .headerFields(fields, not: name.hasSuffix(".NOT"))
            default: throw error("unknown section \(name.prefix(40))")
            }
        }
        try expect("]")
        return section
    }

    private mutating func store(uid: Bool) throws -> IMAPCommand {
        try space()
        let set = try sequenceSet()
        try space()
        let unchangedSince = peek == UInt8(ascii: "(") ? try storeModifiers() : nil
        var item = try atom().uppercased()
        var mode = StoreMode.replace
        if item.hasPrefix("+") {
            mode = .add
            item.removeFirst()
        } else if item.hasPrefix("-") {
            mode = .remove
            item.removeFirst()
        }
        let silent = item == "FLAGS.SILENT"
        guard item == "FLAGS" || silent else { throw error("STORE takes FLAGS, +FLAGS or -FLAGS") }
        try space()
        var flags: [String] = []
        if peek == UInt8(ascii: "(") {
            flags = try parenthesized(allowEmpty: true) { try $0.flag() }
        } else {
            flags.append(try flag())
            while try optionalSpace() { flags.append(try flag()) }
        }
        return .store(set, mode, MessageFlags(flags), silent: silent, uid: uid, unchangedSince: unchangedSince)
    }

    private mutating func flag() throws -> String {
        if peek == UInt8(ascii: "\\") {
            position += 1
            let name = try atom()
            guard name != "Recent" && name.lowercased() != "recent" else { throw error("\\Recent cannot be stored") }
            return "\\" + name
        }
        return try atom()
    }

    /// `SORT (criteria) charset search-key…` (RFC 5256 §3): the charset is required.
    private mutating func sort(uid: Bool) throws -> IMAPCommand {
        try space()
        let options = try returnOptions()
        var reverse = false
        let criteria = try parenthesized { parser -> SortCriterion? in
            let name = try parser.atom().uppercased()
            if name == "REVERSE" {
                reverse = true
                return nil
            }
            guard let key = SortCriterion.Key(rawValue: name) else {
                throw parser.error("unknown SORT criterion \(name.prefix(40))")
            }
            defer { reverse = false }
            return SortCriterion(key, reverse: reverse)
        }.compactMap { $0 }
        guard !criteria.isEmpty, !reverse else { throw error("SORT needs a criterion after REVERSE") }
        let (charset, key) = try charsetAndCriteria()
        // The charset is SORT's syntax, not a choice: only SEARCH's CHARSET is reported.
        searchPreamble = SearchPreamble(saves: options?.contains(.save) ?? false)
        guard Self.searchCharsets.contains(charset) else { return .badCharset(charset) }
        if let options { return .extendedSort(criteria, key, uid: uid, options: options) }
        return .sort(criteria, key, uid: uid)
    }

    /// `THREAD algorithm charset search-key…` (RFC 5256 §4): an unknown algorithm is BAD.
    private mutating func thread(uid: Bool) throws -> IMAPCommand {
        try space()
        let name = try atom().uppercased()
        guard let algorithm = ThreadAlgorithm(rawValue: name) else {
            throw error("unknown THREAD algorithm \(name.prefix(40)) (ORDEREDSUBJECT, REFERENCES)")
        }
        let (charset, key) = try charsetAndCriteria()
        guard Self.searchCharsets.contains(charset) else { return .badCharset(charset) }
        return .thread(algorithm, key, uid: uid)
    }

    /// ` charset search-key…` of SORT and THREAD (RFC 5256 §4), where the charset is required;
    /// the keys are one key (ANDed when several). The caller checks the charset once the whole
    /// command parsed, so a malformed one is still BAD.
    private mutating func charsetAndCriteria() throws -> (charset: String, key: SearchKey) {
        try space()
        let charset = try astring().uppercased()
        var keys: [SearchKey] = []
        repeat {
            try space()
            keys.append(try searchKey())
        } while peek == UInt8(ascii: " ")
        return (charset, keys.count == 1 ? keys[0] : .and(keys))
    }

    private mutating func search(uid: Bool) throws -> IMAPCommand {
        var keys: [SearchKey] = []
        try space()
        let options = try returnOptions()
        let start = position
        var named: String?
        if (try? atom())?.uppercased() == "CHARSET" {
            try space()
            named = try astring().uppercased()
            try space()
        } else {
            position = start
        }
        keys.append(try searchKey())
        while try optionalSpace() { keys.append(try searchKey()) }
        searchPreamble = SearchPreamble(charset: named, saves: options?.contains(.save) ?? false)
        // Checked once the command parsed: a malformed one is still BAD.
        let charset = named ?? "US-ASCII"
        guard Self.searchCharsets.contains(charset) else { return .badCharset(charset) }
        let key = keys.count == 1 ? keys[0] : .and(keys)
        if let options { return .extendedSearch(key, uid: uid, options: options) }
        return .search(key, uid: uid)
    }

    /// `RETURN (…) ` before SEARCH or SORT criteria (RFC 4731 §3.1, RFC 5267 §3, RFC 5182
    /// SAVE), with its trailing space; nil when there is none.
    private mutating func returnOptions() throws -> [SearchReturnOption]? {
        let start = position
        guard (try? atom())?.uppercased() == "RETURN" else {
            position = start
            return nil
        }
        try space()
        let options = try parenthesized(allowEmpty: true) { parser in
            let name = try parser.atom().uppercased()
            switch name {
            case "MIN": return SearchReturnOption.min
            case "MAX": return .max
            case "ALL": return .all
            case "COUNT": return .count
            case "SAVE": return .save
            case "UPDATE": return .update
            case "CONTEXT": return .context
            case "PARTIAL":
                // RFC 5267 §4.4: `partial-range = nz-number ":" nz-number`, either way round.
                try parser.space()
                let first = try parser.number()
                try parser.expect(":")
                let second = try parser.number()
                guard first > 0, second > 0 else { throw parser.error("PARTIAL positions start at 1") }
                return .partial(UInt32(min(first, second))...UInt32(max(first, second)))
            default:
                throw parser.error(
                    "unknown RETURN option \(name.prefix(40)) (MIN, MAX, ALL, COUNT, SAVE, UPDATE, CONTEXT, PARTIAL)")
            }
        }
        if options.filter({ $0 == .update }).count > 1 { throw error("RETURN has UPDATE twice") }
        let partials = options.filter { if case .partial = $0 { return true } else { return false } }
        if partials.count > 1 { throw error("RETURN has PARTIAL twice") }
        if !partials.isEmpty && options.contains(.all) { throw error("PARTIAL conflicts with ALL (RFC 5267 §4.4)") }
        try space()
        return options
    }

    private mutating func searchKey() throws -> SearchKey {
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maxDepth else { throw error("search keys nested too deeply") }
        if peek == UInt8(ascii: "(") {
            let keys = try parenthesized { try $0.searchKey() }
            return keys.count == 1 ? keys[0] : .and(keys)
        }
        if let byte = peek,
            byte == UInt8(ascii: "*") || byte == UInt8(ascii: "$")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        {
            return .sequence(try sequenceSet())
        }
        let name = try atom().uppercased()
        func string() throws -> String {
            try space()
            return try astring()
        }
        func date() throws -> SearchDate {
            try space()
            return try searchDate()
        }
        switch name {
        case "ALL": return .all
        case "ANSWERED": return .flag(MessageFlags.answered, set: true)
        case "UNANSWERED": return .flag(MessageFlags.answered, set: false)
        case "DELETED": return .flag(MessageFlags.deleted, set: true)
        case "UNDELETED": return .flag(MessageFlags.deleted, set: false)
        case "DRAFT": return .flag(MessageFlags.draft, set: true)
        case "UNDRAFT": return .flag(MessageFlags.draft, set: false)
        case "FLAGGED": return .flag(MessageFlags.flagged, set: true)
        case "UNFLAGGED": return .flag(MessageFlags.flagged, set: false)
        case "SEEN": return .flag(MessageFlags.seen, set: true)
        case "UNSEEN": return .flag(MessageFlags.seen, set: false)
        case "KEYWORD":
            try space()
            return .flag(try atom(), set: true)
        case "UNKEYWORD":
            try space()
            return .flag(try atom(), set: false)
        case "NEW": return .new
        case "OLD": return .old
        case "RECENT": return .recent
        case "BCC", "CC", "FROM", "SUBJECT", "TO": return .header(name, try string())
        case "HEADER":
            let field = try string()
            return .header(field, try string())
        case "BODY": return .body(try string())
        case "TEXT": return .text(try string())
        case "LARGER", "SMALLER":
            try space()
            let size = try number()
            return name == "LARGER" ? .larger(size) : .smaller(size)
        case "BEFORE": return .before(try date())
        case "ON": return .on(try date())
        case "SINCE": return .since(try date())
        case "SENTBEFORE": return .sentBefore(try date())
        case "SENTON": return .sentOn(try date())
        case "SENTSINCE": return .sentSince(try date())
        case "UID":
            try space()
            return .uid(try sequenceSet())
        case "MODSEQ": return try modSeqSearchKey()
        case "NOT":
            try space()
            return .not(try searchKey())
        case "OR":
            try space()
            let first = try searchKey()
            try space()
            return .or(first, try searchKey())
        default:
            throw error("unknown search key \(name.prefix(40))")
        }
    }

    /// `d-Mon-yyyy`, optionally quoted (RFC 3501 §9 `date`).
    private mutating func searchDate() throws -> SearchDate {
        let text = try astring()
        let parts = text.split(separator: "-")
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard parts.count == 3, let day = Int(parts[0]), (1...31).contains(day),
            let month = months.firstIndex(of: parts[1].lowercased()), let year = Int(parts[2]), parts[2].count == 4
        else { throw error("invalid date '\(text.prefix(40))' (expected e.g. 1-Feb-2024)") }
        return SearchDate(year: year, month: month + 1, day: day)
    }

    // MARK: CONDSTORE and QRESYNC (RFC 7162 §7)

    /// ` (CONDSTORE)` or ` (QRESYNC (uidvalidity modseq [known-uids [(seqs uids)]]))` after a
    /// SELECT or EXAMINE mailbox name.
    private mutating func selectParameters() throws -> SelectParameters {
        try space()
        var parameters = SelectParameters()
        _ = try parenthesized { parser in
            let name = try parser.atom().uppercased()
            switch name {
            case "CONDSTORE": parameters.condStore = true
            case "QRESYNC":
                try parser.space()
                parameters.qresync = try parser.qresyncParameters()
            default: throw parser.error("unknown SELECT parameter \(name.prefix(40))")
            }
        }
        return parameters
    }

    private mutating func qresyncParameters() throws -> QResyncParameters {
        try expect("(")
        let validity = try number()
        guard validity > 0 else { throw error("UIDVALIDITY is never 0") }
        try space()
        var parameters = QResyncParameters(uidValidity: UInt32(validity), modSeq: try modSeqValue(allowZero: false))
        if consume(" ") {
            if peek != UInt8(ascii: "(") {
                parameters.knownUIDs = try sequenceSet()
                _ = consume(" ")
            }
            if consume("(") {
                let sequences = try sequenceSet()
                try space()
                parameters.sequenceMatch = QResyncParameters.SequenceMatch(
                    sequences: sequences, uids: try sequenceSet())
                try expect(")")
            }
        }
        try expect(")")
        return parameters
    }

    /// ` (CHANGEDSINCE n [VANISHED])` after the FETCH items (RFC 7162 §3.1.4.1, §3.2.6).
    private mutating func fetchModifiers(uid: Bool) throws -> FetchModifiers {
        try space()
        var modifiers = FetchModifiers()
        _ = try parenthesized { parser in
            switch try parser.atom().uppercased() {
            case "CHANGEDSINCE":
                try parser.space()
                modifiers.changedSince = try parser.modSeqValue(allowZero: false)
            case "VANISHED": modifiers.vanished = true
            case let other: throw parser.error("unknown FETCH modifier \(other.prefix(40))")
            }
        }
        // §3.2.6: VANISHED only in UID FETCH, and only with CHANGEDSINCE.
        if modifiers.vanished && (!uid || modifiers.changedSince == nil) {
            throw error("VANISHED needs UID FETCH with CHANGEDSINCE")
        }
        return modifiers
    }

    /// `(UNCHANGEDSINCE n) ` before a STORE's item (RFC 7162 §3.1.3).
    private mutating func storeModifiers() throws -> UInt64 {
        var value: UInt64?
        _ = try parenthesized { parser in
            let name = try parser.atom().uppercased()
            guard name == "UNCHANGEDSINCE" else { throw parser.error("unknown STORE modifier \(name.prefix(40))") }
            try parser.space()
            value = try parser.modSeqValue(allowZero: true)
        }
        try space()
        guard let value else { throw error("STORE modifiers need UNCHANGEDSINCE") }
        return value
    }

    /// `MODSEQ [entry-name SP entry-type-req SP] mod-sequence-valzer` (RFC 7162 §3.1.5); the
    /// entry (one flag's metadata) is accepted and the message's mod-sequence compared.
    private mutating func modSeqSearchKey() throws -> SearchKey {
        try space()
        if peek == UInt8(ascii: "\"") {
            _ = try string()
            try space()
            let type = try atom().lowercased()
            guard ["priv", "shared", "all"].contains(type) else { throw error("entry type is priv, shared or all") }
            try space()
        }
        return .modSeq(try modSeqValue(allowZero: true))
    }

    /// A mod-sequence: up to 63 bits (RFC 7162 §7 `mod-sequence-value`).
    private mutating func modSeqValue(allowZero: Bool) throws -> UInt64 {
        let start = position
        while let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
        guard position > start, position - start <= 19,
            let value = UInt64(String(decoding: bytes[start..<position], as: UTF8.self)),
            value <= UInt64(Int64.max), allowZero || value > 0
        else { throw error("expected a mod-sequence") }
        return value
    }

    // MARK: Grammar pieces

    package static let maxSequenceRanges = 100_000

    private mutating func sequenceSet() throws -> SequenceSet {
        // RFC 5182 §3: `$` stands alone, never inside a list of ranges.
        if consume("$") { return .savedResult }
        var ranges: [(SequenceSet.Bound, SequenceSet.Bound)] = []
        repeat {
            let low = try sequenceBound()
            var high = low
            if peek == UInt8(ascii: ":") {
                position += 1
                high = try sequenceBound()
            }
            ranges.append((low, high))
            guard ranges.count <= Self.maxSequenceRanges else { throw error("sequence set too long") }
        } while consume(",")
        return SequenceSet(ranges: ranges)
    }

    private mutating func sequenceBound() throws -> SequenceSet.Bound {
        if consume("*") { return .last }
        let value = try number()
        guard value > 0 else { throw error("sequence numbers start at 1") }
        return .number(UInt64(value))
    }

    private mutating func number() throws -> Int {
        let start = position
        while let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
        guard position > start, position - start <= 10,
            let value = Int(String(decoding: bytes[start..<position], as: UTF8.self)),
            value <= Int(UInt32.max)
        else { throw error("expected a number") }
        return value
    }

    /// RFC 3501 §9 `tag`: ASTRING-CHARs but `+`, and those are 7-bit. A tag with other octets is
    /// refused untagged (`* BAD`), as Dovecot does: echoing it could not give the client back the
    /// octets it sent, so it could never match its answer.
    private mutating func tag() throws -> String {
        let start = position
        while let byte = peek, isAtomChar(byte), byte != UInt8(ascii: "+") { position += 1 }
        guard position > start else { throw error("missing tag") }
        guard bytes[start..<position].allSatisfy({ $0 < 0x80 }) else { throw error("tag is not 7-bit ASCII") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// An atom (RFC 3501 §9 `atom`).
    private mutating func atom() throws -> String {
        let start = position
        while let byte = peek, isAtomChar(byte) { position += 1 }
        guard position > start else { throw error("expected an atom") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// An astring: atom characters plus `]`, or a quoted string, or a literal.
    private mutating func astring() throws -> String {
        if peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "{") { return try string() }
        let start = position
        while let byte = peek, isAtomChar(byte) || byte == UInt8(ascii: "]") { position += 1 }
        guard position > start else { throw error("expected a string") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// A LIST pattern: astring characters plus the wildcards `%` and `*`.
    private mutating func listMailbox() throws -> String {
        if peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "{") { return try string() }
        let start = position
        while let byte = peek,
            isAtomChar(byte) || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "*")
        {
            position += 1
        }
        guard position > start else { throw error("expected a mailbox pattern") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// A quoted string (with `\"` and `\\` escapes) or a literal `{n}` CRLF octets.
    private mutating func string() throws -> String {
        if consume("\"") {
            var value: [UInt8] = []
            while let byte = peek {
                position += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: value, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = peek, escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                        throw error("invalid escape in quoted string")
                    }
                    value.append(escaped)
                    position += 1
                case 0x0D, 0x0A, 0: throw error("quoted strings cannot contain CR, LF or NUL")
                default: value.append(byte)
                }
            }
            throw error("unterminated quoted string")
        }
        return String(decoding: try literal(), as: UTF8.self)
    }

    /// A literal `{n}` or `{n+}` CRLF and its n octets.
    private mutating func literal() throws -> [UInt8] {
        try expect("{")
        let count = try number()
        _ = consume("+")
        try expect("}")
        guard consume("\r"), consume("\n") else { throw error("literal must be followed by CRLF") }
        guard position + count <= bytes.count else { throw error("literal shorter than announced") }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// Skips one value (for ID's parameter list, which is only acknowledged).
    private mutating func skipValue() throws {
        if peek == UInt8(ascii: "(") {
            _ = try parenthesized(allowEmpty: true) { try $0.skipValue() }
        } else if peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "{") {
            _ = try string()
        } else {
            _ = try atom()
        }
    }

    private mutating func parenthesized<T>(allowEmpty: Bool = false, _ element: (inout IMAPParser) throws -> T) throws
        -> [T]
    {
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maxDepth else { throw error("lists nested too deeply") }
        try expect("(")
        var items: [T] = []
        if consume(")") {
            guard allowEmpty else { throw error("empty list") }
            return items
        }
        repeat { items.append(try element(&self)) } while try optionalSpace()
        try expect(")")
        return items
    }

    // MARK: Bytes

    private var atEnd: Bool { position == bytes.count }
    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func consume(_ character: Character) -> Bool {
        guard let byte = peek, byte == character.asciiValue else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ character: Character) throws {
        guard consume(character) else { throw error("expected '\(character)'") }
    }

    private mutating func space() throws { try expect(" ") }

    private mutating func optionalSpace() throws -> Bool { consume(" ") }

    /// RFC 3501 §9 ATOM-CHAR: any CHAR except atom-specials.
    private func isAtomChar(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return byte >= 0x80 }
        return !"(){ %*\"\\]".utf8.contains(byte)
    }

    private func error(_ reason: String) -> IMAPParseError {
        IMAPParseError(reason: "\(reason) at octet \(position)", tag: nil)
    }
}
