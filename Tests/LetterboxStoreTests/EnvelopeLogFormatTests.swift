import Foundation
import Testing

@testable import LetterboxStore

@Suite("Envelope log record format")
struct EnvelopeLogFormatTests {
    private let received = Date(timeIntervalSinceReferenceDate: 800_000_000.25)

    private func record(tls: Envelope.TLS?) -> EnvelopeLog.Record {
        .message(
            id: 7, base: "1.M1P1Q1.host,S=10,W=12,U=7",
            envelope: Envelope(
                sender: "a@example.com", recipients: ["b@example.com"], helo: "client", peer: "127.0.0.1:1",
                receivedAt: received, tls: tls))
    }

    /// A log of one frame around `payload`, as `EnvelopeLog.encode` frames it.
    private func log(framing payload: ArraySlice<UInt8>) -> [UInt8] {
        var bytes = EnvelopeLog.header + [0x1E, 0x4C, 0x42]
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { bytes.append(contentsOf: $0) }
        let checksum = Array(payload).withUnsafeBytes { CRC32.checksum($0) }
        withUnsafeBytes(of: checksum.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + payload
    }

    /// The payload `encode` writes for `record` (after its marker, length and checksum).
    private func payload(of record: EnvelopeLog.Record) -> ArraySlice<UInt8> {
        var bytes: [UInt8] = []
        EnvelopeLog.encode(record, into: &bytes)
        return bytes[11...]
    }

    @Test("a message record keeps its TLS session, or its absence, through encoding and parsing")
    func roundTrip() {
        for tls in [nil, Envelope.TLS(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256")] {
            let parsed = EnvelopeLog.parse(log(framing: payload(of: record(tls: tls))))
            #expect(parsed.records == [record(tls: tls)])
            #expect(parsed.damaged.isEmpty)
        }
    }

    @Test("a record written before TLS was logged (ending at the arrival time) reads with no TLS session")
    func recordWithoutLaterFields() {
        let old = payload(of: record(tls: nil)).dropLast()  // the TLS presence byte
        let parsed = EnvelopeLog.parse(log(framing: old))
        #expect(parsed.records == [record(tls: nil)])
        #expect(parsed.damaged.isEmpty)
    }

    @Test("bytes a later version adds after the TLS session are skipped, not taken for damage")
    func laterFieldsAreSkipped() {
        let tls = Envelope.TLS(version: "TLSv1.2", cipher: "ECDHE-ECDSA-AES128-GCM-SHA256")
        for base in [record(tls: nil), record(tls: tls)] {
            let parsed = EnvelopeLog.parse(log(framing: payload(of: base) + [1, 0, 0, 0, 0x41]))
            #expect(parsed.records == [base])
            #expect(parsed.damaged.isEmpty)
        }
    }
}
