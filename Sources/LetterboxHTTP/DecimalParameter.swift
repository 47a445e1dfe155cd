/// The one rule for every number in a request (message ids, `since`, `limit`, fault ids,
/// `timeout`): it is written in plain decimal digits, `timeout` alone may add a fraction (`0.5`).
/// Anything else (a sign, an exponent such as `1e9`, `inf`, spaces) is a 400. A value too large
/// for its parameter is never refused for its size: it is clamped to the largest value (an id
/// beyond every id, which matches nothing and so is a 404; a wait of
/// ``HTTPRouter/maxWaitTimeout``; a `limit` beyond every message).
enum DecimalParameter {
    /// The value of `text` if it is only decimal digits, clamped to `T.max`; nil otherwise.
    static func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ text: String, as type: T.Type = UInt64.self) -> T? {
        guard !text.isEmpty, text.utf8.allSatisfy(isDigit) else { return nil }
        return T(text) ?? T.max
    }

    /// Digits with at most one `.` between or after them (`5`, `0.5`, `5.`), at most `maximum`;
    /// nil for anything else.
    static func seconds(_ text: String, maximum: Double) -> Double? {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(isDigit),
            parts.dropFirst().allSatisfy({ $0.allSatisfy(isDigit) })
        else { return nil }
        // A run of digits too long for a Double reads as infinity: still just "too large".
        guard let value = Double(text), value.isFinite else { return maximum }
        return min(value, maximum)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
