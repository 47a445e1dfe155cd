import LetterboxIMAP
import Testing

@Suite("FETCH reads messages a chunk at a time")
struct FetchChunkTests {
    @Test("chunks keep the order, cover every index once, and stop at 64 messages or 8 MiB")
    func chunksAreBounded() {
        let sizes = (0..<300).map { $0 % 7 == 0 ? 3 << 20 : 1000 }
        let indexes = Array((0..<300).reversed())
        let chunks = IMAPSession.fetchChunks(indexes, size: { sizes[$0] })
        #expect(chunks.flatMap { $0 } == indexes)
        for chunk in chunks {
            #expect(chunk.count <= 64)
            let bytes = chunk.map { sizes[$0] }.reduce(0, +)
            #expect(bytes <= 8 << 20 || chunk.count == 1, "a chunk over 8 MiB holds one message")
        }
        #expect(chunks.count > 300 / 64, "3 MiB messages end chunks before 64")
    }

    @Test("a message over 8 MiB is a chunk of its own; no indexes, no chunks")
    func bigMessagesAndNone() {
        let sizes = [10, 20 << 20, 10]
        let chunks = IMAPSession.fetchChunks([0, 1, 2], size: { sizes[$0] })
        #expect(chunks.map(Array.init) == [[0], [1], [2]])
        #expect(IMAPSession.fetchChunks([], size: { _ in 0 }).isEmpty)
    }
}
