import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `letterbox-bench inbox`: the web inbox's figures (issue #18) against the `letterbox`
/// executable as a child, in headless Chromium driven over WebDriver (``WebDriverSession``):
///
/// - the assets `GET /` (`Accept: text/html`) pulls, in all (goal ≤ 100 KB), and the server time
///   of a first load: request to last byte of each, one after another over loopback (goal < 50 ms);
/// - with `messages` stored, navigation start → first rows rendered, the page's own marker
///   (goal < 300 ms; a cold load, then the median and max of `loads`), and the rows in the DOM
///   (goal ≤ ~200, also after scrolling);
/// - SMTP `250` → row in the open page over `deliveries` deliveries, sent `interval` ms apart
///   (goal p99 < 100 ms).
enum WebInboxBenchmark {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func run(
        messages: Int, loads: Int, deliveries: Int, interval: Int, chromedriver: String?, chromium: String?
    ) throws {
        // The browser first: without it there is nothing to measure, and no server to start.
        let programs = try WebDriverSession.Programs.locate(chromedriver: chromedriver, chromium: chromium)
        say(
            "inbox: letterbox executable as a child, headless \(programs.chromium) via \(programs.chromedriver); "
                + "load average \(loadAverage())"
        )
        let server = try LetterboxChild(["--max-messages", "0"])
        defer { server.stop() }
        try measureAssets(port: server.http)
        try fill(server, messages: messages)
        let browser = try WebDriverSession(programs)
        defer { browser.quit() }
        try browser.setScriptTimeout(seconds: 120)
        try measureFirstScreen(browser, port: server.http, messages: messages, loads: max(1, loads))
        try measureArrivals(
            browser, port: server.smtp, httpPort: server.http, deliveries: max(1, deliveries), interval: interval)
        say("  load average after: \(loadAverage())")
    }

    // MARK: Assets

    /// The assets' sizes from a first `GET /`, the server time of a cold first load (the server's
    /// first requests), then the median and max of 20 more.
    static func measureAssets(port: Int) throws {
        let (paths, cold) = try loadAssets(port: port)
        let total = cold.reduce(0) { $0 + $1.body.count }
        for (path, response) in zip(paths, cold) {
            say(String(format: "  GET %@: %d B, %.2f ms", path, response.body.count, response.seconds * 1000))
        }
        say(
            String(
                format: "  assets in all (%@): %d B (goal ≤ 100 KB = 100,000 B) %@", paths.joined(separator: ", "),
                total, total <= 100_000 ? "PASS" : "FAIL"))
        let coldSeconds = cold.reduce(0) { $0 + $1.seconds }
        var warm: [Double] = []
        for _ in 0..<20 { warm.append(try loadAssets(port: port).responses.reduce(0) { $0 + $1.seconds }) }
        let median = percentileMilliseconds(warm, 0.5)
        say(
            String(
                format: "  first load, server time (request → last byte of each, one after another): cold %.2f ms, "
                    + "then median %.2f ms, max %.2f ms of 20 (goal < 50 ms) %@", coldSeconds * 1000, median,
                percentileMilliseconds(warm, 1), coldSeconds * 1000 < 50 && median < 50 ? "PASS" : "FAIL"))
    }

    /// `GET /` as a browser asks for it, then every same-origin file its `src` and `href`
    /// attributes name: the paths and the answers, in order.
    static func loadAssets(port: Int) throws -> (paths: [String], responses: [BlockingHTTPClient.Response]) {
        let page = try get("/", port: port, accept: "text/html")
        var paths = ["/"]
        var responses = [page]
        for path in linkedPaths(in: page.text) where !paths.contains(path) {
            paths.append(path)
            responses.append(try get(path, port: port, accept: "*/*"))
        }
        return (paths, responses)
    }

    /// The same-origin paths (`/…`, not `//host`) in `src="…"` and `href="…"` attributes of `html`.
    static func linkedPaths(in html: String) -> [String] {
        var paths: [String] = []
        for attribute in [" src=\"", " href=\""] {
            var rest = html[...]
            while let start = rest.range(of: attribute) {
                rest = rest[start.upperBound...]
                let value = rest.prefix { $0 != "\"" }
                if value.hasPrefix("/") && !value.hasPrefix("//") { paths.append(String(value)) }
            }
        }
        return paths
    }

    private static func get(_ path: String, port: Int, accept: String) throws -> BlockingHTTPClient.Response {
        let response = try BlockingHTTPClient.request("GET", path, port: port, headers: [("Accept", accept)])
        guard response.status == 200 else {
            throw Failure(description: "GET \(path) answered \(response.status): \(response.text.prefix(200))")
        }
        return response
    }

    // MARK: Fill

    /// Stores `messages` small messages (subject `Load <n>`) over SMTP, then times the list the
    /// page asks for first.
    static func fill(_ server: LetterboxChild, messages: Int) throws {
        let result = SMTPLoad.run(
            port: server.smtp, connections: 4, messages: messages, size: 0, reuse: true,
            message: { n in
                Array(
                    "From: Load <load@example.com>\r\nTo: bo@example.com\r\nSubject: Load \(n)\r\n\r\nBody \(n)\r\n"
                        .utf8)
            })
        var times: [Double] = []
        var stored = 0
        var size = 0
        for _ in 0..<10 {
            let list = try get("/inbox/list.json?limit=100", port: server.http, accept: "application/json")
            times.append(list.seconds)
            size = list.body.count
            let object = try? JSONSerialization.jsonObject(with: Data(list.body)) as? [String: Any]
            // [[first, count], …]: the ids listed are the counts' sum.
            let runs = object?["idRuns"] as? [[Int]]
            stored = runs?.reduce(0) { $0 + ($1.count == 2 ? $1[1] : 0) } ?? -1
        }
        say(
            String(
                format: "  stored %d messages over SMTP in %.1f s (%d failures); %d in the list; "
                    + "GET /inbox/list.json?limit=100 (every id, the first 100 entries): %d B, "
                    + "median %.1f ms, max %.1f ms of 10",
                result.latencies.count, result.seconds, result.failures, stored, size,
                percentileMilliseconds(times, 0.5),
                percentileMilliseconds(times, 1)))
        guard stored == messages else { throw Failure(description: "\(messages) sent, but the list has \(stored)") }
    }

    // MARK: First screen

    static func measureFirstScreen(_ browser: WebDriverSession, port: Int, messages: Int, loads: Int) throws {
        func load() throws -> WebInboxProbes.FirstScreen {
            try browser.navigate(to: "http://127.0.0.1:\(port)/")
            let screen = try browser.executeAsync(WebInboxProbes.firstScreen, as: WebInboxProbes.FirstScreen.self)
            if let error = screen.error { throw Failure(description: "first screen: \(error)") }
            return screen
        }
        func describe(_ screen: WebInboxProbes.FirstScreen) -> String {
            String(
                format: "%.0f ms (HTML in %.0f, script done %.0f, list.json %.0f → %.0f, %d B; %d rows)",
                screen.firstScreen, screen.htmlEnd, screen.domContentLoaded, screen.listStart, screen.listEnd,
                screen.listBytes, screen.rows)
        }
        let cold = try load()
        say("  first screen with \(messages) messages, cold browser (not counted): \(describe(cold))")
        var screens: [WebInboxProbes.FirstScreen] = []
        for index in 0..<loads {
            let screen = try load()
            screens.append(screen)
            say("    load \(index + 1): \(describe(screen))")
        }
        let times = screens.map { $0.firstScreen / 1000 }
        let median = percentileMilliseconds(times, 0.5)
        say(
            String(
                format: "  first screen (navigation start → first rows rendered, the page's marker): median %.0f ms, "
                    + "max %.0f ms of %d loads (goal < 300 ms) %@", median, percentileMilliseconds(times, 1), loads,
                median < 300 ? "PASS" : "FAIL"))
        var rows = screens.map(\.rows).max() ?? 0
        var notes: [String] = []
        for fraction in [0.5, 1.0, 0.0] {
            let scrolled = try browser.executeAsync(
                WebInboxProbes.scroll(to: fraction), as: WebInboxProbes.Scrolled.self)
            rows = max(rows, scrolled.rows)
            notes.append(String(format: "%.0f %%: %d (%d filled)", fraction * 100, scrolled.rows, scrolled.filled))
        }
        say(
            "  rows in the DOM: at most \(rows) (goal ≤ ~200) \(rows <= 200 ? "PASS" : "FAIL"); after scrolling to "
                + notes.joined(separator: ", "))
    }

    // MARK: Arrivals

    /// Sends `deliveries` messages (subject `Latency <n>`) over one SMTP connection, `interval` ms
    /// apart, noting the wall-clock moment each `250` arrived; the page notes when each row
    /// appeared. Both clocks are the system's wall clock: the page's high-resolution time is put
    /// on it with `Date.now()` read at the same instant.
    static func measureArrivals(
        _ browser: WebDriverSession, port: Int, httpPort: Int, deliveries: Int, interval: Int
    ) throws {
        // Opened first: a stream that has just written (its `retry:` line) waits 25 ms
        // (EventStream.coalescingInterval) before it writes again, which would delay delivery #0.
        let pushed = try SubjectArrivals(httpPort: httpPort, prefix: "Latency ")
        defer { pushed.close() }
        _ = try browser.executeAsync(WebInboxProbes.watchArrivals, as: Bool.self)
        let clocks = try browser.executeAsync(WebInboxProbes.clocks, as: WebInboxProbes.Clocks.self)
        // Added to the page's high-resolution times to put them on the wall clock (±1 ms: Date.now()).
        let correction = clocks.wall - clocks.highResolution
        var client = try BlockingSMTPClient(port: port, timeout: 30)
        defer { client.close() }
        var acknowledged: [Double] = []
        let start = DispatchTime.now().uptimeNanoseconds
        for n in 0..<deliveries {
            let due = start + UInt64(n) * UInt64(interval) * 1_000_000
            let now = DispatchTime.now().uptimeNanoseconds
            if due > now { usleep(useconds_t((due - now) / 1000)) }
            let body = "From: Latency <l@example.com>\r\nTo: bo@example.com\r\nSubject: Latency \(n)\r\n\r\nx\r\n.\r\n"
            _ = try client.transaction(body: Array(body.utf8))
            acknowledged.append(wallClockMilliseconds())
        }
        let arrivals = try browser.executeAsync(
            WebInboxProbes.arrivals(count: deliveries, seconds: 10), as: WebInboxProbes.Arrivals.self)
        /// Seconds from each `250` to what the page noted, for the deliveries it noted.
        func latencies(_ seen: [String: Double]) -> [(n: Int, seconds: Double)] {
            (0..<deliveries).compactMap { n in seen[String(n)].map { (n, ($0 + correction - acknowledged[n]) / 1000) } }
        }
        func summary(_ noted: [(n: Int, seconds: Double)]) -> String {
            let seconds = noted.map(\.seconds)
            let slowest = noted.sorted { $0.seconds > $1.seconds }.prefix(3)
            return String(
                format: "median %.1f ms, p99 %.1f ms, max %.1f ms (slowest: %@)", percentileMilliseconds(seconds, 0.5),
                percentileMilliseconds(seconds, 0.99), percentileMilliseconds(seconds, 1),
                slowest.map { String(format: "#%d %.0f ms", $0.n, $0.seconds * 1000) }.joined(separator: ", "))
        }
        let inserted = latencies(arrivals.inserted)
        let p99 = percentileMilliseconds(inserted.map(\.seconds), 0.99)
        say(
            "  SMTP 250 → row in the DOM (MutationObserver), \(inserted.count) of \(deliveries) deliveries "
                + "\(interval) ms apart: \(summary(inserted)) (goal p99 < 100 ms) "
                + (p99 < 100 && inserted.count == deliveries ? "PASS" : "FAIL"))
        let server = pushed.milliseconds.compactMap { n, arrived in
            n < acknowledged.count ? (n: n, seconds: (arrived - acknowledged[n]) / 1000) : nil
        }
        say("    250 → its event read by the bench from /events (the server alone): \(summary(server))")
        say("    250 → its event on a second /events stream in the page: \(summary(latencies(arrivals.evented)))")
        say(
            "    250 → the next animation frame after the row (the frame that paints it): "
                + summary(latencies(arrivals.framed))
        )
        say(String(format: "    the page's clock − Date.now(): %.1f ms (corrected)", -correction))
    }
}

/// Milliseconds since 1970 on the system's wall clock (CLOCK_REALTIME, as `Date.now()` in a page).
func wallClockMilliseconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1e6
}
