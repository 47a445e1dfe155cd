/// A sequence set with `*` replaced by the largest number in use, as ascending, disjoint,
/// non-adjacent ranges: membership costs O(log ranges) however the client wrote the set
/// (`1,3,5,…` with tens of thousands of ranges, in any order, overlapping, `5:2`).
struct ResolvedSequenceSet: Sendable, Equatable {
    let ranges: [ClosedRange<UInt64>]

    init(_ set: SequenceSet, largest: UInt64) {
        let bounds = set.ranges.map { low, high in
            let a = low.resolved(largest), b = high.resolved(largest)
            return min(a, b)...max(a, b)
        }
        var merged: [ClosedRange<UInt64>] = []
        for range in bounds.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, last.upperBound == .max || range.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        ranges = merged
    }

    func contains(_ value: UInt64) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < ranges.count && ranges[low].contains(value)
    }

    /// The indexes (number − 1) of the numbers in the set from 1 through `count`, ascending.
    func indexes(upTo count: Int) -> [Int] {
        var found: [Int] = []
        let last = UInt64(max(0, count))
        for range in ranges {
            guard range.lowerBound <= last else { break }
            let start = Int(max(1, range.lowerBound)), end = Int(min(last, range.upperBound))
            guard start <= end else { continue }
            found.append(contentsOf: (start - 1)..<end)
        }
        return found
    }
}
