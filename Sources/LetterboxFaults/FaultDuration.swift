/// Durations in rule text: `250ms`, `5s`, `2m`, `1h`, or a plain number of seconds.
enum FaultDuration {
    private static let units: [(suffix: String, milliseconds: Double)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
    ]

    /// Nil when `text` is not a non-negative duration below a day.
    static func parse(_ text: String) -> Duration? {
        let lowered = text.lowercased()
        let unit = units.first { lowered.hasSuffix($0.suffix) && Double(lowered.dropLast($0.suffix.count)) != nil }
        let number = unit.map { String(lowered.dropLast($0.suffix.count)) } ?? lowered
        guard number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let amount = Double(number) else {
            return nil
        }
        let milliseconds = amount * (unit?.milliseconds ?? 1000)
        guard milliseconds.isFinite, milliseconds >= 0, milliseconds <= 86_400_000 else { return nil }
        return .milliseconds(Int64(milliseconds.rounded()))
    }

    /// The shortest exact text: `1500ms`, `5s`, `2m`.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 60_000 == 0, milliseconds > 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}
