extension Array where Element == UInt8 {
    /// The least room reserved for a transfer's first bytes.
    package static let firstArrivalRoom = 16 * 1024

    /// Makes room for `count` more bytes of a transfer the peer announced as `expected` bytes in
    /// all (a literal's `{n}`, a BDAT chunk, a `Content-Length`, a `SIZE=`), in proportion to what
    /// has arrived: capacity grows to four times the bytes held (at least ``firstArrivalRoom``),
    /// never past `expected` while the bytes stay within it. A peer that announces a large
    /// transfer and sends little makes the receiver hold little; a peer that sends it all costs a
    /// few copies (16 KiB → 64 KiB → …).
    package mutating func reserveForArrival(of count: Int, expected: Int) {
        let needed = self.count + count
        guard needed > capacity else { return }
        let grown = Swift.max(needed > Int.max / 4 ? needed : needed * 4, Self.firstArrivalRoom)
        // More than announced (an estimate such as SIZE= was low): keep growing geometrically.
        reserveCapacity(needed <= expected ? Swift.min(grown, expected) : grown)
    }
}
