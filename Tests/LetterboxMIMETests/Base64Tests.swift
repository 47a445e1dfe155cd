import Foundation
import LetterboxMIME
import TestSupport
import Testing

/// The fast four-at-a-time path and the byte-at-a-time path must agree on every input.
@Suite("Base64 decoding")
struct Base64Tests {
    private func decode(_ text: String) -> [UInt8] {
        ContentTransferEncoding.base64.decode(Array(text.utf8))
    }

    @Test("matches Foundation on random data, with and without line breaks")
    func matchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 3, 4, 5, 57, 58, 59, 1000, 4097] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let plain = Data(bytes).base64EncodedString()
            let wrapped = Data(bytes).base64EncodedString(options: [
                .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
            ])
            #expect(decode(plain) == bytes, "length \(length)")
            #expect(decode(wrapped) == bytes, "length \(length)")
            #expect(decode(plain.replacingOccurrences(of: "=", with: "")) == bytes, "length \(length) unpadded")
        }
    }

    @Test("junk between quanta is skipped; padding mid-stream ends a quantum and decoding resumes")
    func lenient() {
        #expect(decode("SGVs\r\n  bG8g\td29y*bGQ") == Array("Hello world".utf8))
        #expect(decode("SGk=SGk=") == Array("HiHi".utf8))
        #expect(decode("S") == [])
        #expect(decode("SG") == Array("H".utf8))
        #expect(decode("====") == [])
    }

    @Test("decodedSize counts without decoding, and agrees with decoding")
    func decodedSize() {
        for text in ["", "SGVsbG8=", "SGVs\r\nbG8", "SGk=SGk=", "S", "SGVsbG8gd29ybGQ*!"] {
            let raw: [UInt8] = crlf("Content-Transfer-Encoding: base64\n\n") + Array(text.utf8)
            let part = MIMEPart(parsing: raw)
            #expect(part.decodedSize(in: raw) == part.decodedBody(in: raw).count, "\(text)")
        }
    }
}
