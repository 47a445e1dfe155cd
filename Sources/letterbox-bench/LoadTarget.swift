/// One server under test in a load comparison (Letterbox, or the reference beside it), and the
/// shape of the report lines that compare them.
struct LoadTarget: Sendable {
    var name: String
    var port: Int

    /// The median of `samples` (NaN when there are none).
    static func median(_ samples: [Double]) -> Double {
        samples.isEmpty ? .nan : samples.sorted()[samples.count / 2]
    }

    /// One report line's figures: `name figure` for each of `targets`, and `dovecot n/a` when the
    /// reference could not run.
    static func compare(
        _ targets: [LoadTarget], referenceMissing: Bool, separator: String = ", ", _ figure: (Int) -> String
    ) -> String {
        var parts = targets.indices.map { "\(targets[$0].name) \(figure($0))" }
        if referenceMissing { parts.append("dovecot n/a") }
        return parts.joined(separator: separator)
    }
}
