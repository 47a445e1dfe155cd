package import LetterboxStore

/// Renders the Prometheus text exposition format, version 0.0.4, for `GET /metrics`.
package enum MetricsExposition {
    /// The `Content-Type` of the exposition.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Every metric with its `# HELP` and `# TYPE` lines; sessions are sorted by protocol name.
    package static func render(statistics: StoreStatistics, metrics: HTTPMetrics) -> String {
        var text = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Int)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { text += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        family("letterbox_messages_stored", "gauge", "Messages stored now.", [("", statistics.messages)])
        family("letterbox_bytes_stored", "gauge", "Octets of raw messages stored now.", [("", statistics.bytes)])
        family(
            "letterbox_messages_received_total", "counter", "Messages received since start.",
            [("", statistics.received)])
        family(
            "letterbox_sessions_open", "gauge", "Sessions open now, by protocol.",
            metrics.sessionsOpen.sorted { $0.key < $1.key }.map { ("{protocol=\"\(labelValue($0.key))\"}", $0.value) })
        family(
            "letterbox_protocol_errors_total", "counter",
            "Client mistakes answered with a protocol error since start, all protocols.",
            [("", metrics.protocolErrors)])
        family(
            "letterbox_faults_injected_total", "counter", "Faults injected into SMTP sessions since start, by stage.",
            metrics.faultsInjected.sorted { $0.key < $1.key }.map { ("{stage=\"\(labelValue($0.key))\"}", $0.value) })
        return text
    }

    /// A label value with `\`, `"` and line feeds escaped.
    private static func labelValue(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
