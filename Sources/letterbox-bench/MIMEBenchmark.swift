import Foundation
import Letterbox
import LetterboxMIME
import LetterboxStore

/// The MIME figures of issue 3: structure of a 10 MiB message with 20 attachments (< 20 ms), of a
/// message with 10,000 parts (< 200 ms), and base64 decoding throughput (≥ 300 MB/s).
///
/// Each structure sample parses a fresh `Message`, so no cached tree is reused; the part tree
/// is then walked (every numbered part's section, sizes and line count) as IMAP's BODYSTRUCTURE
/// would. Medians of `iterations` runs.
enum MIMEBenchmark {
    static func report(iterations: Int) {
        let large = largeMessage(attachments: 20, totalBytes: 10 * 1_048_576)
        let structure = median(iterations) { walk(Message(id: 1, raw: large, envelope: envelope)) }
        print(
            String(
                format: "mime: structure of a %.1f MiB message with 20 attachments: median %.2f ms (target < 20 ms)",
                Double(large.count) / 1_048_576, structure.milliseconds))

        let many = manyParts(10_000)
        let manyStructure = median(iterations) { walk(Message(id: 1, raw: many, envelope: envelope)) }
        print(
            String(
                format: "mime: structure of a %.1f KiB message with 10,000 parts: median %.2f ms (target < 200 ms)",
                Double(many.count) / 1024, manyStructure.milliseconds))

        // Every attachment of the large message, one after another: 10 MiB of base64.
        let message = Message(id: 1, raw: large, envelope: envelope)
        let attachments = Array(message.partTree.children.dropFirst())
        let encoded = attachments.reduce(0) { $0 + $1.bodySize }
        var decoded = 0
        let decoding = median(iterations) {
            decoded = attachments.reduce(0) { $0 + $1.decodedBody(in: message.raw).count }
        }
        print(
            String(
                format:
                    "mime: base64 decoding of %.2f MiB (%.2f MiB decoded): median %.2f ms, %.0f MB/s (target ≥ 300 MB/s)",
                Double(encoded) / 1_048_576, Double(decoded) / 1_048_576, decoding.milliseconds,
                Double(encoded) / decoding.seconds / 1e6))
    }

    private static let envelope = Envelope(
        sender: "bench@example.com", recipients: ["ana@example.com"], helo: "bench", peer: "127.0.0.1:1",
        receivedAt: Date(timeIntervalSince1970: 0))

    /// Every numbered part's section number, sizes and line count, as a BODYSTRUCTURE writer reads them.
    @discardableResult
    private static func walk(_ message: Message) -> Int {
        var total = 0
        for (path, part) in message.partTree.numberedParts() {
            total &+= path.count &+ part.canonicalBodySize &+ part.bodyLineCount &+ part.contentType.type.utf8.count
        }
        return total
    }

    /// A text body and `attachments` base64 attachments of random bytes, `totalBytes` in all.
    static func largeMessage(attachments: Int, totalBytes: Int) -> [UInt8] {
        var text = """
            From: Bench <bench@example.com>\r
            To: ana@example.com\r
            Subject: Twenty attachments\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="bench-boundary"\r
            \r
            --bench-boundary\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            Twenty files attached.\r

            """
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let rawPerAttachment = totalBytes / attachments * 3 / 4
        for index in 0..<attachments {
            // xorshift64: incompressible enough, and far cheaper than the system generator.
            let bytes = (0..<rawPerAttachment).map { _ -> UInt8 in
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                return UInt8(truncatingIfNeeded: state >> 32)
            }
            let encoded = Data(bytes).base64EncodedString(options: [
                .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
            ])
            text += """
                --bench-boundary\r
                Content-Type: application/octet-stream; name="file\(index).bin"\r
                Content-Transfer-Encoding: base64\r
                Content-Disposition: attachment; filename="file\(index).bin"\r
                \r
                \(encoded)\r

                """
        }
        text += "--bench-boundary--\r\n"
        return Array(text.utf8)
    }

    /// One multipart/mixed with `count` small text parts.
    static func manyParts(_ count: Int) -> [UInt8] {
        var text = "From: bench@example.com\r\nSubject: Many parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        for index in 0..<count {
            text +=
                "--b\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Disposition: inline\r\n\r\nPart \(index).\r\n"
        }
        text += "--b--\r\n"
        return Array(text.utf8)
    }

    private struct Sample {
        var seconds: Double
        var milliseconds: Double { seconds * 1000 }
    }

    private static func median(_ iterations: Int, _ body: () -> Void) -> Sample {
        body()  // warm up
        var samples: [Double] = []
        for _ in 0..<max(iterations, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        samples.sort()
        return Sample(seconds: samples[samples.count / 2])
    }
}
