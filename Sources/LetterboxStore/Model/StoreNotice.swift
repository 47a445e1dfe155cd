/// Something a store wants its owner to log: what it found at start-up, a file it had to skip.
package struct StoreNotice: Sendable, Hashable, CustomStringConvertible {
    package enum Severity: Sendable, Hashable {
        case info, warning
    }

    package let severity: Severity
    package let message: String

    package init(_ severity: Severity, _ message: String) {
        self.severity = severity
        self.message = message
    }

    package var description: String { message }
}
