import LetterboxMIME
import LetterboxStore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The IMAP4rev1 conversation (RFC 3501 §3): not authenticated → authenticated → selected →
/// logout. A parsed command in, response octets out; no socket I/O (the store is read and changed
/// directly, so transcripts can be tested with a ``MemoryStore``).
///
/// Letterbox has one mailbox, INBOX: every captured message, or for a login that is an address,
/// the mail addressed to it. UID = message id; UIDVALIDITY = the store's.
public struct IMAPSession: Sendable {
    /// What the driver does after writing the response.
    public enum Outcome: Sendable, Equatable {
        case proceed
        case close
        /// Enter IDLE (RFC 2177): the continuation was written; wait for `DONE`, sending updates.
        case idle(tag: String)
        /// A SASL response line is expected next (the `+` continuation was written).
        case authenticate
        /// Start TLS now (RFC 3501 §6.2.1), then call ``tlsStarted()``.
        case startTLS
    }

    private enum State: Sendable {
        case notAuthenticated
        case authenticated
        case selected
        case logout
    }

    /// A message in the selected mailbox, by sequence number (index + 1).
    private struct Entry: Sendable {
        let message: Message
        var flags: MessageFlags
    }

    public let configuration: IMAPConfiguration
    private let store: any MessageStore
    private var state = State.notAuthenticated
    private var filter = MessageFilter()
    private var readOnly = false
    private var entries: [Entry] = []
    private var recent: Set<UInt64> = []
    private var knownModificationSequence: UInt64 = 0
    private var pendingAuthenticationTag: String?
    /// Whether STARTTLS is offered, and whether TLS is in use (implicit, or after STARTTLS).
    private let canStartTLS: Bool
    private var secure: Bool

    /// The capabilities in the current state: STARTTLS until TLS is up, and LOGINDISABLED while
    /// login waits for it (RFC 3501 §6.2.1, §6.2.3).
    public var capabilities: String {
        let tls = canStartTLS && !secure ? " STARTTLS" : ""
        let loginDisabled = configuration.requireTLS && !secure ? " LOGINDISABLED" : " AUTH=PLAIN"
        return "IMAP4rev1 LITERAL+ SASL-IR\(loginDisabled)\(tls) IDLE ID ENABLE NAMESPACE UNSELECT"
    }

    public init(configuration: IMAPConfiguration, store: any MessageStore, canStartTLS: Bool = false, secure: Bool = false) {
        self.configuration = configuration
        self.store = store
        self.canStartTLS = canStartTLS
        self.secure = secure
    }

    /// TLS is up; the client asks for capabilities again (RFC 3501 §6.2.1).
    public mutating func tlsStarted() {
        secure = true
    }

    public var greeting: [UInt8] { Array("* OK [CAPABILITY \(capabilities)] Letterbox IMAP ready\r\n".utf8) }

    // MARK: Commands

    /// Runs one command and returns the octets to send (untagged data, then the tagged result).
    public mutating func handle(_ tagged: TaggedCommand) -> (response: [UInt8], outcome: Outcome) {
        var out = IMAPWriter()
        let tag = tagged.tag
        var outcome = Outcome.proceed
        let result: String
        switch (tagged.command, state) {
        case (.capability, _):
            out.raw("* CAPABILITY \(capabilities)\r\n")
            result = "OK CAPABILITY completed"
        case (.noop, _), (.check, .selected):
            result = "OK \(tagged.command == .noop ? "NOOP" : "CHECK") completed"
        case (.logout, _):
            out.raw("* BYE Letterbox IMAP signing off\r\n")
            state = .logout
            outcome = .close
            result = "OK LOGOUT completed"
        case (.id, _):
            out.raw("* ID (\"name\" \"Letterbox\" \"vendor\" \"Letterbox\")\r\n")
            result = "OK ID completed"
        case (.starttls, .notAuthenticated) where canStartTLS && !secure:
            // The tagged OK goes out in plaintext; the handshake starts right after it.
            return (Array("\(tag) OK Begin TLS negotiation now\r\n".utf8), .startTLS)
        case (.starttls, _):
            result = secure ? "BAD TLS is already active" : canStartTLS ? "BAD STARTTLS is only valid before login" : "NO STARTTLS is not available"
        case (.enable, .authenticated), (.enable, .selected):
            out.raw("* ENABLED\r\n")
            result = "OK ENABLE completed"
        case (.login, .notAuthenticated) where configuration.requireTLS && !secure,
            (.authenticate, .notAuthenticated) where configuration.requireTLS && !secure:
            result = "NO [PRIVACYREQUIRED] TLS is required: use STARTTLS first"
        case (.login(let user, let password), .notAuthenticated):
            result = logIn(user: user, password: password)
        case (.authenticate(let mechanism, let initial), .notAuthenticated):
            guard mechanism == "PLAIN" else {
                result = "NO [CANNOT] unsupported mechanism \(mechanism), use PLAIN"
                break
            }
            guard let initial else {
                pendingAuthenticationTag = tag
                return (Array("+ \r\n".utf8), .authenticate)
            }
            result = authenticatePlain(initial)
        case (.login, _), (.authenticate, _):
            result = "BAD already authenticated"
        case (_, .notAuthenticated):
            result = "BAD command not valid before login (not authenticated state)"
        case (.select(let name), _), (.examine(let name), _):
            result = select(name, readOnly: tagged.command == .examine(name), into: &out)
        case (.list(let reference, let pattern), _), (.lsub(let reference, let pattern), _):
            let verb = tagged.command == .list(reference: reference, pattern: pattern) ? "LIST" : "LSUB"
            list(verb: verb, reference: reference, pattern: pattern, into: &out)
            result = "OK \(verb) completed"
        case (.status(let name, let items), _):
            result = status(name, items: items, into: &out)
        case (.namespace, _):
            out.raw("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n")
            result = "OK NAMESPACE completed"
        case (.idle, _):
            if state == .selected { synchronize(into: &out, allowExpunge: true) }
            out.raw("+ idling\r\n")
            return (out.bytes, .idle(tag: tag))
        case (.unsupported(let name), _):
            result = "NO [CANNOT] \(name) is not available: Letterbox serves one mailbox, INBOX"
        case (_, .authenticated):
            result = "BAD command not valid without a selected mailbox (SELECT INBOX first)"
        case (.close, .selected):
            if !readOnly { _ = expungeDeleted(uids: nil, report: false, into: &out) }
            deselect()
            result = "OK CLOSE completed"
        case (.unselect, .selected):
            deselect()
            result = "OK UNSELECT completed"
        case (.expunge, .selected), (.uidExpunge, .selected):
            guard !readOnly else {
                result = "NO [READ-ONLY] mailbox is read-only"
                break
            }
            if case .uidExpunge(let set) = tagged.command {
                _ = expungeDeleted(uids: set, report: true, into: &out)
            } else {
                _ = expungeDeleted(uids: nil, report: true, into: &out)
            }
            result = "OK EXPUNGE completed"
        case (.search(let key, let uid), .selected):
            synchronize(into: &out, allowExpunge: uid)
            search(key, uid: uid, into: &out)
            result = "OK \(uid ? "UID " : "")SEARCH completed"
        case (.fetch(let set, let attributes, let uid), .selected):
            synchronize(into: &out, allowExpunge: uid)
            result = fetch(set, attributes: attributes, uid: uid, into: &out)
        case (.store(let set, let mode, let flags, let silent, let uid), .selected):
            synchronize(into: &out, allowExpunge: uid)
            result = storeFlags(set, mode: mode, flags: flags, silent: silent, uid: uid, into: &out)
        default:
            result = "BAD command not valid in this state"
        }
        if state == .selected && outcome == .proceed && !isSequenceSensitive(tagged.command) {
            synchronize(into: &out, allowExpunge: true)
        }
        out.raw("\(tag) \(result)\r\n")
        return (out.bytes, outcome)
    }

    /// FETCH, STORE and SEARCH by sequence number must not see EXPUNGE responses (RFC 3501 §7.4.1).
    private func isSequenceSensitive(_ command: IMAPCommand) -> Bool {
        switch command {
        case .fetch(_, _, let uid), .store(_, _, _, _, let uid), .search(_, let uid): return !uid
        default: return false
        }
    }

    /// Answers the SASL response that follows `AUTHENTICATE PLAIN` without an initial response.
    public mutating func continueAuthentication(_ line: [UInt8]) -> [UInt8] {
        let tag = pendingAuthenticationTag ?? "*"
        pendingAuthenticationTag = nil
        let text = String(decoding: line, as: UTF8.self)
        let result = text.trimmingWhitespace() == "*" ? "BAD AUTHENTICATE cancelled" : authenticatePlain(text)
        return Array("\(tag) \(result)\r\n".utf8)
    }

    /// The updates to send while idling (new mail, expunges, flag changes).
    public mutating func idleUpdates() -> [UInt8] {
        guard state == .selected else { return [] }
        var out = IMAPWriter()
        synchronize(into: &out, allowExpunge: true)
        return out.bytes
    }

    // MARK: Login

    private mutating func logIn(user: String, password: String) -> String {
        guard configuration.credentials.accepts(user: user, password: password) else {
            return "NO [AUTHENTICATIONFAILED] invalid user name or password"
        }
        state = .authenticated
        filter = .mailbox(login: user)
        return "OK [CAPABILITY \(capabilities)] logged in"
    }

    private mutating func authenticatePlain(_ response: String) -> String {
        switch SASLPlain.decode(response) {
        case .failure(let failure): return "BAD \(failure.description)"
        case .success(let plain): return logIn(user: plain.user, password: plain.password)
        }
    }

    // MARK: Mailboxes

    private func isInbox(_ name: String) -> Bool { name.equalsIgnoringCase("INBOX") }

    private mutating func select(_ name: String, readOnly: Bool, into out: inout IMAPWriter) -> String {
        deselect()
        guard isInbox(name) else { return "NO [NONEXISTENT] no mailbox \(name): Letterbox serves INBOX" }
        let snapshot = store.snapshot(matching: filter)
        entries = snapshot.entries.map { Entry(message: $0.message, flags: $0.flags) }
        knownModificationSequence = snapshot.modificationSequence
        recent = readOnly ? [] : store.claimRecent(entries.map(\.message.id))
        self.readOnly = readOnly
        state = .selected
        out.raw("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n")
        out.raw("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] flags permitted\r\n")
        out.raw("* \(entries.count) EXISTS\r\n")
        out.raw("* \(recent.count) RECENT\r\n")
        if let unseen = entries.firstIndex(where: { !$0.flags.contains(MessageFlags.seen) }) {
            out.raw("* OK [UNSEEN \(unseen + 1)] first unseen\r\n")
        }
        out.raw("* OK [UIDVALIDITY \(store.uidValidity)] UIDs valid\r\n")
        out.raw("* OK [UIDNEXT \(snapshot.nextID)] predicted next UID\r\n")
        return "OK [\(readOnly ? "READ-ONLY" : "READ-WRITE")] \(readOnly ? "EXAMINE" : "SELECT") completed"
    }

    private mutating func deselect() {
        state = state == .selected ? .authenticated : state
        entries = []
        recent = []
    }

    /// LIST/LSUB: INBOX when the pattern matches it; `""` asks for the hierarchy delimiter.
    private func list(verb: String, reference: String, pattern: String, into out: inout IMAPWriter) {
        if pattern.isEmpty {
            out.raw("* \(verb) (\\Noselect) \"/\" \"\"\r\n")
            return
        }
        if Self.wildcardMatches(pattern: reference + pattern, name: "INBOX") {
            out.raw("* \(verb) (\\HasNoChildren) \"/\" INBOX\r\n")
        }
    }

    /// `*` matches anything, `%` anything but the delimiter; INBOX is case-insensitive (RFC 3501 §6.3.8).
    static func wildcardMatches(pattern: String, name: String) -> Bool {
        let pattern = Array(pattern.uppercased()), name = Array(name.uppercased())
        func match(_ p: Int, _ n: Int) -> Bool {
            if p == pattern.count { return n == name.count }
            switch pattern[p] {
            case "*": return (n...name.count).contains { match(p + 1, $0) }
            case "%":
                var end = n
                while end < name.count && name[end] != "/" { end += 1 }
                return (n...end).contains { match(p + 1, $0) }
            default: return n < name.count && name[n] == pattern[p] && match(p + 1, n + 1)
            }
        }
        return match(0, 0)
    }

    private func status(_ name: String, items: [String], into out: inout IMAPWriter) -> String {
        guard isInbox(name) else { return "NO [NONEXISTENT] no mailbox \(name)" }
        let snapshot = store.snapshot(matching: filter)
        var values: [String] = []
        for item in items {
            switch item {
            case "MESSAGES": values.append("MESSAGES \(snapshot.entries.count)")
            case "RECENT": values.append("RECENT \(snapshot.entries.count { recent.contains($0.message.id) })")
            case "UIDNEXT": values.append("UIDNEXT \(snapshot.nextID)")
            case "UIDVALIDITY": values.append("UIDVALIDITY \(store.uidValidity)")
            case "UNSEEN": values.append("UNSEEN \(snapshot.entries.count { !$0.flags.contains(MessageFlags.seen) })")
            case "SIZE": values.append("SIZE \(snapshot.entries.reduce(0) { $0 + $1.message.canonicalSize })")
            default: return "BAD unknown STATUS item \(item)"
            }
        }
        out.raw("* STATUS INBOX (\(values.joined(separator: " ")))\r\n")
        return "OK STATUS completed"
    }

    // MARK: Updates (RFC 3501 §7.3.1, §7.4.1, §7.4.2)

    /// Brings the session's view up to date with the store: EXPUNGE for removed messages (only
    /// where allowed), EXISTS/RECENT for new ones, FETCH FLAGS for flags changed elsewhere.
    private mutating func synchronize(into out: inout IMAPWriter, allowExpunge: Bool) {
        guard state == .selected else { return }
        let current = store.modificationSequence
        guard current != knownModificationSequence else { return }
        let snapshot = store.snapshot(matching: filter)
        let present = Dictionary(uniqueKeysWithValues: snapshot.entries.map { ($0.message.id, $0.flags) })
        if allowExpunge {
            for index in entries.indices.reversed() where present[entries[index].message.id] == nil {
                out.raw("* \(index + 1) EXPUNGE\r\n")
                recent.remove(entries[index].message.id)
                entries.remove(at: index)
            }
        }
        for (index, entry) in entries.enumerated() {
            if let flags = present[entry.message.id], flags != entry.flags {
                entries[index].flags = flags
                out.raw("* \(index + 1) FETCH (FLAGS ")
                out.flags(flagNames(flags, recent: recent.contains(entry.message.id)))
                out.raw(")\r\n")
            }
        }
        let newest = entries.last?.message.id ?? 0
        let arrived = snapshot.entries.filter { $0.message.id > newest }
        if !arrived.isEmpty {
            entries += arrived.map { Entry(message: $0.message, flags: $0.flags) }
            if !readOnly { recent.formUnion(store.claimRecent(arrived.map(\.message.id))) }
            out.raw("* \(entries.count) EXISTS\r\n")
            out.raw("* \(recent.count) RECENT\r\n")
        }
        // With expunges held back, the session is still behind: check again next time.
        let heldBack = entries.contains { present[$0.message.id] == nil }
        knownModificationSequence = heldBack ? 0 : snapshot.modificationSequence
    }

    private func flagNames(_ flags: MessageFlags, recent: Bool) -> [String] {
        flags.sorted + (recent ? ["\\Recent"] : [])
    }

    // MARK: Messages

    /// The indexes a sequence set names, by sequence number or by UID.
    private func indexes(_ set: SequenceSet, uid: Bool) -> [Int] {
        guard !entries.isEmpty else { return [] }
        if uid {
            let largest = entries.last?.message.id ?? 0
            return entries.indices.filter { set.contains(entries[$0].message.id, largest: largest) }
        }
        return entries.indices.filter { set.contains(UInt64($0 + 1), largest: UInt64(entries.count)) }
    }

    private func sequenceSetIsValid(_ set: SequenceSet) -> Bool {
        set.ranges.allSatisfy { low, high in
            [low, high].allSatisfy { bound in
                if case .number(let value) = bound { return value <= entries.count }
                return true
            }
        }
    }

    private func search(_ key: SearchKey, uid: Bool, into out: inout IMAPWriter) {
        let evaluator = SearchEvaluator(largestSequence: UInt64(entries.count), largestUID: entries.last?.message.id ?? 0)
        var found: [String] = []
        for (index, entry) in entries.enumerated() {
            let candidate = SearchEvaluator.Candidate(
                sequence: UInt64(index + 1), message: entry.message, flags: entry.flags,
                recent: recent.contains(entry.message.id))
            if evaluator.matches(key, candidate) { found.append(uid ? "\(entry.message.id)" : "\(index + 1)") }
        }
        out.raw("* SEARCH" + found.map { " " + $0 }.joined() + "\r\n")
    }

    private mutating func fetch(_ set: SequenceSet, attributes: [FetchAttribute], uid: Bool, into out: inout IMAPWriter) -> String {
        guard uid || sequenceSetIsValid(set) else { return "BAD invalid message sequence number" }
        let marksSeen = !readOnly && attributes.contains { attribute in
            switch attribute {
            case .bodySection(_, _, let peek): return !peek
            case .rfc822, .rfc822Text: return true
            default: return false
            }
        }
        for index in indexes(set, uid: uid) {
            let entry = entries[index]
            var flagsChanged = false
            if marksSeen && !entry.flags.contains(MessageFlags.seen) {
                if let flags = store.updateFlags(.add(MessageFlags([MessageFlags.seen])), ids: [entry.message.id])[entry.message.id] {
                    entries[index].flags = flags
                    flagsChanged = true
                }
            }
            out.raw("* \(index + 1) FETCH (")
            writeFetch(attributes, of: entries[index], includeFlags: flagsChanged, into: &out)
            out.raw(")\r\n")
        }
        return "OK \(uid ? "UID " : "")FETCH completed"
    }

    private func writeFetch(_ attributes: [FetchAttribute], of entry: Entry, includeFlags: Bool, into out: inout IMAPWriter) {
        let message = entry.message
        var renderer: MessageRenderer?
        func rendered() -> MessageRenderer {
            if let renderer { return renderer }
            let made = MessageRenderer(message)
            renderer = made
            return made
        }
        var items = attributes
        if includeFlags && !items.contains(.flags) { items.append(.flags) }
        for (position, attribute) in items.enumerated() {
            if position > 0 { out.raw(" ") }
            switch attribute {
            case .uid: out.raw("UID \(message.id)")
            case .flags:
                out.raw("FLAGS ")
                out.flags(flagNames(entry.flags, recent: recent.contains(message.id)))
            case .internalDate: out.raw("INTERNALDATE \"\(IMAPDate.internalDate(message.envelope.receivedAt))\"")
            case .rfc822Size: out.raw("RFC822.SIZE \(message.canonicalSize)")
            case .envelope:
                out.raw("ENVELOPE ")
                MessageRenderer.envelope(message.headerEnvelope, into: &out)
            case .bodyStructure:
                out.raw("BODYSTRUCTURE ")
                rendered().bodyStructure(extensible: true, into: &out)
            case .body:
                out.raw("BODY ")
                rendered().bodyStructure(extensible: false, into: &out)
            case .rfc822:
                out.raw("RFC822 ")
                out.literal(rendered().bytes)
            case .rfc822Header:
                out.raw("RFC822.HEADER ")
                out.literal(rendered().section(BodySection(text: .header)) ?? [])
            case .rfc822Text:
                out.raw("RFC822.TEXT ")
                out.literal(rendered().section(BodySection(text: .text)) ?? [])
            case .bodySection(let section, let partial, _):
                out.raw("BODY[\(Self.describe(section))]")
                let data = rendered().section(section) ?? []
                guard let partial else {
                    out.raw(" ")
                    out.literal(data)
                    continue
                }
                // RFC 3501 §6.4.5: the origin is echoed; bytes past the end are simply absent.
                out.raw("<\(partial.lowerBound)> ")
                let start = min(data.startIndex + partial.lowerBound, data.endIndex)
                let end = min(data.startIndex + partial.upperBound + 1, data.endIndex)
                out.literal(data[start..<end])
            }
        }
    }

    /// The section as echoed in the response, e.g. `1.2.HEADER.FIELDS (FROM TO)`.
    static func describe(_ section: BodySection) -> String {
        var parts = section.part.map(String.init)
        switch section.text {
        case nil: break
        case .header: parts.append("HEADER")
        case .text: parts.append("TEXT")
        case .mime: parts.append("MIME")
        case .headerFields(let names, let not):
            parts.append((not ? "HEADER.FIELDS.NOT" : "HEADER.FIELDS") + " (" + names.map { $0.uppercased() }.joined(separator: " ") + ")")
        }
        return parts.joined(separator: ".")
    }

    private mutating func storeFlags(
        _ set: SequenceSet, mode: StoreMode, flags: MessageFlags, silent: Bool, uid: Bool, into out: inout IMAPWriter
    ) -> String {
        guard !readOnly else { return "NO [READ-ONLY] mailbox is read-only" }
        guard uid || sequenceSetIsValid(set) else { return "BAD invalid message sequence number" }
        let targets = indexes(set, uid: uid)
        let update: FlagUpdate = mode == .replace ? .replace(flags) : mode == .add ? .add(flags) : .remove(flags)
        let changed = store.updateFlags(update, ids: targets.map { entries[$0].message.id })
        for index in targets {
            let id = entries[index].message.id
            guard let flags = changed[id] else { continue }
            entries[index].flags = flags
            guard !silent else { continue }
            out.raw("* \(index + 1) FETCH (FLAGS ")
            out.flags(flagNames(flags, recent: recent.contains(id)))
            out.raw(uid ? " UID \(id))\r\n" : ")\r\n")
        }
        return "OK \(uid ? "UID " : "")STORE completed"
    }

    /// Removes messages flagged \Deleted (restricted to `uids` for UID EXPUNGE) from the store.
    private mutating func expungeDeleted(uids: SequenceSet?, report: Bool, into out: inout IMAPWriter) -> Int {
        let largest = entries.last?.message.id ?? 0
        let doomed = entries.indices.filter { index in
            entries[index].flags.contains(MessageFlags.deleted)
                && (uids.map { $0.contains(entries[index].message.id, largest: largest) } ?? true)
        }
        store.remove(ids: doomed.map { entries[$0].message.id })
        for index in doomed.reversed() {
            if report { out.raw("* \(index + 1) EXPUNGE\r\n") }
            recent.remove(entries[index].message.id)
            entries.remove(at: index)
        }
        return doomed.count
    }
}
