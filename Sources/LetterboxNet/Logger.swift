import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small leveled logger writing one line per event to standard error, as text or JSON.
public final class Logger: Sendable {
    /// Severity, lowest first.
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case trace, debug, info, warning, error, off

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public init?(name: String) {
            guard let level = Self.allCases.first(where: { "\($0)" == name.lowercased() }) else { return nil }
            self = level
        }
    }

    /// Line format.
    public enum Format: String, Sendable { case text, json }

    public let level: Level
    public let format: Format
    private let sink: @Sendable (String) -> Void

    /// - Parameter sink: where finished lines go; standard error by default.
    public init(level: Level, format: Format = .text, sink: (@Sendable (String) -> Void)? = nil) {
        self.level = level
        self.format = format
        self.sink = sink ?? Logger.standardError
    }

    /// Logs nothing.
    public static let silent = Logger(level: .off)

    public func isEnabled(_ level: Level) -> Bool { level >= self.level && level != .off }

    /// Writes `message` if `level` is enabled; the message is only built then.
    public func log(_ level: Level, _ message: @autoclosure () -> String, _ fields: [String: String] = [:]) {
        guard isEnabled(level) else { return }
        sink(render(level, message(), fields))
    }

    private func render(_ level: Level, _ message: String, _ fields: [String: String]) -> String {
        let time = Timestamp.rfc3339(Timestamp.now())
        switch format {
        case .text:
            let extras = fields.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            return "\(time) \(level) \(message)\(extras)"
        case .json:
            var object =
                "{\"time\":\(Self.quote(time)),\"level\":\(Self.quote("\(level)")),\"msg\":\(Self.quote(message))"
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                object += ",\(Self.quote(key)):\(Self.quote(value))"
            }
            return object + "}"
        }
    }

    /// A JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s where s.value < 0x20: out += String(format: s.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static let lock = Mutex(())
    private static let standardError: @Sendable (String) -> Void = { line in
        lock.withLock { _ in
            var bytes = Array((line + "\n").utf8)
            _ = write(2, &bytes, bytes.count)
        }
    }
}

extension String {
    fileprivate init(format value: UInt32) {
        let hex = String(value, radix: 16)
        self = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
