import Foundation

/// Whether a Letterbox child still serves: `GET /healthz` answers 200, and the SMTP, POP3 and
/// IMAP listeners greet a new connection — each within `timeout` seconds.
enum HealthProbe {
    /// nil when healthy, otherwise what failed first.
    static func check(_ server: LetterboxChild, timeout: Double = 5) -> String? {
        if let ending = server.ending { return "server \(ending)" }
        do {
            let health = try BlockingHTTPClient.request("GET", "/healthz", port: server.http, timeout: timeout)
            guard health.status == 200 else {
                return "GET /healthz answered \(health.status) \(health.text.prefix(80))"
            }
        } catch {
            return "\(error)"
        }
        for (name, port, prefix) in [
            ("SMTP", server.smtp, "220"), ("POP3", server.pop3, "+OK"), ("IMAP", server.imap, "* OK"),
        ] {
            do {
                let socket = try PeerSocket(port: port, timeout: timeout)
                guard let line = socket.firstLine() else { return "\(name) sent no greeting within \(timeout) s" }
                guard line.hasPrefix(prefix) else { return "\(name) greeting: \(line.prefix(80))" }
            } catch {
                return "\(name): \(error)"
            }
        }
        if let ending = server.ending { return "server \(ending)" }
        return nil
    }

    /// Seconds from connecting to `port` to the end of the greeting's first line, or nil.
    static func greetingSeconds(port: Int, timeout: Double) -> Double? {
        let start = DispatchTime.now().uptimeNanoseconds
        guard let socket = try? PeerSocket(port: port, timeout: timeout), socket.firstLine() != nil else { return nil }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
