#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Line feeds in a byte range, and how many of them lack the CR of a canonical CRLF.
struct LineCount: Equatable {
    var lineFeeds = 0
    var bareLineFeeds = 0

    static func + (lhs: LineCount, rhs: LineCount) -> LineCount {
        LineCount(lineFeeds: lhs.lineFeeds + rhs.lineFeeds, bareLineFeeds: lhs.bareLineFeeds + rhs.bareLineFeeds)
    }

    static func += (lhs: inout LineCount, rhs: LineCount) { lhs = lhs + rhs }

    /// Counts the line feeds in `range` with `memchr`. A line feed at the start of the range
    /// counts as bare: the range is measured on its own.
    init(_ raw: [UInt8], in range: Range<Int>) {
        let lower = max(range.lowerBound, 0)
        let upper = min(range.upperBound, raw.count)
        guard lower < upper else { return }
        var lineFeeds = 0
        var bare = 0
        raw.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var position = lower
            while position < upper, let found = memchr(base + position, 0x0A, upper - position) {
                let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                lineFeeds += 1
                if index == lower || base[index - 1] != 0x0D { bare += 1 }
                position = index + 1
            }
        }
        self.lineFeeds = lineFeeds
        self.bareLineFeeds = bare
    }

    init(lineFeeds: Int, bareLineFeeds: Int) {
        self.lineFeeds = lineFeeds
        self.bareLineFeeds = bareLineFeeds
    }

    init() {}
}
