import Foundation

/// What one IMAP session has been told about its selected mailbox, and only that: the messages
/// by sequence number (their UIDs once a FETCH said them), their flags once a FETCH said them,
/// and the flags announced by `* FLAGS`. Every untagged response is checked against it before
/// it is applied (RFC 3501 §7); a contradiction is a disagreement.
struct MailboxModel {
    /// What the session was doing when a response came: EXPUNGE is forbidden during FETCH,
    /// STORE and SEARCH by sequence number (RFC 3501 §7.4.1), allowed during their UID forms.
    enum Context: Equatable {
        case sequenceCommand(String)
        case other
    }

    let name: String
    /// UIDs by sequence number minus one; nil until a FETCH told it.
    private(set) var uids: [UInt64?] = []
    /// Flags by UID, as last told; keywords lowercased (they are case-insensitive, RFC 3501 §2.3.2).
    private(set) var flags: [UInt64: Set<String>] = [:]
    /// The flags and keywords of the last `* FLAGS` response, lowercased.
    private(set) var announced: Set<String> = []
    /// UIDs expunged (or moved away) while the session watched.
    private(set) var expunged: Set<UInt64> = []
    /// The results of the last `* SEARCH` response.
    private(set) var searchResults: [UInt64]?

    init(name: String) { self.name = name }

    var count: Int { uids.count }

    /// The UID of sequence number `number` (1-based), if known.
    func uid(at number: Int) -> UInt64? {
        number >= 1 && number <= uids.count ? uids[number - 1] : nil
    }

    /// The sequence number of `uid`, if it is in the view.
    func number(of uid: UInt64) -> Int? {
        uids.firstIndex(of: uid).map { $0 + 1 }
    }

    var largestKnownUID: UInt64? { uids.compactMap { $0 }.max() }

    mutating func forget(flagsOf uid: UInt64) { flags[uid] = nil }

    mutating func clearSearch() { searchResults = nil }

    /// Applies one untagged response line; returns the disagreements it shows.
    mutating func apply(_ line: String, context: Context) -> [String] {
        let words = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
        guard words.count >= 2, words[0] == "*" else { return [] }
        if let number = Int(words[1]), words.count >= 3 {
            switch words[2].uppercased() {
            case "EXISTS": return exists(number)
            case "EXPUNGE": return expunge(number, context: context)
            case "FETCH": return fetch(number, line)
            default: return []
            }
        }
        switch words[1].uppercased() {
        case "FLAGS":
            announced = Set(Self.parenthesized(after: "FLAGS", in: line)?.map(Self.normalized) ?? [])
            return []
        case "SEARCH":
            searchResults = words.dropFirst(2).flatMap { $0.split(separator: " ") }.compactMap { UInt64($0) }
            return []
        case "BYE":
            return ["unexpected BYE: \(line)"]
        default:
            return []
        }
    }

    private mutating func exists(_ number: Int) -> [String] {
        guard number >= uids.count else {
            return ["* \(number) EXISTS after the session was told of \(uids.count) messages (EXISTS never shrinks)"]
        }
        uids += Array(repeating: nil, count: number - uids.count)
        return []
    }

    private mutating func expunge(_ number: Int, context: Context) -> [String] {
        var problems: [String] = []
        if case .sequenceCommand(let command) = context {
            problems.append("* \(number) EXPUNGE sent during \(command) (RFC 3501 §7.4.1 forbids it)")
        }
        guard number >= 1 && number <= uids.count else {
            return problems + ["* \(number) EXPUNGE of a message the session was not told exists (\(uids.count) known)"]
        }
        if let uid = uids[number - 1] {
            expunged.insert(uid)
            flags[uid] = nil
        }
        uids.remove(at: number - 1)
        return problems
    }

    private mutating func fetch(_ number: Int, _ line: String) -> [String] {
        guard number >= 1 && number <= uids.count else {
            return ["* \(number) FETCH of a sequence number the session was not told exists (\(uids.count) known)"]
        }
        var problems: [String] = []
        if let uid = Self.number(after: "UID", in: line) {
            if let known = uids[number - 1], known != uid {
                problems.append("* \(number) FETCH says UID \(uid), but it was told UID \(known)")
            } else {
                let lower = uids[..<(number - 1)].compactMap { $0 }.last
                let higher = uids[number...].compactMap { $0 }.first
                if let lower, lower >= uid {
                    problems.append("UIDs not ascending: * \(number) FETCH (UID \(uid)) after UID \(lower)")
                } else if let higher, higher <= uid {
                    problems.append("UIDs not ascending: * \(number) FETCH (UID \(uid)) before UID \(higher)")
                } else if expunged.contains(uid) {
                    problems.append("* \(number) FETCH (UID \(uid)) of a UID expunged earlier")
                } else {
                    uids[number - 1] = uid
                }
            }
        }
        if let list = Self.parenthesized(after: "FLAGS", in: line) {
            let set = Set(list.map(Self.normalized))
            let unannounced = set.filter { !$0.hasPrefix("\\") && !announced.contains($0) }
            if !unannounced.isEmpty {
                problems.append(
                    "* \(number) FETCH FLAGS has \(unannounced.sorted().joined(separator: " ")), never announced in FLAGS (RFC 3501 §7.2.6)"
                )
            }
            if let uid = uids[number - 1] { flags[uid] = set }
        }
        return problems
    }

    /// Keywords compared ignoring case; system flags as written (`\Seen`), also ignoring case.
    static func normalized<S: StringProtocol>(_ flag: S) -> String { flag.lowercased() }

    /// The number after `name ` in a FETCH line (`UID 42`).
    static func number(after name: String, in line: String) -> UInt64? {
        guard let range = line.range(of: " \(name) ") ?? line.range(of: "(\(name) ") else { return nil }
        return UInt64(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// The atoms of the parenthesized list after `name ` (`FLAGS (\Seen $k1)`).
    static func parenthesized(after name: String, in line: String) -> [Substring]? {
        guard let range = line.range(of: "\(name) (") else { return nil }
        let rest = line[range.upperBound...]
        guard let close = rest.firstIndex(of: ")") else { return nil }
        return rest[..<close].split(separator: " ")
    }
}
