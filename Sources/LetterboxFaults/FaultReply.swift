/// A failure reply a fault sends instead of the server's own: a 4xx or 5xx code, an RFC 3463
/// enhanced status code, and optional text.
public struct FaultReply: Sendable, Hashable, CustomStringConvertible {
    /// 400–599.
    public let code: Int
    /// e.g. `5.1.1`; when nil, `4.0.0` or `5.0.0` is sent (RFC 3463 §3: "other undefined status").
    public let enhanced: String?
    /// The text after the codes; when nil, a text naming the fault is sent.
    public let text: String?

    /// - Precondition: `code` is 400–599 and `enhanced`, when given, is a valid status of the
    ///   same class (`5.x.x` with a 5xx code). Rule text is validated by ``FaultRule/init(parsing:)``.
    public init(_ code: Int, _ enhanced: String? = nil, _ text: String? = nil) {
        precondition(
            Self.problem(code: code, enhanced: enhanced) == nil, Self.problem(code: code, enhanced: enhanced) ?? "")
        self.code = code
        self.enhanced = enhanced
        self.text = text
    }

    /// The enhanced status actually sent.
    public var sentEnhanced: String { enhanced ?? "\(code / 100).0.0" }

    /// The longest reply line, in octets, code and CRLF included (RFC 5321 §4.5.3.1.5).
    public static let maxLineLength = 512

    /// Octets of the reply line as sent with the rule's own text: `code SP enhanced SP text CRLF`.
    var lineLength: Int { 3 + 1 + sentEnhanced.utf8.count + 1 + (text?.utf8.count ?? 0) + 2 }

    /// `550 5.1.1 text`, as in rule text.
    public var description: String {
        [String(code), enhanced, text].compactMap { $0 }.joined(separator: " ")
    }

    /// Why a code and enhanced status cannot form a fault reply, or nil when they can.
    static func problem(code: Int, enhanced: String?) -> String? {
        guard (400...599).contains(code) else { return "reply code must be 400-599, got \(code)" }
        guard let enhanced else { return nil }
        let parts = enhanced.split(separator: ".", omittingEmptySubsequences: false)
        // RFC 3463 §2: class "." subject "." detail; subject 1-3 digits, detail 1-3 digits.
        guard parts.count == 3, parts.allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isASCIIDigit) })
        else { return "enhanced status must look like 5.1.1, got '\(enhanced)'" }
        guard parts[0] == Substring(String(code / 100)) else {
            return "enhanced status \(enhanced) does not match the class of reply code \(code)"
        }
        return nil
    }
}

extension FaultReply {
    /// `421 4.3.2`: service not available; the server closes the connection (RFC 5321 §3.8).
    public static let serviceUnavailable = FaultReply(421, "4.3.2")
    /// `450 4.2.1`: mailbox temporarily unavailable (greylisting-style).
    public static let mailboxBusy = FaultReply(450, "4.2.1")
    /// `451 4.3.0`: local error in processing; try again later.
    public static let localError = FaultReply(451, "4.3.0")
    /// `452 4.2.2`: mailbox full / insufficient storage.
    public static let insufficientStorage = FaultReply(452, "4.2.2")
    /// `535 5.7.8`: authentication credentials invalid (RFC 4954 §6).
    public static let authenticationFailed = FaultReply(535, "5.7.8")
    /// `550 5.1.1`: bad destination mailbox (the classic bounce).
    public static let mailboxUnavailable = FaultReply(550, "5.1.1")
    /// `552 5.3.4`: message too big.
    public static let messageTooBig = FaultReply(552, "5.3.4")
    /// `554 5.7.1`: rejected by policy.
    public static let rejected = FaultReply(554, "5.7.1")
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
