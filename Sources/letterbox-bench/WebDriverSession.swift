import Foundation
import TestSupport

/// Headless Chromium driven through `chromedriver` with the W3C WebDriver protocol
/// (https://www.w3.org/TR/webdriver2/): JSON over HTTP, spoken by the bench itself, so a browser
/// figure needs no Selenium, no Python and no package. One session per instance; ``quit()`` ends
/// the browser and the driver.
final class WebDriverSession {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Where the driver and the browser are, found on `PATH` unless given.
    struct Programs {
        var chromedriver: String
        var chromium: String

        /// `chromedriver` and the first of `chromium`, `chromium-browser`, `google-chrome` on
        /// `PATH`; throws naming the package to install when one is missing.
        static func locate(chromedriver: String?, chromium: String?) throws -> Programs {
            func check(_ path: String, _ flag: String) throws -> String {
                guard FileManager.default.isExecutableFile(atPath: path) else {
                    throw Failure(description: "\(flag) \(path): no executable file there")
                }
                return path
            }
            let driver =
                try chromedriver.map { try check($0, "--chromedriver") }
                ?? ThirdPartyProgram.locate("chromedriver", package: "chromium-driver")
            if let chromium { return Programs(chromedriver: driver, chromium: try check(chromium, "--chromium")) }
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                if let browser = try? ThirdPartyProgram.locate(name, package: "chromium") {
                    return Programs(chromedriver: driver, chromium: browser)
                }
            }
            throw Failure(description: "chromium is not installed (apt-get install chromium chromium-driver)")
        }
    }

    private let driver: ChildProcess
    private let port: Int
    private let session: String
    private let logPath: String

    /// Starts `chromedriver` on a free loopback port, waits (up to 30 s) until it is ready, and
    /// opens a session with a headless browser window of `width` × `height` CSS pixels.
    init(_ programs: Programs, width: Int = 1280, height: Int = 900) throws {
        port = try freeLoopbackPort()
        logPath = NSTemporaryDirectory() + "letterbox-bench-chromedriver-\(getpid())-\(port).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        driver = try ChildProcess(programs.chromedriver, ["--port=\(port)"], output: logPath)
        let deadline = Date().addingTimeInterval(30)
        while true {
            let status = try? BlockingHTTPClient.request("GET", "/status", port: port, timeout: 5)
            let ready = status.flatMap { Self.value(of: $0.body) as? [String: Any] }?["ready"] as? Bool
            if ready == true { break }
            guard driver.isRunning, Date() < deadline else {
                driver.stop()
                throw Failure(description: "chromedriver did not become ready: \(Self.tail(of: logPath))")
            }
            usleep(50_000)
        }
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": programs.chromium,
                        // Over a pipe instead of a port, the browser ends when the driver does:
                        // when the bench is interrupted, the driver gets SIGTERM (it ends with the
                        // bench) and would otherwise leave the browser running as an orphan.
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--remote-debugging-pipe", "--window-size=\(width),\(height)",
                        ],
                    ],
                ]
            ]
        ]
        do {
            let created = try Self.command("POST", "/session", capabilities, port: port)
            guard let id = (created as? [String: Any])?["sessionId"] as? String else {
                throw Failure(description: "POST /session answered no sessionId: \(String(describing: created))")
            }
            session = id
        } catch {
            driver.stop()
            throw error
        }
    }

    /// Loads `url` in the window; returns once the page's `load` event has fired (the default
    /// page load strategy, "normal").
    func navigate(to url: String) throws {
        _ = try Self.command("POST", "/session/\(session)/url", ["url": url], port: port)
    }

    /// How long an asynchronous script may run before the driver gives up on it.
    func setScriptTimeout(seconds: Double) throws {
        _ = try Self.command("POST", "/session/\(session)/timeouts", ["script": Int(seconds * 1000)], port: port)
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    @discardableResult
    func execute(_ script: String) throws -> Any? {
        try Self.command("POST", "/session/\(session)/execute/sync", ["script": script, "args": [Any]()], port: port)
    }

    /// Runs `script` (a function body whose last argument is the callback it must call with its
    /// result) and decodes the result, a string of JSON (`JSON.stringify(...)`), as `T`.
    func executeAsync<T: Decodable>(_ script: String, as type: T.Type) throws -> T {
        let result = try Self.command(
            "POST", "/session/\(session)/execute/async", ["script": script, "args": [Any]()], port: port)
        guard let text = result as? String else {
            throw Failure(description: "the script returned \(String(describing: result)), not a JSON string")
        }
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw Failure(description: "the script's result \(text.prefix(300)) is not a \(T.self): \(error)")
        }
    }

    /// Ends the session (the driver closes the browser) and stops the driver.
    func quit() {
        _ = try? Self.command("DELETE", "/session/\(session)", nil, port: port, timeout: 30)
        driver.stop()
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// One WebDriver command: `body` as JSON, the answer's `value`; throws with the driver's
    /// error and message when it answers an error (W3C WebDriver §6.6).
    private static func command(
        _ method: String, _ path: String, _ body: Any?, port: Int, timeout: Double = 120
    ) throws -> Any? {
        let bytes = try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) } ?? []
        let response = try BlockingHTTPClient.request(
            method, path, port: port, headers: bytes.isEmpty ? [] : [("Content-Type", "application/json")],
            body: bytes, timeout: timeout)
        let value = Self.value(of: response.body)
        guard response.status == 200 else {
            let error = value as? [String: Any]
            throw Failure(
                description: "WebDriver \(method) \(path): \(response.status) \(error?["error"] as? String ?? "")"
                    + " \((error?["message"] as? String ?? response.text).prefix(500))")
        }
        return value
    }

    /// The `value` member of a WebDriver answer.
    private static func value(of body: [UInt8]) -> Any? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        else { return nil }
        return (object as? [String: Any])?["value"]
    }

    private static func tail(of path: String) -> String {
        String(((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").suffix(500))
    }
}
