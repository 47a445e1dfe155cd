import Letterbox
import LetterboxNet

/// `letterbox healthcheck`: asks the running server's `GET /healthz` and reports 0 (healthy) or 1.
/// Used by the Docker HEALTHCHECK, so the image needs no curl.
enum HealthCheck {
    static func run(settings: Settings) async -> Int32 {
        guard let port = settings.configuration.httpPort, port != 0 else {
            print("unhealthy: the HTTP listener is off, nothing to probe")
            return 1
        }
        let host =
            ["0.0.0.0", "::", "*", ""].contains(settings.configuration.host) ? "127.0.0.1" : settings.configuration.host
        do {
            let loop = try EventLoopGroup.shared.get().next()
            let connection = try Connection.connect(host: host, port: port, loop: loop, idleTimeout: .seconds(3))
            connection.write("GET /healthz HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
            try await connection.flush()
            let status = String(decoding: try await connection.readLine(maxLength: 1024), as: UTF8.self)
            await connection.close()
            guard status.hasPrefix("HTTP/1.1 200") else {
                print("unhealthy: \(status)")
                return 1
            }
            print("healthy")
            return 0
        } catch {
            print("unhealthy: \(host):\(port): \(error)")
            return 1
        }
    }
}
