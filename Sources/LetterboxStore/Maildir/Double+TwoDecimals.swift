extension Double {
    /// The value rounded to two decimals, as `%.2f` prints it (`0.05`, `12.30`), without
    /// Foundation's `String(format:)`, which needs ICU.
    var twoDecimals: String {
        let hundredths = (self * 100).rounded()
        guard hundredths.isFinite, abs(hundredths) < 1e15 else { return "\(self)" }
        let magnitude = Int(abs(hundredths))
        let fraction = magnitude % 100
        return "\(hundredths < 0 ? "-" : "")\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
