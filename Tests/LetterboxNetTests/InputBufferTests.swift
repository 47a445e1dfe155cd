import LetterboxNet
import Testing

@Suite("Input buffer")
struct InputBufferTests {
    private func append(_ bytes: [UInt8], to buffer: inout InputBuffer) {
        let written = buffer.append { room in
            room.copyBytes(from: bytes)
            return bytes.count
        }
        #expect(written == bytes.count)
    }

    @Test("a partial line kept while waiting moves into a block of its own size; reading goes on after it")
    func partialLineShrinks() {
        var buffer = InputBuffer()
        append(Array("A".utf8), to: &buffer)
        #expect(buffer.heldBytes >= InputBuffer.minimumRoom)
        buffer.shrinkForWaiting()
        #expect(buffer.heldBytes == 1)
        append(Array("BC\r\n".utf8), to: &buffer)
        #expect(buffer.withBytes { Array($0) } == Array("ABC\r\n".utf8))
    }

    @Test("an empty buffer gives its block back while waiting; a long remainder keeps its block")
    func emptyReleasesAndLongRemainderStays() {
        var buffer = InputBuffer()
        append(Array(repeating: 0x41, count: 100), to: &buffer)
        buffer.consume(100)
        buffer.shrinkForWaiting()
        #expect(buffer.heldBytes == 0)
        #expect(buffer.count == 0)

        let long = Array(repeating: UInt8(0x42), count: InputBuffer.keptWhileWaiting + 1)
        append(long, to: &buffer)
        let held = buffer.heldBytes
        buffer.shrinkForWaiting()
        #expect(buffer.heldBytes == held)
        #expect(buffer.withBytes { Array($0) } == long)
    }

    @Test("consumed bytes make room again; what is left stays in order across growth")
    func consumeAndGrow() {
        var buffer = InputBuffer()
        var expected: [UInt8] = []
        for round in 0..<40 {
            let chunk = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &+ round) }
            append(chunk, to: &buffer)
            expected += chunk
            let eaten = round % 3 == 0 ? 15_000 : 4_000
            buffer.consume(min(eaten, buffer.count))
            expected.removeFirst(min(eaten, expected.count))
            #expect(buffer.withBytes { Array($0) } == expected)
        }
    }
}
