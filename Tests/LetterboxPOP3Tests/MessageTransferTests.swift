import Testing

@testable import LetterboxPOP3

@Suite struct MessageTransferTests {
    private func encode(_ raw: String, lines: Int? = nil) -> String {
        String(decoding: MessageTransfer.encode(Array(raw.utf8), bodyLines: lines), as: UTF8.self)
    }

    @Test func stuffsLeadingDotsAndTerminates() {
        #expect(encode("Subject: x\r\n\r\n.hidden\r\nok\r\n") == "Subject: x\r\n\r\n..hidden\r\nok\r\n.\r\n")
    }

    @Test func bareLineFeedsBecomeCRLFAndAMissingFinalNewlineIsAdded() {
        #expect(encode("A: b\n\nline") == "A: b\r\n\r\nline\r\n.\r\n")
    }

    @Test func topSendsHeadersBlankLineAndNBodyLines() {
        let raw = "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n"
        #expect(encode(raw, lines: 0) == "A: 1\r\nB: 2\r\n\r\n.\r\n")
        #expect(encode(raw, lines: 2) == "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n.\r\n")
        #expect(encode(raw, lines: 10) == raw + ".\r\n")
    }

    @Test func canonicalMessagesAreSentAsTheyAre() {
        #expect(MessageTransfer.isAlreadyCanonical(Array("A: b\r\n\r\nc\r\n".utf8)))
        #expect(!MessageTransfer.isAlreadyCanonical(Array("A: b\r\n\r\n.c\r\n".utf8)))
        #expect(!MessageTransfer.isAlreadyCanonical(Array("A: b\n\nc\n".utf8)))
        #expect(!MessageTransfer.isAlreadyCanonical(Array("A: b\r\n\r\nc".utf8)))
    }
}
