import LetterboxMIME
package import LetterboxStore
import LetterboxText
import LetterboxThreads

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The IMAP4rev1 conversation (RFC 3501 §3): not authenticated → authenticated → selected →
/// logout. A parsed command in, response octets out; no socket I/O (the store is read and changed
/// directly, so transcripts can be tested with a ``MemoryStore``).
///
/// Mailboxes are the store's (see ``Mailbox``): INBOX holds every captured message, or for a login
/// that is an address, the mail addressed to it; every other mailbox is shared by all logins
/// (``MessageFilter/view(login:mailbox:)``). UIDs and UIDVALIDITY are per mailbox.
package struct IMAPSession: Sendable {
    /// What the driver does after writing the response.
    package enum Outcome: Sendable, Equatable {
        case proceed
        case close
        /// Enter IDLE (RFC 2177): the continuation was written; wait for `DONE`, sending updates.
        case idle(tag: String)
        /// A SASL response line is expected next (the `+` continuation was written).
        case authenticate
        /// Start TLS now (RFC 3501 §6.2.1), then call ``tlsStarted()``.
        case startTLS
    }

    enum State: Sendable {
        case notAuthenticated
        case authenticated
        case selected
        case logout
    }

    /// A message in the selected mailbox, by sequence number (index + 1).
    struct Entry: Sendable {
        let message: Message
        var flags: MessageFlags
        let uid: UInt64
        /// Its mod-sequence as this session last heard it (RFC 7162).
        var modSeq: UInt64
    }

    /// What this session accepts: credentials, literal size, whether login needs TLS.
    package let configuration: IMAPConfiguration
    let store: any MessageStore
    var state = State.notAuthenticated
    var login = ""
    /// The selected mailbox's canonical name.
    var selected = Mailbox.inbox
    var readOnly = false
    var entries: [Entry] = []
    var recent: Set<UInt64> = []
    /// The keywords this session's client was told of in FLAGS (RFC 3501 §7.2.6), see
    /// `IMAPSession+Keywords.swift`.
    var announcedKeywords: Set<String> = []
    var knownModificationSequence: UInt64 = 0
    /// Whether the last update walked the whole mailbox (see `IMAPSession+Sync.swift`).
    package internal(set) var lastUpdateWalkedMailbox = false
    /// The UIDs `$` stands for (RFC 5182), see `IMAPSession+SearchResult.swift`.
    var savedResult: [UInt64] = []
    /// Live searches (RFC 5267 CONTEXT=SEARCH/SORT), see `IMAPSession+SearchContext.swift`.
    var searchContexts = SearchContexts()
    /// Whether the client enabled UTF8=ACCEPT (RFC 6855), see `IMAPSession+UTF8.swift`.
    var utf8Accepted = false
    /// Whether the client enabled IMAP4rev2 (RFC 9051), see `IMAPSession+Rev2.swift`.
    var imap4rev2 = false
    /// CONDSTORE and QRESYNC, see `IMAPSession+CondStore.swift`.
    var condStore = CondStoreState()
    var pendingAuthenticationTag: String?
    var loginFailures: LoginFailures
    /// Set by a failed login: how long the driver waits before sending the response.
    package private(set) var loginFailureDelay: Duration?
    /// Whether STARTTLS is offered, and whether TLS is in use (implicit, or after STARTTLS).
    private let canStartTLS: Bool
    private var secure: Bool

    /// The capabilities in the current state, from ``IMAPCapability/all``: STARTTLS until TLS is
    /// up and only before login, LOGINDISABLED while login waits for TLS (RFC 3501 §6.2.1, §6.2.3).
    package var capabilities: String {
        IMAPCapability.list(
            authenticated: state != .notAuthenticated, startTLSAvailable: canStartTLS && !secure,
            loginDisabled: configuration.requireTLS && !secure)
    }

    /// A session in the not-authenticated state (RFC 3501 §3.1). `canStartTLS` offers STARTTLS;
    /// `secure` says the connection is already encrypted (implicit TLS, RFC 8314).
    package init(
        configuration: IMAPConfiguration, store: any MessageStore, canStartTLS: Bool = false, secure: Bool = false
    ) {
        self.configuration = configuration
        self.store = store
        self.canStartTLS = canStartTLS
        self.secure = secure
        loginFailures = LoginFailures(policy: configuration.credentials.loginFailures)
    }

    /// Whether a login succeeded (commands may then be larger: ``IMAPCommandBudget``).
    package var isAuthenticated: Bool { state != .notAuthenticated }

    /// TLS is up; the client asks for capabilities again (RFC 3501 §6.2.1).
    package mutating func tlsStarted() {
        secure = true
    }

    /// Why STARTTLS cannot start now, or nil when it can (RFC 3501 §6.2.1: only before login,
    /// only once, only when offered).
    var startTLSRefusal: String? {
        if secure { return "BAD TLS is already active" }
        guard canStartTLS else { return "NO STARTTLS is not available" }
        return state == .notAuthenticated ? nil : "BAD STARTTLS is only valid before login"
    }

    /// The untagged `OK` greeting with the capabilities, so clients need not ask (RFC 3501 §7.1.1).
    package var greeting: [UInt8] { Array("* OK [CAPABILITY \(capabilities)] Letterbox IMAP ready\r\n".utf8) }

    // MARK: Commands

    /// Runs one command and returns the octets to send (untagged data, then the tagged result).
    package mutating func handle(_ tagged: TaggedCommand) async -> (response: [UInt8], outcome: Outcome) {
        await handle(tagged, sink: nil)
    }

    /// ``handle(_:)``, passing a long response (FETCH) to `sink` piece by piece as it is built;
    /// what is returned is the rest of it.
    package mutating func handle(_ tagged: TaggedCommand, sink: IMAPResponseSink?) async
        -> (response: [UInt8], outcome: Outcome)
    {
        var out = IMAPWriter()
        out.sink = sink
        var tagged = tagged
        if state == .selected { tagged.command = resolvingSavedResult(rev2Command(tagged.command)) }
        tagged.command = storeNames(tagged.command)
        let tag = tagged.tag
        var outcome = Outcome.proceed
        condStore.reportedVanished = false
        let result: String
        if let refusal = stateRefusal(tagged.command) {
            result = refusal
        } else if state == .selected && refusesCharset(tagged.searchPreamble) {
            result = "BAD CHARSET is not allowed after ENABLE UTF8=ACCEPT (RFC 6855 §3)"
        } else {
            // Each command runs only in the state it needs (``IMAPCommand/requiredState``).
            switch tagged.command {
            case .capability:
                out.raw("* CAPABILITY \(capabilities)\r\n")
                result = "OK CAPABILITY completed"
            case .noop:
                result = "OK NOOP completed"
            case .check:
                result = "OK CHECK completed"
            case .logout:
                out.raw("* BYE Letterbox IMAP signing off\r\n")
                state = .logout
                outcome = .close
                result = "OK LOGOUT completed"
            case .id:
                out.raw("* ID (\"name\" \"Letterbox\" \"vendor\" \"Letterbox\")\r\n")
                result = "OK ID completed"
            case .starttls:
                guard let refusal = startTLSRefusal else {
                    // The tagged OK goes out in plaintext; the handshake starts right after it.
                    return (Array("\(tag) OK Begin TLS negotiation now\r\n".utf8), .startTLS)
                }
                result = refusal
            case .enable(let names):
                enable(names, into: &out)
                result = "OK ENABLE completed"
            case .login where configuration.requireTLS && !secure,
                .authenticate where configuration.requireTLS && !secure:
                result = "NO [PRIVACYREQUIRED] TLS is required: use STARTTLS first"
            case .login(let user, let password):
                result = logIn(user: user, password: password)
                outcome = afterLogin(into: &out)
            case .authenticate(let mechanism, let initial):
                guard mechanism == "PLAIN" else {
                    result = "NO [CANNOT] unsupported mechanism \(mechanism), use PLAIN"
                    break
                }
                guard let initial else {
                    pendingAuthenticationTag = tag
                    return (Array("+ \r\n".utf8), .authenticate)
                }
                result = authenticatePlain(initial)
                outcome = afterLogin(into: &out)
            case .select(let name, let parameters), .examine(let name, let parameters):
                let readOnly = tagged.command == .examine(name, parameters)
                result = await offTheLoop(into: &out) {
                    $0.select(name, readOnly: readOnly, parameters: parameters, into: &$1)
                }
            case .list(let reference, let pattern), .lsub(let reference, let pattern):
                let verb = tagged.command == .list(reference: reference, pattern: pattern) ? "LIST" : "LSUB"
                list(verb: verb, reference: reference, pattern: pattern, into: &out)
                result = "OK \(verb) completed"
            case .extendedList(let options):
                result =
                    options.status == nil
                    ? extendedList(options, into: &out)
                    : await offTheLoop(into: &out) { $0.extendedList(options, into: &$1) }
            case .status(let name, let items):
                result = await offTheLoop(into: &out) { $0.status(name, items: items, into: &$1) }
            case .namespace:
                out.raw("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n")
                result = "OK NAMESPACE completed"
            case .idle:
                await synchronizeOffTheLoop(into: &out, allowExpunge: true)
                out.raw("+ idling\r\n")
                return (out.bytes, .idle(tag: tag))
            case .create(let name):
                result = completion(of: { () throws(MailboxError) in try store.createMailbox(name) }, "CREATE")
            case .delete(let name):
                // Every message of the mailbox goes (a disk store unlinks each file): off the event loop.
                do throws(MailboxError) {
                    try await store.deleteMailboxOffTheLoop(name)
                    result = "OK DELETE completed"
                } catch {
                    result = Self.no(error)
                }
            case .rename(let old, let new):
                result = await rename(old, to: new)
            case .subscribe(let name), .unsubscribe(let name):
                let subscribe = tagged.command == .subscribe(name)
                result = completion(
                    of: { () throws(MailboxError) in try store.setSubscribed(name, subscribe) },
                    subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE")
            case .append(let mailbox, let flags, let date, let message):
                result = await append(message, to: mailbox, flags: flags, date: date)
            case .extendedAppend(let mailbox, let messages):
                result = await appendAll(messages, to: mailbox)
            case .cancelUpdate(let tags):
                result = cancelUpdates(tags)
            case .unsupported(let name):
                result = "NO [CANNOT] \(name) is not available"
            case .badCharset(let charset):
                let supported = IMAPParser.searchCharsets.joined(separator: " ")
                result = "NO [BADCHARSET (\(supported))] unsupported charset \(charset)"
            case .close:
                if !readOnly { _ = await expungeDeleted(uids: nil, report: false, into: &out) }
                deselect()
                result = "OK CLOSE completed"
            case .unselect:
                deselect()
                result = "OK UNSELECT completed"
            case .expunge, .uidExpunge:
                guard !readOnly else {
                    result = "NO [READ-ONLY] mailbox is read-only"
                    break
                }
                var uids: SequenceSet?
                if case .uidExpunge(let set) = tagged.command { uids = set }
                let (kept, failure) = await expungeDeleted(uids: uids, report: true, into: &out)
                // The messages that went were reported; those that stay make it a NO (RFC 3501
                // §6.4.3), with the code Dovecot gives a failed unlink.
                result =
                    failure.map { Self.no($0) + " (\(kept) of the messages could not be expunged and stay)" }
                    ?? "OK EXPUNGE completed"
            case .search(let key, let uid):
                await synchronizeOffTheLoop(into: &out, allowExpunge: uid)
                // RFC 7162 §3.1.5: a search naming MODSEQ reports the highest mod-sequence found.
                if key.usesModSeq { enableCondStore(into: &out) }
                out.raw(await searchResponse(key, uid: uid, withModSeq: key.usesModSeq))
                result = "OK \(uid ? "UID " : "")SEARCH completed"
            case .sort(let criteria, let key, let uid):
                await synchronizeOffTheLoop(into: &out, allowExpunge: uid)
                out.raw(await sortResponse(key, by: criteria, uid: uid))
                result = "OK \(uid ? "UID " : "")SORT completed"
            case .extendedSearch(_, _, let options) where contextRefusal(tag: tag, options: options) != nil,
                .extendedSort(_, _, _, let options) where contextRefusal(tag: tag, options: options) != nil:
                result = contextRefusal(tag: tag, options: options) ?? ""
            case .extendedSearch(let key, let uid, let options):
                await synchronizeOffTheLoop(into: &out, allowExpunge: uid)
                await extendedSearch(key, uid: uid, options: options, tag: tag, into: &out)
                result = "OK \(uid ? "UID " : "")SEARCH completed"
            case .thread(let algorithm, let key, let uid):
                await synchronizeOffTheLoop(into: &out, allowExpunge: uid)
                out.raw(await threadResponse(key, algorithm: algorithm, uid: uid))
                result = "OK \(uid ? "UID " : "")THREAD completed"
            case .extendedSort(let criteria, let key, let uid, let options):
                await synchronizeOffTheLoop(into: &out, allowExpunge: uid)
                await extendedSort(key, by: criteria, uid: uid, options: options, tag: tag, into: &out)
                result = "OK \(uid ? "UID " : "")SORT completed"
            case .fetch(let set, let attributes, let uid, let modifiers):
                await synchronizeOffTheLoop(into: &out, allowExpunge: uid)
                result = await fetch(set, attributes: attributes, uid: uid, modifiers: modifiers, into: &out)
            case .store(let set, let mode, let flags, let silent, let uid, let unchangedSince):
                await synchronizeOffTheLoop(into: &out, allowExpunge: uid)
                result = await storeFlags(
                    set, mode: mode, flags: flags, silent: silent, uid: uid, unchangedSince: unchangedSince,
                    into: &out)
            case .copy(let set, let mailbox, let uid):
                await synchronizeOffTheLoop(into: &out, allowExpunge: uid)
                result = await copy(set, to: mailbox, uid: uid)
            case .move(let set, let mailbox, let uid):
                await synchronizeOffTheLoop(into: &out, allowExpunge: uid)
                result = await move(set, to: mailbox, uid: uid, into: &out)
            }
        }
        // SELECT and EXAMINE answer with one snapshot: an EXPUNGE after their EXISTS would make a
        // client that takes the count from the response address a number that no longer exists;
        // later changes go out with the next command.
        if state == .selected && outcome == .proceed && !isSequenceSensitive(tagged.command)
            && !isSelection(tagged.command)
        {
            await synchronizeOffTheLoop(into: &out, allowExpunge: true)
        }
        forgetSavedResult(after: result, tagged.searchPreamble)
        if state == .selected && outcome == .proceed { await updateSearchContexts(into: &out) }
        out.raw("\(tag) \(completion(result))\r\n")
        return (out.bytes, outcome)
    }

    /// FETCH, STORE and SEARCH by sequence number must not see EXPUNGE responses (RFC 3501 §7.4.1).
    func isSequenceSensitive(_ command: IMAPCommand) -> Bool {
        switch command {
        case .fetch(_, _, let uid, _), .store(_, _, _, _, let uid, _), .search(_, let uid),
            .extendedSearch(_, let uid, _), .sort(_, _, let uid), .extendedSort(_, _, let uid, _),
            .thread(_, _, let uid):
            return !uid
        default: return false
        }
    }

    /// SELECT and EXAMINE, whose response is one snapshot of the mailbox (RFC 3501 §6.3.1).
    func isSelection(_ command: IMAPCommand) -> Bool {
        switch command {
        case .select, .examine: return true
        default: return false
        }
    }

    /// Answers the SASL response that follows `AUTHENTICATE PLAIN` without an initial response;
    /// the outcome is ``Outcome/close`` after too many failed logins.
    package mutating func continueAuthentication(_ line: [UInt8]) -> (response: [UInt8], outcome: Outcome) {
        let tag = pendingAuthenticationTag ?? "*"
        pendingAuthenticationTag = nil
        let text = String(decoding: line, as: UTF8.self)
        let result = text.trimmingWhitespace() == "*" ? "BAD AUTHENTICATE cancelled" : authenticatePlain(text)
        var out = IMAPWriter()
        let outcome = afterLogin(into: &out)
        out.raw("\(tag) \(result)\r\n")
        return (out.bytes, outcome)
    }

    /// Ends the AUTHENTICATE exchange whose SASL response was longer than a command may be before
    /// login (``IMAPConfiguration/maxCommandBytesBeforeLogin``); returns the tagged `BAD`.
    package mutating func abandonAuthentication() -> String {
        let tag = pendingAuthenticationTag ?? "*"
        pendingAuthenticationTag = nil
        return "\(tag) BAD [TOOBIG] SASL response exceeds \(IMAPConfiguration.maxCommandBytesBeforeLogin) octets\r\n"
    }

    /// The updates to send while idling (new mail, expunges, flag changes).
    package mutating func idleUpdates() -> [UInt8] {
        guard state == .selected else { return [] }
        var out = IMAPWriter()
        synchronize(into: &out, allowExpunge: true)
        return out.bytes
    }

    // MARK: Login

    mutating func logIn(user: String, password: String) -> String {
        guard configuration.credentials.accepts(user: user, password: password) else {
            return loginFailed("NO [AUTHENTICATIONFAILED] invalid user name or password")
        }
        state = .authenticated
        login = user
        return "OK [CAPABILITY \(capabilities)] logged in"
    }

    mutating func authenticatePlain(_ response: String) -> String {
        switch SASLPlain.decode(response) {
        case .failure(.authorization): return loginFailed("NO [AUTHORIZATIONFAILED] \(SASLPlain.Failure.authorization)")
        case .failure(let failure): return "BAD \(failure.description)"
        case .success(let plain): return logIn(user: plain.user, password: plain.password)
        }
    }

    /// Counts a failed login (``LoginFailurePolicy``): the response waits ``loginFailureDelay``,
    /// and the last failure allowed ends the session (see ``afterLogin(into:)``).
    private mutating func loginFailed(_ result: String) -> String {
        let verdict = loginFailures.record()
        loginFailureDelay = verdict.delay > .zero ? verdict.delay : nil
        if verdict.closesSession { state = .logout }
        return result
    }

    /// After LOGIN or AUTHENTICATE: once failed logins closed the session, an untagged BYE
    /// (RFC 3501 §7.1.5) goes before the tagged `NO`, as in LOGOUT, and the connection closes.
    private mutating func afterLogin(into out: inout IMAPWriter) -> Outcome {
        guard state == .logout else { return .proceed }
        out.raw("* BYE Too many failed logins, closing connection\r\n")
        return .close
    }

    /// The delay a failed login asked for, once: the driver waits it before sending the response.
    package mutating func takeLoginFailureDelay() -> Duration? {
        defer { loginFailureDelay = nil }
        return loginFailureDelay
    }

    /// System flags, then `\Recent`, then keywords: the order Dovecot writes them in.
    static func flagNames(_ flags: MessageFlags, recent: Bool) -> [String] {
        var names = flags.sorted
        if recent { names.insert("\\Recent", at: names.firstIndex { !$0.hasPrefix("\\") } ?? names.endIndex) }
        return names
    }

    // MARK: Messages

    /// The indexes a sequence set names, by sequence number or by UID.
    func indexes(_ set: SequenceSet, uid: Bool) -> [Int] {
        guard !entries.isEmpty else { return [] }
        if uid {
            // UIDs ascend with sequence numbers: each range of the set is found by binary search,
            // so `UID FETCH 7` costs what it names, not a pass over the whole view on the event loop.
            var found: [Int] = []
            for range in ResolvedSequenceSet(set, largest: entries.last?.uid ?? 0).ranges {
                let start = entries.partitioningIndex { $0.uid >= range.lowerBound }
                let end = entries[start...].partitioningIndex { $0.uid > range.upperBound }
                found.append(contentsOf: start..<end)
            }
            return found
        }
        return ResolvedSequenceSet(set, largest: UInt64(entries.count)).indexes(upTo: entries.count)
    }

    func sequenceSetIsValid(_ set: SequenceSet) -> Bool {
        set.ranges.allSatisfy { low, high in
            [low, high].allSatisfy { bound in
                if case .number(let value) = bound { return value <= entries.count }
                return true
            }
        }
    }

    mutating func fetch(
        _ set: SequenceSet, attributes requested: [FetchAttribute], uid: Bool, modifiers: FetchModifiers,
        into out: inout IMAPWriter
    ) async -> String {
        guard uid || sequenceSetIsValid(set) else { return "BAD invalid message sequence number" }
        if let bad = prepareFetch(set, attributes: requested, modifiers: modifiers, into: &out) { return bad }
        let attributes = fetchAttributes(requested, modifiers: modifiers)
        var targets = indexes(set, uid: uid)
        // RFC 7162 §3.1.4.1: only the messages changed since the client's mod-sequence.
        if let since = modifiers.changedSince { targets.removeAll { entries[$0].modSeq <= since } }
        let marksSeen =
            !readOnly
            && attributes.contains { attribute in
                switch attribute {
                case .bodySection(_, _, let peek), .binary(_, _, let peek): return !peek
                case .rfc822, .rfc822Text: return true
                default: return false
                }
            }
        let readsContent = attributes.contains { attribute in
            switch attribute {
            case .uid, .flags, .internalDate, .rfc822Size, .modSeq: return false
            default: return true
            }
        }
        var unreadable: StoreError?
        var expunged = false
        var unknownEncoding = false
        // Why \Seen could not be set on a message that was read (a file that cannot be renamed).
        var unmarked: StoreError?
        for (number, chunk) in Self.fetchChunks(targets, size: { [entries] in entries[$0].message.size })
            .enumerated()
        {
            // Bounded slices: between chunks, the other connections of this event loop get a turn.
            if number > 0 { await Task.yield() }
            // A disk store's files are read off the event loop, a chunk at a time, and rendered
            // from what was read.
            let contents = readsContent ? await Message.load(chunk.map { entries[$0].message }) : nil
            // \Seen set in one change per chunk (a disk store renames each file on its threads),
            // on the messages that were read and lack it.
            let unseen = chunk.enumerated().filter { position, index in
                if case .failure = contents?[position] { return false }
                return marksSeen && !entries[index].flags.contains(MessageFlags.seen)
            }
            let marked =
                unseen.isEmpty
                ? FlagChangeResult()
                : await store.changeFlagsOffTheLoop(
                    .add(MessageFlags([MessageFlags.seen])), ids: unseen.map { entries[$0.element].message.id })
            var items: [FetchItem] = []
            for (position, index) in chunk.enumerated() {
                var views: MessageViews?
                if let contents {
                    // A message another session expunged (its file is gone), or a file another
                    // program removed: no FETCH for it, NO at the end (RFC 5530 EXPUNGEISSUED).
                    switch contents[position] {
                    case .success(let read):
                        views = read
                        if Self.refusesBinary(attributes, read, entries[index].message) {
                            unknownEncoding = true
                            continue
                        }
                    case .failure(let error):
                        if store.message(id: entries[index].message.id) == nil {
                            expunged = true
                        } else {
                            unreadable = error
                        }
                        continue
                    }
                }
                var flagsChanged = false
                if marksSeen && !entries[index].flags.contains(MessageFlags.seen) {
                    let id = entries[index].message.id
                    if let flags = marked.changed[id] {
                        entries[index].flags = flags
                        refreshModSeqs([index])
                        flagsChanged = true
                    } else if let failure = marked.failed[id] {
                        unmarked = failure
                    }
                }
                items.append(
                    FetchItem(
                        sequence: index + 1, entry: entries[index], recent: recent.contains(entries[index].message.id),
                        views: views, includeFlags: flagsChanged, condStore: condStore.enabled,
                        downgradesUTF8: !answersInUTF8))
            }
            for item in items {
                // Rendering reads as much as the message holds (a part tree, a header section of
                // megabytes): a large message is rendered on the store's reading threads.
                if contents != nil && item.entry.message.size > Self.renderOnLoopLimit {
                    out.raw(
                        await BlockingPool.offload {
                            var rendered = IMAPWriter()
                            Self.render(item, attributes: attributes, into: &rendered)
                            return rendered.bytes
                        })
                } else {
                    Self.render(item, attributes: attributes, into: &out)
                }
                // What is built goes to the connection once it passes ``IMAPWriter/handOffSize``,
                // and the command waits while the peer is slow to read it.
                guard await out.handOffIfFull() else {
                    return "NO [UNAVAILABLE] FETCH stopped: the connection failed"
                }
            }
        }
        // The store error's reason, never its description: that names server paths.
        if let unreadable { return "NO some messages could not be read: \(unreadable.reason)" }
        if unknownEncoding { return "NO [UNKNOWN-CTE] a part has a Content-Transfer-Encoding Letterbox cannot decode" }
        // Messages removed since this session was told of them keep their numbers until the
        // EXPUNGE goes out; their bytes are gone (RFC 2180 §4.1.2, RFC 5530 §3).
        if expunged { return "NO [EXPUNGEISSUED] some of the requested messages no longer exist" }
        if let unmarked { return Self.no(unmarked) + " (\\Seen could not be set)" }
        return "OK \(uid ? "UID " : "")FETCH completed"
    }

    /// Messages a STORE answers between two turns of the event loop.
    static let storeSlice = 512

    /// Messages up to this size are rendered on the event loop (in chunks, with turns between).
    static let renderOnLoopLimit = 256 * 1024

    /// One message's place in a FETCH response, with what rendering it needs.
    struct FetchItem: Sendable {
        let sequence: Int
        let entry: Entry
        let recent: Bool
        let views: MessageViews?
        let includeFlags: Bool
        /// CONDSTORE is enabled: a FLAGS added by \Seen comes with MODSEQ (RFC 7162 §3.1).
        var condStore = false
        /// The client did not enable UTF8=ACCEPT: header text goes out in ASCII (``HeaderDowngrade``).
        var downgradesUTF8 = false
    }

    /// `* n FETCH (…)` for one item.
    static func render(_ item: FetchItem, attributes: [FetchAttribute], into out: inout IMAPWriter) {
        out.raw("* \(item.sequence) FETCH (")
        writeFetch(
            attributes, of: item.entry, recent: item.recent, views: item.views, includeFlags: item.includeFlags,
            condStore: item.condStore, downgradesUTF8: item.downgradesUTF8, into: &out)
        out.raw(")\r\n")
    }

    /// Consecutive runs of `indexes` of at most 64 messages and 8 MiB by `size` (a run holds one
    /// message however big), so FETCH holds few messages' bytes besides its response.
    package static func fetchChunks(_ indexes: [Int], size: (Int) -> Int) -> [ArraySlice<Int>] {
        var chunks: [ArraySlice<Int>] = []
        var start = indexes.startIndex
        var bytes = 0
        for position in indexes.indices {
            let octets = size(indexes[position])
            if position > start && (position - start == 64 || bytes + octets > 8 << 20) {
                chunks.append(indexes[start..<position])
                (start, bytes) = (position, 0)
            }
            bytes += octets
        }
        if start < indexes.endIndex { chunks.append(indexes[start...]) }
        return chunks
    }

    /// The FETCH response items for one message; `views` are its bytes and parsed parts when
    /// `attributes` ask for content.
    static func writeFetch(
        _ attributes: [FetchAttribute], of entry: Entry, recent: Bool, views: MessageViews?, includeFlags: Bool,
        condStore: Bool = false, downgradesUTF8: Bool = false, into out: inout IMAPWriter
    ) {
        let message = entry.message
        var renderer: MessageRenderer?
        func rendered() -> MessageRenderer {
            if let renderer { return renderer }
            // `fetch` reads the views whenever an attribute asks for content.
            let made = MessageRenderer(views ?? .empty, canonicalSize: message.canonicalSize)
            made.downgradesUTF8 = downgradesUTF8
            renderer = made
            return made
        }
        var items = attributes
        if includeFlags && !items.contains(.flags) { items.append(.flags) }
        if includeFlags && condStore && !items.contains(.modSeq) { items.append(.modSeq) }
        for (position, attribute) in items.enumerated() {
            if position > 0 { out.raw(" ") }
            switch attribute {
            case .uid:
                out.raw("UID ")
                out.number(entry.uid)
            case .modSeq:
                out.raw("MODSEQ (")
                out.number(entry.modSeq)
                out.raw(")")
            case .flags:
                out.raw("FLAGS ")
                out.flags(Self.flagNames(entry.flags, recent: recent))
            case .internalDate: out.raw("INTERNALDATE \"\(IMAPDate.internalDate(message.envelope.receivedAt))\"")
            case .rfc822Size:
                out.raw("RFC822.SIZE ")
                out.number(message.canonicalSize)
            case .envelope:
                out.raw("ENVELOPE ")
                let envelope = views?.imapEnvelope ?? message.headerEnvelope
                MessageRenderer.envelope(envelope, downgradesUTF8: downgradesUTF8, into: &out)
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
            case .binary, .binarySize: rendered().binary(attribute, into: &out)
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
            parts.append(
                (not ? "HEADER.FIELDS.NOT" : "HEADER.FIELDS") + " ("
                    + names.map { $0.uppercased() }.joined(separator: " ") + ")")
        }
        return parts.joined(separator: ".")
    }

    mutating func storeFlags(
        _ set: SequenceSet, mode: StoreMode, flags: MessageFlags, silent: Bool, uid: Bool, unchangedSince: UInt64?,
        into out: inout IMAPWriter
    ) async -> String {
        guard !readOnly else { return "NO [READ-ONLY] mailbox is read-only" }
        guard uid || sequenceSetIsValid(set) else { return "BAD invalid message sequence number" }
        if mode != .remove, let refusal = keywordRefusal(flags, in: selected) { return refusal }
        var targets = indexes(set, uid: uid)
        let update: FlagUpdate = mode == .replace ? .replace(flags) : mode == .add ? .add(flags) : .remove(flags)
        let ids = targets.map { entries[$0].message.id }
        // A disk store renames a file per message: on its threads, not the event loop's.
        let outcome: FlagChangeResult
        // RFC 7162 §3.1.3: a message changed since UNCHANGEDSINCE keeps its flags and is named in
        // MODIFIED; the others are stored. The store judges and changes in one step, so another
        // session's change cannot slip in between.
        var modified: Set<Int> = []
        if let unchangedSince {
            enableCondStore(into: &out)
            outcome = await store.changeFlagsOffTheLoop(update, ids: ids, unchangedSince: unchangedSince)
            modified = Set(targets.filter { outcome.modified.contains(entries[$0].message.id) })
            targets.removeAll { modified.contains($0) }
        } else {
            outcome = await store.changeFlagsOffTheLoop(update, ids: ids)
        }
        let changed = outcome.changed
        // Even with .SILENT: a later FETCH may show the keyword (RFC 3501 §7.2.6). Every keyword
        // a FETCH below shows, not only those of this STORE: another session may have set one on
        // the message meanwhile that this session has not heard of yet.
        if !changed.isEmpty { announceKeywords(changed.values.joined(), into: &out) }
        for (number, index) in targets.enumerated() {
            // Bounded slices, as FETCH: `STORE 1:*` over a large mailbox answers every message
            // (and reads each one's mod-sequence); between slices what is built goes to the
            // connection and the other connections of this event loop get a turn.
            if number > 0 && number.isMultiple(of: Self.storeSlice) {
                guard await out.handOffIfFull() else { return "NO [UNAVAILABLE] STORE stopped: the connection failed" }
                await Task.yield()
            }
            let id = entries[index].message.id
            guard let flags = changed[id] else { continue }
            let before = entries[index].modSeq
            entries[index].flags = flags
            refreshModSeqs([index])
            // With .SILENT, a CONDSTORE client still hears of the new mod-sequence (RFC 7162 §3.1.3).
            guard !silent || (condStore.enabled && entries[index].modSeq != before) else { continue }
            writeFlagUpdate(at: index, uid: uid, flags: !silent, into: &out)
        }
        // STORE is per message (RFC 3501 §6.4.6): those changed were answered above; the others
        // keep their flags, and the NO says why.
        if let failure = outcome.failed.min(by: { $0.key < $1.key })?.value {
            return Self.no(failure) + " (\(outcome.failed.count) of \(targets.count) messages keep their flags)"
        }
        if !modified.isEmpty {
            let numbers = modified.sorted().map { uid ? entries[$0].uid : UInt64($0 + 1) }
            return "OK [MODIFIED \(Self.uidSet(numbers))] Conditional \(uid ? "UID " : "")STORE failed"
        }
        return "OK \(uid ? "UID " : "")STORE completed"
    }

    /// Removes messages flagged \Deleted (restricted to `uids` for UID EXPUNGE) from the store;
    /// returns why some stay (a file that cannot be deleted), if any did. Only the messages that
    /// went are reported and leave the session's view; another session's removal meanwhile is
    /// reported at the next synchronization.
    mutating func expungeDeleted(uids: SequenceSet?, report: Bool, into out: inout IMAPWriter) async -> (
        kept: Int, failure: StoreError?
    ) {
        // The set resolved once (a client may send 100,000 ranges), and the view rebuilt in one pass.
        let named = uids.map { ResolvedSequenceSet($0, largest: entries.last?.uid ?? 0) }
        let doomed = entries.indices.filter { index in
            entries[index].flags.contains(MessageFlags.deleted) && (named?.contains(entries[index].uid) ?? true)
        }
        // A disk store unlinks a file per message: on its threads, not the event loop's.
        let outcome = await store.removeEachOffTheLoop(ids: doomed.map { entries[$0].message.id })
        let removed = outcome.removed
        // Reporting and dropping what went grow with it (and the view is rebuilt): beyond a slice
        // of messages, on an indexing thread, as a walk of the mailbox is.
        if removed.count > Self.storeSlice {
            await offTheLoop(into: &out) { $0.dropExpunged(doomed, removed: removed, report: report, into: &$1) }
        } else {
            dropExpunged(doomed, removed: removed, report: report, into: &out)
        }
        return (outcome.kept.count, outcome.kept.min(by: { $0.key < $1.key })?.value)
    }

    /// Reports (with `report`) and drops from the view the messages at `doomed` whose ids the
    /// store `removed`.
    private mutating func dropExpunged(_ doomed: [Int], removed: [UInt64], report: Bool, into out: inout IMAPWriter) {
        let removed = Set(removed)
        // By position, not by id: a message moved away and back (same id, new UID) can be in the
        // view twice until the old entry's EXPUNGE goes out, and only what is reported may leave.
        let gone = Set(doomed.filter { removed.contains(entries[$0].message.id) })
        if report { writeExpunged(Array(gone), into: &out) }
        for index in gone { recent.remove(entries[index].message.id) }
        entries = entries.indices.filter { !gone.contains($0) }.map { entries[$0] }
    }
}
