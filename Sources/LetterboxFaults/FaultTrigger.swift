/// When a fault rule applies: a stage, and optionally the addresses it is limited to.
///
/// ```swift
/// .rcpt("bounce@example.com")   // RCPT TO:<bounce@example.com>
/// .mail("@spam.example")        // MAIL FROM any address at spam.example
/// .data()                       // the end of every message
/// ```
public struct FaultTrigger: Sendable, Hashable, CustomStringConvertible {
    public let stage: FaultStage
    /// Nil matches every attempt at the stage.
    public let pattern: AddressPattern?

    /// - Precondition: `pattern` is nil unless the stage ``FaultStage/takesPattern``.
    public init(stage: FaultStage, pattern: AddressPattern? = nil) {
        precondition(pattern == nil || stage.takesPattern, "\(stage) rules take no address pattern")
        self.stage = stage
        self.pattern = pattern
    }

    /// The greeting.
    public static let connect = FaultTrigger(stage: .connect)
    /// The AUTH command.
    public static let auth = FaultTrigger(stage: .auth)

    /// HELO/EHLO, optionally only for names matching `pattern`.
    public static func helo(_ pattern: String? = nil) -> FaultTrigger { make(.helo, pattern) }
    /// MAIL FROM, optionally only for senders matching `pattern` (see ``AddressPattern``).
    public static func mail(_ pattern: String? = nil) -> FaultTrigger { make(.mail, pattern) }
    /// RCPT TO, optionally only for recipients matching `pattern` (see ``AddressPattern``).
    public static func rcpt(_ pattern: String? = nil) -> FaultTrigger { make(.rcpt, pattern) }
    /// The end of a message, optionally only when a recipient matches `pattern`.
    public static func data(to pattern: String? = nil) -> FaultTrigger { make(.data, pattern) }

    /// `stage` or `stage=pattern`, as in rule text.
    public var description: String { pattern.map { "\(stage)=\($0)" } ?? "\(stage)" }

    /// A trigger for `stage`; a pattern that is not valid (empty, whitespace) is a programming error.
    private static func make(_ stage: FaultStage, _ pattern: String?) -> FaultTrigger {
        guard let pattern else { return FaultTrigger(stage: stage) }
        guard let parsed = AddressPattern(pattern) else {
            preconditionFailure("'\(pattern)' is not an address pattern (empty or containing spaces)")
        }
        return FaultTrigger(stage: stage, pattern: parsed)
    }

    /// Whether an attempt at `stage` about `subjects` (one address, a HELO name, or every
    /// recipient of a message, each passed through ``AddressPattern/fold(_:)``) matches.
    func matches(_ stage: FaultStage, folded subjects: [[UInt8]]) -> Bool {
        guard stage == self.stage else { return false }
        guard let pattern else { return true }
        return subjects.contains { pattern.matches(folded: $0) }
    }
}
