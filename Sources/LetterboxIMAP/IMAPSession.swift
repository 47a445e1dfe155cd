import Foundation
import LetterboxMIME
import LetterboxStore

/// The IMAP4rev1 conversation (RFC 3501 §3): not authenticated → authenticated → selected →
/// logout. A parsed command in, response octets out; no socket I/O (the store is read and changed
/// directly, so transcripts can be tested with a ``MemoryStore``).
///
/// Mailboxes are the store's (see ``Mailbox``): INBOX holds every captured message, or for a login
/// that is an address, the mail addressed to it; every other mailbox is shared by all logins
/// (``MessageFilter/view(login:mailbox:)``). UIDs and UIDVALIDITY are per mailbox.
public struct IMAPSession: Sendable {
    /// What the driver does after writing the response.
    public enum Outcome: Sendable, Equatable {
        case proceed
        case close
        /// Enter IDLE (RFC 2177): the continuation was written; wait for `DONE`, sending updates.
        case idle(tag: String)
        /// A SASL response line is expected next (the `+` continuation was written).
        case authenticate
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
        let uid: UInt64
    }

    public let configuration: IMAPConfiguration
    private let store: any MessageStore
    private var state = State.notAuthenticated
    private var login = ""
    /// The selected mailbox's canonical name.
    private var selected = Mailbox.inbox
    private var uidValidity: UInt32 = 0
    private var readOnly = false
    private var entries: [Entry] = []
    private var recent: Set<UInt64> = []
    private var knownModificationSequence: UInt64 = 0
    private var pendingAuthenticationTag: String?

    public static let capabilities =
        "IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN IDLE ID ENABLE NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE ESEARCH SORT"

    public init(configuration: IMAPConfiguration, store: any MessageStore) {
        self.configuration = configuration
        self.store = store
    }

    public var greeting: [UInt8] { Array("* OK [CAPABILITY \(Self.capabilities)] Letterbox IMAP ready\r\n".utf8) }

    // MARK: Commands

    /// Runs one command and returns the octets to send (untagged data, then the tagged result).
    public mutating func handle(_ tagged: TaggedCommand) async -> (response: [UInt8], outcome: Outcome) {
        var out = IMAPWriter()
        let tag = tagged.tag
        var outcome = Outcome.proceed
        let result: String
        switch (tagged.command, state) {
        case (.capability, _):
            out.raw("* CAPABILITY \(Self.capabilities)\r\n")
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
        case (.starttls, _):
            result = "BAD STARTTLS is not available"
        case (.enable, .authenticated), (.enable, .selected):
            out.raw("* ENABLED\r\n")
            result = "OK ENABLE completed"
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
        case (.create(let name), _):
            result = completion(of: { () throws(MailboxError) in try store.createMailbox(name) }, "CREATE")
        case (.delete(let name), _):
            result = completion(of: { () throws(MailboxError) in try store.deleteMailbox(name) }, "DELETE")
        case (.rename(let old, let new), _):
            result = await rename(old, to: new)
        case (.subscribe(let name), _), (.unsubscribe(let name), _):
            let subscribe = tagged.command == .subscribe(name)
            result = completion(
                of: { () throws(MailboxError) in try store.setSubscribed(name, subscribe) },
                subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE")
        case (.append(let mailbox, let flags, let date, let message), _):
            result = await append(message, to: mailbox, flags: flags, date: date)
        case (.unsupported(let name), _):
            result = "NO [CANNOT] \(name) is not available"
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
            out.raw("* SEARCH" + search(key, uid: uid).map { " \($0)" }.joined() + "\r\n")
            result = "OK \(uid ? "UID " : "")SEARCH completed"
        case (.sort(let criteria, let key, let uid), .selected):
            synchronize(into: &out, allowExpunge: uid)
            out.raw("* SORT" + sort(key, by: criteria, uid: uid).map { " \($0)" }.joined() + "\r\n")
            result = "OK \(uid ? "UID " : "")SORT completed"
        case (.extendedSearch(let key, let uid, let options), .selected):
            synchronize(into: &out, allowExpunge: uid)
            out.raw(Self.esearch(search(key, uid: uid), tag: tag, uid: uid, options: options))
            result = "OK \(uid ? "UID " : "")SEARCH completed"
        case (.fetch(let set, let attributes, let uid), .selected):
            synchronize(into: &out, allowExpunge: uid)
            result = fetch(set, attributes: attributes, uid: uid, into: &out)
        case (.store(let set, let mode, let flags, let silent, let uid), .selected):
            synchronize(into: &out, allowExpunge: uid)
            result = storeFlags(set, mode: mode, flags: flags, silent: silent, uid: uid, into: &out)
        case (.copy(let set, let mailbox, let uid), .selected):
            synchronize(into: &out, allowExpunge: uid)
            result = await copy(set, to: mailbox, uid: uid)
        case (.move(let set, let mailbox, let uid), .selected):
            synchronize(into: &out, allowExpunge: uid)
            result = await move(set, to: mailbox, uid: uid, into: &out)
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
        case .fetch(_, _, let uid), .store(_, _, _, _, let uid), .search(_, let uid), .extendedSearch(_, let uid, _),
            .sort(_, _, let uid):
            return !uid
        default: return false
        }
    }

    /// Answers the SASL response that follows `AUTHENTICATE PLAIN` without an initial response.
    public mutating func continueAuthentication(_ line: [UInt8]) -> [UInt8] {
        let tag = pendingAuthenticationTag ?? "*"
        pendingAuthenticationTag = nil
        let text = String(decoding: line, as: UTF8.self)
        let result = text.trimmingCharacters(in: .whitespaces) == "*" ? "BAD AUTHENTICATE cancelled" : authenticatePlain(text)
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
        login = user
        return "OK [CAPABILITY \(Self.capabilities)] logged in"
    }

    private mutating func authenticatePlain(_ response: String) -> String {
        switch SASLPlain.decode(response) {
        case .failure(let failure): return "BAD \(failure.description)"
        case .success(let plain): return logIn(user: plain.user, password: plain.password)
        }
    }

    // MARK: Mailboxes

    private func view(_ mailbox: String) -> StoreSnapshot? {
        store.snapshot(of: mailbox, matching: .view(login: login, mailbox: mailbox))
    }

    private mutating func select(_ name: String, readOnly: Bool, into out: inout IMAPWriter) -> String {
        deselect()
        guard let snapshot = view(name), let mailbox = snapshot.mailbox else {
            return "NO [NONEXISTENT] no mailbox \(name)"
        }
        selected = mailbox.name
        uidValidity = mailbox.uidValidity
        entries = snapshot.entries.map { Entry(message: $0.message, flags: $0.flags, uid: $0.uid) }
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
        out.raw("* OK [UIDVALIDITY \(mailbox.uidValidity)] UIDs valid\r\n")
        out.raw("* OK [UIDNEXT \(mailbox.nextUID)] predicted next UID\r\n")
        return "OK [\(readOnly ? "READ-ONLY" : "READ-WRITE")] \(readOnly ? "EXAMINE" : "SELECT") completed"
    }

    private mutating func deselect() {
        state = state == .selected ? .authenticated : state
        entries = []
        recent = []
    }

    /// LIST/LSUB (RFC 3501 §6.3.8–9): the mailboxes (or subscribed names) the reference and
    /// pattern match, with CHILDREN (RFC 3348) and SPECIAL-USE (RFC 6154) attributes; `""` asks
    /// for the hierarchy delimiter.
    private func list(verb: String, reference: String, pattern: String, into out: inout IMAPWriter) {
        if pattern.isEmpty {
            out.raw("* \(verb) (\\Noselect) \"/\" \"\"\r\n")
            return
        }
        let full = Self.canonicalPattern(reference + pattern)
        let mailboxes = store.mailboxes()
        let names = verb == "LIST" ? mailboxes.map(\.name) : store.subscriptions.sorted()
        let byName = Dictionary(uniqueKeysWithValues: mailboxes.map { ($0.name, $0) })
        for name in names where Self.wildcardMatches(pattern: full, name: name) {
            var attributes: [String] = []
            if let mailbox = byName[name] {
                if verb == "LIST" {
                    let hasChildren = mailboxes.contains { Mailbox.isInferior($0.name, of: name) }
                    attributes.append(hasChildren ? "\\HasChildren" : "\\HasNoChildren")
                }
                if let use = mailbox.specialUse { attributes.append(use.attribute) }
            }
            out.raw("* \(verb) (\(attributes.joined(separator: " "))) \"/\" ")
            out.astring(name)
            out.raw("\r\n")
        }
    }

    /// The pattern with a leading `inbox` in any case spelled `INBOX`, so it matches INBOX and
    /// names below it, which are case-insensitive (RFC 3501 §5.1).
    static func canonicalPattern(_ pattern: String) -> String {
        guard pattern.utf8.count >= 5, pattern.prefix(5).caseInsensitiveCompare(Mailbox.inbox) == .orderedSame else {
            return pattern
        }
        let next = pattern.dropFirst(5).first
        guard next == nil || next == "/" || next == "%" || next == "*" else { return pattern }
        return Mailbox.inbox + pattern.dropFirst(5)
    }

    /// `*` matches anything, `%` anything but the delimiter (RFC 3501 §6.3.8); names compare
    /// exactly, INBOX in any case (the caller makes it canonical).
    static func wildcardMatches(pattern: String, name: String) -> Bool {
        let pattern = Array(pattern.utf8), name = Array(name.utf8)
        var memo: [Int: Bool] = [:]
        func match(_ p: Int, _ n: Int) -> Bool {
            let key = p * (name.count + 1) + n
            if let known = memo[key] { return known }
            let result: Bool
            if p == pattern.count {
                result = n == name.count
            } else {
                switch pattern[p] {
                case UInt8(ascii: "*"): result = (n...name.count).contains { match(p + 1, $0) }
                case UInt8(ascii: "%"):
                    var end = n
                    while end < name.count && name[end] != UInt8(ascii: "/") { end += 1 }
                    result = (n...end).contains { match(p + 1, $0) }
                default: result = n < name.count && name[n] == pattern[p] && match(p + 1, n + 1)
                }
            }
            memo[key] = result
            return result
        }
        return match(0, 0)
    }

    private func status(_ name: String, items: [String], into out: inout IMAPWriter) -> String {
        guard let snapshot = view(name), let mailbox = snapshot.mailbox else { return "NO [NONEXISTENT] no mailbox \(name)" }
        let isSelected = state == .selected && mailbox.name == selected
        var values: [String] = []
        for item in items {
            switch item {
            case "MESSAGES": values.append("MESSAGES \(snapshot.entries.count)")
            case "RECENT":
                let count = snapshot.entries.count { $0.isRecent || (isSelected && recent.contains($0.message.id)) }
                values.append("RECENT \(count)")
            case "UIDNEXT": values.append("UIDNEXT \(mailbox.nextUID)")
            case "UIDVALIDITY": values.append("UIDVALIDITY \(mailbox.uidValidity)")
            case "UNSEEN": values.append("UNSEEN \(snapshot.entries.count { !$0.flags.contains(MessageFlags.seen) })")
            case "SIZE": values.append("SIZE \(snapshot.entries.reduce(0) { $0 + $1.message.canonicalSize })")
            default: return "BAD unknown STATUS item \(item)"
            }
        }
        out.raw("* STATUS ")
        out.astring(mailbox.name)
        out.raw(" (\(values.joined(separator: " ")))\r\n")
        return "OK STATUS completed"
    }

    /// `OK <verb> completed`, or the NO a mailbox error calls for.
    private func completion<T>(of operation: () throws(MailboxError) -> T, _ verb: String) -> String {
        do throws(MailboxError) {
            _ = try operation()
            return "OK \(verb) completed"
        } catch {
            return Self.no(error)
        }
    }

    private static func no(_ error: any Error) -> String {
        if let error = error as? MailboxError { return "NO [\(error.code)] \(error.reason)" }
        return "NO [SERVERBUG] \(error)"
    }

    /// RENAME (RFC 3501 §6.3.5); renaming INBOX moves every message the login sees in it to a
    /// new mailbox and leaves INBOX empty.
    private mutating func rename(_ old: String, to new: String) async -> String {
        guard Mailbox.canonical(old) == Mailbox.inbox else {
            return completion(of: { () throws(MailboxError) in try store.renameMailbox(old, to: new) }, "RENAME")
        }
        do {
            try store.createMailbox(new)
            let ids = view(Mailbox.inbox)?.entries.map(\.message.id) ?? []
            _ = try await store.move(ids: ids, to: new)
            return "OK RENAME completed"
        } catch {
            return Self.no(error)
        }
    }

    /// APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3).
    private func append(_ message: [UInt8], to mailbox: String, flags: MessageFlags, date: Date?) async -> String {
        guard !message.isEmpty else { return "NO [CANNOT] an empty message cannot be appended" }
        do {
            let (_, uid) = try await store.append(message, to: mailbox, flags: flags, receivedAt: date ?? Date())
            let validity = store.mailbox(named: mailbox)?.uidValidity ?? 0
            return "OK [APPENDUID \(validity) \(uid)] APPEND completed"
        } catch {
            return Self.no(error)
        }
    }

    /// COPY (RFC 3501 §6.4.7) with COPYUID (RFC 4315 §3).
    private func copy(_ set: SequenceSet, to mailbox: String, uid: Bool) async -> String {
        guard uid || sequenceSetIsValid(set) else { return "BAD invalid message sequence number" }
        let targets = indexes(set, uid: uid)
        let verb = uid ? "UID COPY" : "COPY"
        do {
            let copied = try await store.copy(ids: targets.map { entries[$0].message.id }, to: mailbox)
            guard !copied.isEmpty, let validity = store.mailbox(named: mailbox)?.uidValidity else {
                return "OK \(verb) completed"
            }
            let uidOf = Dictionary(targets.map { (entries[$0].message.id, entries[$0].uid) }, uniquingKeysWith: { a, _ in a })
            let sources = copied.compactMap { uidOf[$0.source] }
            return "OK [COPYUID \(validity) \(Self.uidSet(sources)) \(Self.uidSet(copied.map(\.uid)))] \(verb) completed"
        } catch {
            return Self.no(error)
        }
    }

    /// MOVE (RFC 6851 §3.3): COPYUID in an untagged OK, then EXPUNGE for every moved message.
    private mutating func move(_ set: SequenceSet, to mailbox: String, uid: Bool, into out: inout IMAPWriter) async -> String {
        guard !readOnly else { return "NO [READ-ONLY] mailbox is read-only" }
        guard uid || sequenceSetIsValid(set) else { return "BAD invalid message sequence number" }
        let targets = indexes(set, uid: uid)
        let verb = uid ? "UID MOVE" : "MOVE"
        do {
            let moved = try await store.move(ids: targets.map { entries[$0].message.id }, to: mailbox)
            if !moved.isEmpty, let validity = store.mailbox(named: mailbox)?.uidValidity {
                out.raw("* OK [COPYUID \(validity) \(Self.uidSet(moved.map(\.from))) \(Self.uidSet(moved.map(\.to)))] moved\r\n")
            }
            let gone = Set(moved.map(\.id))
            for index in targets.reversed() where gone.contains(entries[index].message.id) {
                out.raw("* \(index + 1) EXPUNGE\r\n")
                recent.remove(entries[index].message.id)
                entries.remove(at: index)
            }
            return "OK \(verb) completed"
        } catch {
            return Self.no(error)
        }
    }

    /// `1:3,7` for 1, 2, 3, 7: runs of consecutive UIDs as ranges, order kept (RFC 4315 §3).
    static func uidSet(_ uids: [UInt64]) -> String {
        var parts: [String] = []
        var index = 0
        while index < uids.count {
            var end = index
            while end + 1 < uids.count && uids[end + 1] == uids[end] + 1 { end += 1 }
            parts.append(end == index ? "\(uids[index])" : "\(uids[index]):\(uids[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }

    // MARK: Updates (RFC 3501 §7.3.1, §7.4.1, §7.4.2)

    /// Brings the session's view up to date with the store: EXPUNGE for removed messages (only
    /// where allowed), EXISTS/RECENT for new ones, FETCH FLAGS for flags changed elsewhere.
    private mutating func synchronize(into out: inout IMAPWriter, allowExpunge: Bool) {
        guard state == .selected else { return }
        guard store.modificationSequence != knownModificationSequence else { return }
        let snapshot = view(selected)
        let current = snapshot?.entries ?? []
        let present = Dictionary(current.map { ($0.uid, $0.flags) }, uniquingKeysWith: { a, _ in a })
        if allowExpunge {
            for index in entries.indices.reversed() where present[entries[index].uid] == nil {
                out.raw("* \(index + 1) EXPUNGE\r\n")
                recent.remove(entries[index].message.id)
                entries.remove(at: index)
            }
        }
        for (index, entry) in entries.enumerated() {
            if let flags = present[entry.uid], flags != entry.flags {
                entries[index].flags = flags
                out.raw("* \(index + 1) FETCH (FLAGS ")
                out.flags(flagNames(flags, recent: recent.contains(entry.message.id)))
                out.raw(")\r\n")
            }
        }
        let newest = entries.last?.uid ?? 0
        let arrived = current.filter { $0.uid > newest }
        if !arrived.isEmpty {
            entries += arrived.map { Entry(message: $0.message, flags: $0.flags, uid: $0.uid) }
            if !readOnly { recent.formUnion(store.claimRecent(arrived.map(\.message.id))) }
            out.raw("* \(entries.count) EXISTS\r\n")
            out.raw("* \(recent.count) RECENT\r\n")
        }
        // With expunges held back, the session is still behind: check again next time.
        let heldBack = entries.contains { present[$0.uid] == nil }
        knownModificationSequence = heldBack ? 0 : (snapshot?.modificationSequence ?? 0)
    }

    private func flagNames(_ flags: MessageFlags, recent: Bool) -> [String] {
        flags.sorted + (recent ? ["\\Recent"] : [])
    }

    // MARK: Messages

    /// The indexes a sequence set names, by sequence number or by UID.
    private func indexes(_ set: SequenceSet, uid: Bool) -> [Int] {
        guard !entries.isEmpty else { return [] }
        if uid {
            let largest = entries.last?.uid ?? 0
            return entries.indices.filter { set.contains(entries[$0].uid, largest: largest) }
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

    /// The UIDs or sequence numbers of the messages that match, ascending.
    private func search(_ key: SearchKey, uid: Bool) -> [UInt64] {
        let evaluator = SearchEvaluator(largestSequence: UInt64(entries.count), largestUID: entries.last?.uid ?? 0)
        var found: [UInt64] = []
        for (index, entry) in entries.enumerated() {
            let candidate = SearchEvaluator.Candidate(
                sequence: UInt64(index + 1), uid: entry.uid, message: entry.message, flags: entry.flags,
                recent: recent.contains(entry.message.id))
            if evaluator.matches(key, candidate) { found.append(uid ? entry.uid : UInt64(index + 1)) }
        }
        return found
    }

    /// The matching messages in SORT order (RFC 5256), as UIDs or sequence numbers.
    private func sort(_ key: SearchKey, by criteria: [SortCriterion], uid: Bool) -> [UInt64] {
        let matching = Set(search(key, uid: false))
        let items = entries.indices.filter { matching.contains(UInt64($0 + 1)) }.map {
            SortOrder.Item(sequence: $0 + 1, message: entries[$0].message)
        }
        return SortOrder.sorted(items, by: criteria).map { uid ? entries[$0.sequence - 1].uid : UInt64($0.sequence) }
    }

    /// `* ESEARCH (TAG "a") UID MIN 1 MAX 9 COUNT 3 ALL 1,4:5` (RFC 4731 §3.1): nothing but the
    /// correlator when nothing matched and COUNT was not asked for; no options means ALL.
    static func esearch(_ found: [UInt64], tag: String, uid: Bool, options: [SearchReturnOption]) -> String {
        let wanted = options.isEmpty ? [.all] : options
        var line = "* ESEARCH (TAG \"\(tag)\")" + (uid ? " UID" : "")
        if let first = found.first, let last = found.last {
            if wanted.contains(.min) { line += " MIN \(first)" }
            if wanted.contains(.max) { line += " MAX \(last)" }
        }
        if wanted.contains(.count) { line += " COUNT \(found.count)" }
        if wanted.contains(.all) && !found.isEmpty { line += " ALL \(uidSet(found))" }
        return line + "\r\n"
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
            case .uid: out.raw("UID \(entry.uid)")
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
            out.raw(uid ? " UID \(entries[index].uid))\r\n" : ")\r\n")
        }
        return "OK \(uid ? "UID " : "")STORE completed"
    }

    /// Removes messages flagged \Deleted (restricted to `uids` for UID EXPUNGE) from the store.
    private mutating func expungeDeleted(uids: SequenceSet?, report: Bool, into out: inout IMAPWriter) -> Int {
        let largest = entries.last?.uid ?? 0
        let doomed = entries.indices.filter { index in
            entries[index].flags.contains(MessageFlags.deleted)
                && (uids.map { $0.contains(entries[index].uid, largest: largest) } ?? true)
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
