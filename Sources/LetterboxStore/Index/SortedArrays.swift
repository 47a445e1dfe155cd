/// Binary search and batch removal on arrays kept in ascending order (message ids, a mailbox's
/// members by UID, an IMAP session's view): finding or removing a few of n elements costs
/// O(log n) each and one move of the elements after them, not a pass that tests every element.
/// Inlinable, so that the IMAP session's calls are specialized too.
extension RandomAccessCollection {
    /// The first index whose element satisfies `isAtOrAbove`, which must hold for a suffix of the
    /// collection (false, then true); `endIndex` when none does.
    @inlinable
    package func partitioningIndex(where isAtOrAbove: (Element) -> Bool) -> Index {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = index(low, offsetBy: distance(from: low, to: high) / 2)
            if isAtOrAbove(self[middle]) { high = middle } else { low = index(after: middle) }
        }
        return low
    }

    /// The index of the element whose `key` is `value`, in a collection ascending by `key`; nil
    /// when there is none.
    @inlinable
    package func position<Key: Comparable>(of value: Key, by key: (Element) -> Key) -> Index? {
        let position = partitioningIndex { key($0) >= value }
        return position < endIndex && key(self[position]) == value ? position : nil
    }
}

extension Array {
    /// Removes the elements at `positions` (ascending, each once). A few runs of adjacent
    /// positions (the oldest messages, one expunge) go with one `removeSubrange` each, last run
    /// first, which moves the later elements in bulk with no reference counting; many runs take
    /// one pass from the first position, which moves every later element once, one swap each (a
    /// swap of an element holding references retains and releases them: over an IMAP session's
    /// view this was a tenth of the server's time in the soak).
    @inlinable
    package mutating func remove(atAscending positions: [Int]) {
        guard let first = positions.first else { return }
        let runs = 1 + zip(positions, positions.dropFirst()).count { $1 != $0 + 1 }
        if runs <= 8 {
            var end = positions.count
            while end > 0 {
                var start = end - 1
                while start > 0 && positions[start - 1] == positions[start] - 1 { start -= 1 }
                removeSubrange(positions[start]...positions[end - 1])
                end = start
            }
            return
        }
        var next = 0
        var write = first
        for read in first..<endIndex {
            if next < positions.count && positions[next] == read {
                next += 1
                continue
            }
            swapAt(write, read)
            write += 1
        }
        removeLast(endIndex - write)
    }
}
