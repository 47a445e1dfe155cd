import LetterboxHTTP
import LetterboxStore
import Testing

@Suite("Metrics")
struct MetricsExpositionTests {
    @Test("GET /metrics exposes store counts, sessions per protocol and protocol errors")
    func metrics() async throws {
        let store = try await Fixtures.store()
        store.remove(ids: [1])
        let router = HTTPRouter(store: store) {
            HTTPMetrics(sessionsOpen: ["smtp": 2, "http": 1, "imap": 0], protocolErrors: 7)
        }
        let response = try await router.get("/metrics")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let lines = response.bodyText.split(separator: "\n").map(String.init)
        let bytes = Fixtures.invoice.count + Fixtures.newsletter.count
        let samples = lines.filter { !$0.hasPrefix("#") }
        #expect(
            samples == [
                "letterbox_messages_stored 2",
                "letterbox_bytes_stored \(bytes)",
                "letterbox_messages_received_total 3",
                "letterbox_sessions_open{protocol=\"http\"} 1",
                "letterbox_sessions_open{protocol=\"imap\"} 0",
                "letterbox_sessions_open{protocol=\"smtp\"} 2",
                "letterbox_protocol_errors_total 7",
            ])
        for (name, type) in [
            ("letterbox_messages_stored", "gauge"), ("letterbox_bytes_stored", "gauge"),
            ("letterbox_messages_received_total", "counter"), ("letterbox_sessions_open", "gauge"),
            ("letterbox_protocol_errors_total", "counter"),
        ] {
            #expect(lines.contains("# TYPE \(name) \(type)"))
            #expect(lines.contains { $0.hasPrefix("# HELP \(name) ") })
        }
    }

    @Test("label values are escaped")
    func escaping() {
        let text = MetricsExposition.render(
            statistics: MemoryStore().statistics, metrics: HTTPMetrics(sessionsOpen: ["a\"b\\c\nd": 1]))
        #expect(text.contains(#"letterbox_sessions_open{protocol="a\"b\\c\nd"} 1"#))
    }
}
