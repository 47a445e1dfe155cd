/// Something a store wants its owner to log: what it found at start-up, a file it had to skip.
public struct StoreNotice: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: Sendable, Hashable {
        case info, warning
    }

    public let severity: Severity
    public let message: String

    public init(_ severity: Severity, _ message: String) {
        self.severity = severity
        self.message = message
    }

    public var description: String { message }
}
