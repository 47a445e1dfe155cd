import Foundation

/// One session of the randomized checker: random commands on shared mailboxes, each reply
/// checked against the ``MailboxModel`` of what this session was told.
///
/// Flags that other sessions change concurrently cannot be predicted, so claims about flags are
/// checked on the one keyword that only this session sets and clears (`$ownN`); others set the
/// shared keywords and system flags at random, which exercises announcing them (FLAGS) and
/// reporting them (FETCH) to everyone.
final class CheckerSession {
    private let number: Int
    private let connection: CheckerConnection
    private var random: CheckerRandom
    private let mailboxes: [String]
    private var model: MailboxModel
    private let ownKeyword: String
    private(set) var commands = 0
    private(set) var disagreements: [String] = []
    private var appended = 0

    static let sharedKeywords = ["$k1", "$k2", "$k3", "$label4"]
    /// A mailbox holding more than this is trimmed (EXPUNGE) rather than grown.
    static let trimAbove = 60

    init(number: Int, port: Int, user: String, password: String, mailboxes: [String], seed: UInt64) throws {
        self.number = number
        self.mailboxes = mailboxes
        random = CheckerRandom(seed: seed &+ UInt64(number) &* 0x9E37_79B9_7F4A_7C15)
        connection = try CheckerConnection(port: port)
        ownKeyword = "$own\(number)"
        model = MailboxModel(name: mailboxes[number % mailboxes.count])
        let login = try connection.command("LOGIN \(user) \(password)")
        guard login.status == "OK" else { throw CheckerConnection.Failure(description: "LOGIN: \(login.tagged)") }
        try select(model.name)
    }

    deinit { connection.logOut() }

    /// Runs one random command and its checks.
    func step() throws {
        let ops: [(weight: Int, run: () throws -> Void)] = [
            (4, noop), (10, append), (22, store), (7, copy), (6, move), (6, expunge), (12, search), (16, fetch),
            (3, idle), (2, reselect),
        ]
        var pick = random.below(ops.reduce(0) { $0 + $1.weight })
        for op in ops {
            if pick < op.weight {
                try op.run()
                return
            }
            pick -= op.weight
        }
    }

    // MARK: Commands

    private func noop() throws { _ = try run("NOOP") }

    private func reselect() throws {
        try select(mailboxes[random.below(mailboxes.count)])
    }

    private func select(_ name: String) throws {
        model = MailboxModel(name: name)
        let reply = try run("SELECT \(name)")
        guard reply.status == "OK" else { return }
        try learnTail()
    }

    /// FETCH (UID FLAGS) of the messages whose UIDs the session does not know yet.
    private func learnTail() throws {
        guard let first = (0..<model.count).first(where: { model.uid(at: $0 + 1) == nil }) else { return }
        _ = try run("FETCH \(first + 1):\(model.count) (UID FLAGS)", sequence: "FETCH")
    }

    private func append() throws {
        let target = random.below(3) == 0 ? mailboxes[random.below(mailboxes.count)] : model.name
        if target == model.name && model.count > Self.trimAbove { return try expunge() }
        appended += 1
        var flags: [String] = []
        if random.below(3) == 0 { flags.append(random.element(Self.sharedKeywords)) }
        if random.below(4) == 0 { flags.append("\\Seen") }
        let body =
            "From: checker@example.com\r\nTo: box@example.com\r\nSubject: session \(number) message \(appended)\r\n\r\nbody \(number)-\(appended)\r\n"
        let reply = try run("APPEND \(target) (\(flags.joined(separator: " ")))", literal: Array(body.utf8))
        // [APPENDUID <validity> <uid>] (RFC 4315 §3): a new message's UID is above every other.
        guard reply.status == "OK", target == model.name, let code = reply.tagged.range(of: "[APPENDUID ") else {
            return
        }
        let fields = reply.tagged[code.upperBound...].split(separator: " ")
        guard fields.count >= 2, let newUID = UInt64(fields[1].prefix { $0.isNumber }) else {
            return disagree("APPEND", "malformed APPENDUID: \(reply.tagged)")
        }
        if let largest = model.largestKnownUID, newUID <= largest {
            disagree(
                "APPEND", "APPENDUID \(newUID) is not above UID \(largest) the session already knows in \(model.name)")
        }
    }

    private func store() throws {
        guard model.count > 0 else { return try append() }
        let useUID = random.below(3) == 0
        let targets = randomNumbers()
        let adding = random.below(2) == 0
        var flags: [String] = []
        let ownChange = random.below(2) == 0
        if ownChange { flags.append(ownKeyword) }
        if random.below(3) == 0 { flags.append(random.element(Self.sharedKeywords)) }
        if random.below(5) == 0 { flags.append("\\Seen") }
        if random.below(8) == 0 { flags.append("\\Flagged") }
        if adding && random.below(6) == 0 { flags.append("\\Deleted") }
        if flags.isEmpty { flags.append(ownKeyword) }
        let set: String
        if useUID {
            let uids = targets.compactMap { model.uid(at: $0) }
            guard !uids.isEmpty else { return try learnTail() }
            set = uids.map(String.init).joined(separator: ",")
        } else {
            set = targets.map(String.init).joined(separator: ",")
        }
        let targetUIDs = targets.compactMap { model.uid(at: $0) }
        let verb = useUID ? "UID STORE" : "STORE"
        let command = "\(verb) \(set) \(adding ? "+" : "-")FLAGS (\(flags.joined(separator: " ")))"
        let reply = try run(command, sequence: useUID ? nil : "STORE")
        guard reply.status == "OK" || reply.status == "NO" else { return }
        // The last FETCH for each changed message shows the change to the keyword only this
        // session sets (an earlier one may be a notice of another session's change). A message no
        // FETCH reported on (expunged meanwhile) has flags the session no longer knows. One whose
        // last FETCH does not show the change may have been expunged meanwhile: a NOOP tells.
        var unchanged: [(uid: UInt64, line: String)] = []
        defer {
            if !unchanged.isEmpty, (try? run("NOOP")) != nil {
                for (uid, line) in unchanged where model.number(of: uid) != nil {
                    disagree(command, "the last FETCH for UID \(uid) was \(line), and it was not expunged")
                }
            }
        }
        for uid in targetUIDs {
            guard let number = model.number(of: uid) else { continue }
            let last = reply.untagged.last {
                $0.contains(" FETCH ") && $0.contains("FLAGS (")
                    && (useUID ? MailboxModel.number(after: "UID", in: $0) == uid : $0.hasPrefix("* \(number) FETCH "))
            }
            guard let last else {
                model.forget(flagsOf: uid)
                continue
            }
            guard flags.contains(ownKeyword), let list = MailboxModel.parenthesized(after: "FLAGS", in: last) else {
                continue
            }
            let has = list.contains { MailboxModel.normalized($0) == MailboxModel.normalized(ownKeyword) }
            if has != adding {
                model.forget(flagsOf: uid)
                unchanged.append((uid, last))
            }
        }
    }

    private func copy() throws {
        guard model.count > 0 else { return try append() }
        let target = random.element(mailboxes.filter { $0 != model.name })
        let set = randomNumbers().map(String.init).joined(separator: ",")
        _ = try run("COPY \(set) \(target)")
    }

    private func move() throws {
        guard model.count > 0 else { return try append() }
        let target = random.element(mailboxes.filter { $0 != model.name })
        let useUID = random.below(2) == 0
        let targets = randomNumbers()
        let uids = targets.compactMap { model.uid(at: $0) }
        let set =
            useUID
            ? uids.map(String.init).joined(separator: ",") : targets.map(String.init).joined(separator: ",")
        guard !set.isEmpty else { return try learnTail() }
        let reply = try run("\(useUID ? "UID MOVE" : "MOVE") \(set) \(target)")
        // RFC 6851 §3.3: every message moved is expunged from the source, and the session told.
        if reply.status == "OK" {
            for uid in uids where model.number(of: uid) != nil {
                disagree("MOVE", "MOVE \(set) answered OK, but UID \(uid) was not expunged: \(reply.untagged)")
            }
        }
    }

    private func expunge() throws {
        guard model.count > 0 else { return try append() }
        if model.count > Self.trimAbove || random.below(3) == 0 {
            let upper = min(model.count, 1 + random.below(10))
            _ = try run("STORE 1:\(upper) +FLAGS (\\Deleted)", sequence: "STORE")
        }
        if random.below(4) == 0, let uid = model.uid(at: 1 + random.below(model.count)) {
            _ = try run("UID EXPUNGE \(uid)")
        } else {
            _ = try run("EXPUNGE")
        }
    }

    private func search() throws {
        let useUID = random.below(2) == 0
        let negate = random.below(3) == 0
        let key = "\(negate ? "UNKEYWORD" : "KEYWORD") \(ownKeyword)"
        model.clearSearch()
        let reply = try run(useUID ? "UID SEARCH \(key)" : "SEARCH \(key)", sequence: useUID ? nil : "SEARCH")
        guard reply.status == "OK", let results = model.searchResults else {
            if reply.status == "OK" { disagree("SEARCH", "SEARCH answered OK without * SEARCH") }
            return
        }
        var found = Set<UInt64>()
        for result in results {
            if useUID {
                found.insert(result)
            } else if result < 1 || result > UInt64(model.count) {
                disagree("SEARCH", "SEARCH \(key) returned \(result), a number the session was not told exists")
            } else if let uid = model.uid(at: Int(result)) {
                found.insert(uid)
            }
        }
        for index in stride(from: 1, through: model.count, by: 1) {
            guard let uid = model.uid(at: index), let flags = model.flags[uid] else { continue }
            let has = flags.contains(MailboxModel.normalized(ownKeyword))
            if found.contains(uid) != (has != negate) {
                disagree(
                    "SEARCH",
                    "\(useUID ? "UID SEARCH" : "SEARCH") \(key) \(found.contains(uid) ? "returned" : "left out") UID \(uid), whose flags the session was told are (\(flags.sorted().joined(separator: " ")))"
                )
            }
        }
    }

    private func fetch() throws {
        guard model.count > 0 else { return try append() }
        switch random.below(4) {
        case 0: try learnTail()
        case 1:
            let set = randomNumbers().map(String.init).joined(separator: ",")
            _ = try run("FETCH \(set) (UID FLAGS)", sequence: "FETCH")
        case 2:
            let uids = randomNumbers().compactMap { model.uid(at: $0) }
            guard !uids.isEmpty else { return try learnTail() }
            _ = try run("UID FETCH \(uids.map(String.init).joined(separator: ",")) (FLAGS)")
        default:
            let at = 1 + random.below(model.count)
            _ = try run("FETCH \(at) (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])", sequence: "FETCH")
        }
    }

    private func idle() throws {
        commands += 1
        let reply = try connection.idle(milliseconds: 20 + random.below(80))
        check(reply, command: "IDLE", context: .other, expect: nil)
    }

    // MARK: Plumbing

    /// Up to three distinct sequence numbers in 1...count, ascending.
    private func randomNumbers() -> [Int] {
        Array(Set((0..<(1 + random.below(3))).map { _ in 1 + random.below(model.count) })).sorted()
    }

    /// Sends a command, checks every response, and returns the reply. `sequence` names a command
    /// during which EXPUNGE is forbidden; `expect` checks each untagged line further.
    @discardableResult
    private func run(
        _ text: String, literal: [UInt8]? = nil, sequence: String? = nil, expect: ((String) -> String?)? = nil
    ) throws -> CheckerConnection.Reply {
        commands += 1
        let reply = try connection.command(text, literal: literal)
        check(reply, command: text, context: sequence.map { .sequenceCommand($0) } ?? .other, expect: expect)
        return reply
    }

    private func check(
        _ reply: CheckerConnection.Reply, command: String, context: MailboxModel.Context,
        expect: ((String) -> String?)?
    ) {
        for line in reply.untagged {
            for problem in model.apply(line, context: context) { disagree(command, problem) }
            if let expect, let problem = expect(line) { disagree(command, problem) }
        }
        switch reply.status {
        case "OK": break
        case "NO" where reply.tagged.contains("[EXPUNGEISSUED]"): break
        default: disagree(command, "answered \(reply.tagged)")
        }
    }

    private func disagree(_ command: String, _ problem: String) {
        disagreements.append("session \(number) in \(model.name), \(command.prefix(80)): \(problem)")
    }
}

/// SplitMix64: a small seeded generator, so a run can be repeated.
struct CheckerRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A number in 0..<bound (bound > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }

    mutating func element<T>(_ array: [T]) -> T { array[below(array.count)] }
}
