/// Counts from outside the store that `GET /metrics` reports: open sessions per protocol and
/// protocol errors across all of them. The server asks for a fresh value on every request.
package struct HTTPMetrics: Sendable, Equatable {
    /// Sessions open now, by protocol name as it should appear in the `protocol` label (`smtp`, `http`…).
    package var sessionsOpen: [String: Int]
    /// Client mistakes answered with a protocol error since start, all protocols together.
    package var protocolErrors: Int
    /// Faults injected since start, by SMTP stage name (`rcpt`, `data`…).
    package var faultsInjected: [String: Int]

    package init(sessionsOpen: [String: Int] = [:], protocolErrors: Int = 0, faultsInjected: [String: Int] = [:]) {
        self.sessionsOpen = sessionsOpen
        self.protocolErrors = protocolErrors
        self.faultsInjected = faultsInjected
    }
}
