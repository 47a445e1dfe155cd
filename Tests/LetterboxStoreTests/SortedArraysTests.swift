import LetterboxStore
import Synchronization
import Testing

@Suite("Sorted arrays")
struct SortedArraysTests {
    /// An element holding a reference, whose release is counted: removal must release each
    /// removed element once and keep the others alive and in order.
    final class Counted: Sendable {
        let value: Int
        let releases: Releases
        init(_ value: Int, _ releases: Releases) {
            (self.value, self.releases) = (value, releases)
        }
        deinit { releases.count.withLock { $0 += 1 } }
    }

    final class Releases: Sendable {
        let count = Mutex(0)
    }

    @Test(
        "remove(atAscending:) removes exactly the positions given, in few runs or many",
        arguments: [0, 1, 2, 3, 5, 8, 9, 20, 200])
    func removesThePositionsGiven(runs: Int) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let releases = Releases()
            var array = (0..<500).map { Counted($0, releases) }
            // `runs` runs of 1–4 adjacent positions, apart from each other.
            var positions: [Int] = []
            var next = Int.random(in: 0..<4, using: &generator)
            for _ in 0..<runs {
                let length = Int.random(in: 1...4, using: &generator)
                guard next + length <= array.count else { break }
                positions += next..<next + length
                next += length + Int.random(in: 1...3, using: &generator)
            }
            let removed = Set(positions)
            let expected = array.indices.filter { !removed.contains($0) }
            array.remove(atAscending: positions)
            #expect(array.map(\.value) == expected)
            #expect(releases.count.withLock { $0 } == positions.count)
        }
    }
}
