/// Why rule text could not be read: one line naming the problem and the text.
public struct FaultRuleSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
}

extension FaultRule {
    /// Reads one rule from text.
    ///
    /// ```
    /// rule    = stage ["=" pattern] ":" action *(" " option)
    /// stage   = "connect" / "helo" / "ehlo" / "auth" / "mail" / "rcpt" / "data" / "bdat"
    /// pattern = address / "@" domain / domain / glob with * and ?      (not for connect, auth)
    /// action  = ["delay" " " duration " "] (reply / "drop")  /  "delay" " " duration
    /// reply   = code [" " enhanced-status] [" " text]                  (code 400-599)
    /// option  = "times=" count / "p=" probability / "seed=" number
    /// duration = number ["ms" / "s" / "m" / "h"]                        (seconds by default)
    /// ```
    /// Words are separated by spaces; options come last; case does not matter except in reply text.
    /// A rule is at most ``maxLength`` octets of printable text (no control characters), and its
    /// reply must fit one SMTP reply line (``FaultReply/maxLineLength``).
    ///
    /// - Throws: ``FaultRuleSyntaxError`` naming the first problem found.
    public init(parsing text: String) throws(FaultRuleSyntaxError) {
        // Before anything is quoted back in an error: a control character would reach the HTTP
        // answer or the log, and a reply text sent verbatim could carry terminal escapes.
        if let control = text.unicodeScalars.first(where: { $0.properties.generalCategory == .control && $0 != "\t" }) {
            let hex = String(control.value, radix: 16, uppercase: true)
            let code = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            let hint = control == "\n" || control == "\r" ? "; a rule is one line of text" : ""
            throw Self.error("control character U+\(code) in the rule\(hint)")
        }
        guard text.utf8.count <= Self.maxLength else {
            throw Self.error("a rule is at most \(Self.maxLength) octets, got \(text.utf8.count)")
        }
        let line = text.trimmingSpaces
        guard !line.isEmpty else { throw Self.error("empty rule; expected e.g. rcpt=bounce@*:550 5.1.1") }
        guard !line.contains(where: \.isNewline) else { throw Self.error("a rule is one line of text") }
        guard let colon = line.firstIndex(of: ":") else {
            throw Self.error(
                "missing ':' between trigger and action in '\(line)'; expected e.g. rcpt=bounce@*:550 5.1.1")
        }
        let trigger = try Self.trigger(String(line[..<colon]).trimmingSpaces)
        var words = line[line.index(after: colon)...].split(separator: " ").map(String.init)
        var times: Int?
        var probability: Double?
        var seed: UInt64?
        while let last = words.last, let equals = last.firstIndex(of: "=") {
            let name = last[..<equals].lowercased()
            let value = String(last[last.index(after: equals)...])
            switch name {
            case "times":
                guard let count = Int(value), count >= 1 else {
                    throw Self.error("times must be a whole number of at least 1, got '\(value)'")
                }
                times = count
            case "p", "probability":
                guard let chance = Double(value), chance > 0, chance <= 1 else {
                    throw Self.error("p must be a probability greater than 0 and at most 1, got '\(value)'")
                }
                probability = chance
            case "seed":
                guard let number = UInt64(value) else {
                    throw Self.error("seed must be a non-negative whole number, got '\(value)'")
                }
                seed = number
            default:
                throw Self.error("unknown option '\(name)'; options are times=, p= and seed=")
            }
            words.removeLast()
        }
        if seed != nil, probability == nil { throw Self.error("seed= only makes sense with p=") }
        let action = try Self.action(words, stage: trigger.stage)
        self.init(trigger, action, times: times, probability: probability, seed: seed)
    }

    private static func trigger(_ text: String) throws(FaultRuleSyntaxError) -> FaultTrigger {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        guard let stage = FaultStage(name: name) else {
            let names = FaultStage.allCases.map(\.rawValue).joined(separator: ", ")
            throw error("unknown stage '\(name)'; expected one of \(names)")
        }
        guard parts.count == 2 else { return FaultTrigger(stage: stage) }
        guard stage.takesPattern else { throw error("\(stage) rules take no address pattern ('\(text)')") }
        guard let pattern = AddressPattern(String(parts[1])) else {
            throw error("'\(parts[1])' is not an address pattern such as ana@example.com, @example.com or bounce@*")
        }
        return FaultTrigger(stage: stage, pattern: pattern)
    }

    private static func action(_ words: [String], stage: FaultStage) throws(FaultRuleSyntaxError) -> FaultAction {
        var words = words[...]
        var delay: Duration?
        if words.first?.lowercased() == "delay" {
            words.removeFirst()
            guard let word = words.popFirst() else { throw error("delay needs a duration such as 500ms or 30s") }
            guard let duration = FaultDuration.parse(word) else {
                throw error("delay must be a duration up to 24h such as 500ms, 30s or 2m, got '\(word)'")
            }
            delay = duration
        }
        guard let first = words.popFirst() else {
            guard delay != nil else {
                throw error("missing action; expected a reply such as 550 5.1.1, drop, or delay 5s")
            }
            return FaultAction(delay: delay, .proceed)
        }
        if first.lowercased() == "drop" {
            guard words.isEmpty else {
                throw error("nothing may follow drop except options, got '\(words.joined(separator: " "))'")
            }
            return FaultAction(delay: delay, .drop)
        }
        guard first.count == 3, let code = Int(first) else {
            throw error("expected a reply code such as 550, drop, or delay, got '\(first)'")
        }
        var enhanced: String?
        if let word = words.first, word.first?.isNumber == true, word.contains(".") {
            enhanced = word
            words.removeFirst()
        }
        if let problem = FaultReply.problem(code: code, enhanced: enhanced) { throw error(problem) }
        let text = words.isEmpty ? nil : words.joined(separator: " ")
        let reply = FaultReply(code, enhanced, text)
        if let text, reply.lineLength > FaultReply.maxLineLength {
            throw error(
                "the reply '\(reply.code) \(reply.sentEnhanced) …' must fit a reply line of at most \(FaultReply.maxLineLength) octets (RFC 5321 §4.5.3.1.5); its text may have \(text.utf8.count - (reply.lineLength - FaultReply.maxLineLength)) octets, got \(text.utf8.count)"
            )
        }
        return FaultAction(delay: delay, .reply(reply))
    }

    /// The longest rule text accepted, in octets: room for an address pattern, a full reply line
    /// and the options.
    public static let maxLength = 1024

    private static func error(_ reason: String) -> FaultRuleSyntaxError { FaultRuleSyntaxError(description: reason) }

    /// Splits a list of rules as `LETTERBOX_FAULTS` holds them: separated by `;` or line breaks;
    /// empty entries and lines starting with `#` are skipped.
    public static func parseList(_ text: String) throws(FaultRuleSyntaxError) -> [FaultRule] {
        var rules: [FaultRule] = []
        for entry in text.split(whereSeparator: { $0 == ";" || $0.isNewline }) {
            let trimmed = String(entry).trimmingSpaces
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            rules.append(try FaultRule(parsing: trimmed))
        }
        return rules
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
