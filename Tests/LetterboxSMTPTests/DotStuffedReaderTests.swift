import Testing

@testable import LetterboxSMTP

@Suite struct DotStuffedReaderTests {
    /// Feeds `wire` in pieces of `step` octets, as the network might deliver it.
    private func unstuff(_ wire: String, step: Int = 1, limit: Int = 1 << 20) -> (
        SMTPSession.DataOutcome?, rest: String
    ) {
        let bytes = Array(wire.utf8)
        var buffer: [UInt8] = []
        var body: [UInt8] = []
        var position = DotStuffedReader.Position.lineStart
        var tooLarge = false
        var fed = 0
        while fed < bytes.count || !buffer.isEmpty {
            let next = min(bytes.count, fed + step)
            buffer += bytes[fed..<next]
            fed = next
            let (consumed, finished) = buffer.withUnsafeBufferPointer {
                DotStuffedReader.scan($0, into: &body, position: &position, limit: limit, tooLarge: &tooLarge)
            }
            buffer.removeFirst(consumed)
            if finished {
                buffer += bytes[fed...]
                return (tooLarge ? .tooLarge : .complete(body), String(decoding: buffer, as: UTF8.self))
            }
            if fed == bytes.count { break }
        }
        return (nil, "")
    }

    @Test(arguments: [1, 2, 3, 7, 1000])
    func removesStuffedDotsAndStopsAtTheTerminator(step: Int) {
        let (outcome, rest) = unstuff("Line 1\r\n..leading dot\r\n.\r\nQUIT\r\n", step: step)
        #expect(outcome == .complete(Array("Line 1\r\n.leading dot\r\n".utf8)))
        #expect(rest == "QUIT\r\n")
    }

    @Test func emptyBody() {
        #expect(unstuff(".\r\n").0 == .complete([]))
    }

    @Test func bareLineFeedsAreKeptAsReceived() {
        #expect(unstuff("a\nb\n\r\n.\r\n").0 == .complete(Array("a\nb\n\r\n".utf8)))
    }

    /// SMTP smuggling (CVE-2023-51766 class, issue 16 finding 10): only `<CR><LF>.<CR><LF>` ends the
    /// data (RFC 5321 §4.1.1.4). A server that also ended at these let one DATA carry a second,
    /// forged transaction; here they are message bytes, stored as received.
    @Test(arguments: ["\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\r\n.\r", "\n..\n"], [1, 2, 1000])
    func onlyCRLFDotCRLFEndsTheData(sequence: String, step: Int) {
        let smuggled = "MAIL FROM:<forged@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nforged\r\n"
        let (outcome, rest) = unstuff("Subject: a\r\n\r\nfirst" + sequence + smuggled + ".\r\nQUIT\r\n", step: step)
        #expect(outcome == .complete(Array(("Subject: a\r\n\r\nfirst" + sequence + smuggled).utf8)))
        #expect(rest == "QUIT\r\n")
    }

    @Test func aLoneDotBeforeABareLineFeedAtTheStartIsData() {
        #expect(unstuff(".\nx\r\n.\r\n").0 == .complete(Array(".\nx\r\n".utf8)))
        #expect(unstuff("\r\n.\n\r\n.\r\n").0 == .complete(Array("\r\n.\n\r\n".utf8)))
    }

    /// A line starts after CRLF only: a dot after a bare LF is not stuffing and is kept.
    @Test func stuffedDotsAreRemovedAfterCRLFOnly() {
        #expect(unstuff("..a\r\n..b\n..c\r\n.\r\n").0 == .complete(Array(".a\r\n.b\n..c\r\n".utf8)))
    }

    @Test func dotInsideALineIsData() {
        #expect(unstuff("a.b\r\n. \r\n.\r\n").0 == .complete(Array("a.b\r\n \r\n".utf8)))
    }

    @Test func nulBytesAreKept() {
        #expect(unstuff("a\u{0}b\r\n.\r\n").0 == .complete([0x61, 0, 0x62, 0x0D, 0x0A]))
    }

    @Test func overTheLimitIsDiscardedButReadToTheEnd() {
        let (outcome, rest) = unstuff(String(repeating: "x", count: 100) + "\r\n.\r\nNOOP\r\n", step: 16, limit: 50)
        #expect(outcome == .tooLarge)
        #expect(rest == "NOOP\r\n")
    }

    @Test func unterminatedDataIsNotComplete() {
        #expect(unstuff("a\r\nb\r\n").0 == nil)
    }
}
