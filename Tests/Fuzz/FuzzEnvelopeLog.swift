// libFuzzer target: envelope-log records (`EnvelopeLog.parse`), read from the input as it is
// and, when the first octet is odd, from the input's pieces framed with correct CRC-32s (so the
// fuzzer reaches the record decoder rather than the checksum).
//
// Invariants: reading never trusts a length beyond the input; what was read, written again and
// read again is the same records and the same octets (a fixpoint), with nothing damaged.

@testable import LetterboxStore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelopeLog(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    let bytes = raw.first.map { $0 & 1 == 1 } == true ? framed(Array(raw.dropFirst())) : raw
    let contents = EnvelopeLog.parse(bytes)
    guard contents.length == bytes.count, contents.validLength <= bytes.count else {
        fuzzFailure("lengths \(contents.validLength)/\(contents.length)")
    }
    var previous = -1
    for (offset, _) in contents.damaged {
        guard offset >= previous, offset < max(bytes.count, 1) else {
            fuzzFailure("damage offsets \(contents.damaged.map(\.offset))")
        }
        previous = offset
    }
    let written = write(contents.records)
    let reread = EnvelopeLog.parse(written)
    guard reread.damaged.isEmpty, reread.validLength == written.count, reread.records.count == contents.records.count
    else {
        fuzzFailure(
            "rewritten log reads as \(reread.records.count) of \(contents.records.count) records, damaged \(reread.damaged)"
        )
    }
    guard write(reread.records) == written else { fuzzFailure("records change when written again") }
    return 0
}

private func write(_ records: [EnvelopeLog.Record]) -> [UInt8] {
    var bytes = EnvelopeLog.header
    for record in records { EnvelopeLog.encode(record, into: &bytes) }
    return bytes
}

/// The header, then each piece (a length octet, then that many octets) as a well-framed record.
private func framed(_ input: [UInt8]) -> [UInt8] {
    var bytes = EnvelopeLog.header
    var index = 0
    while index < input.count {
        let length = min(Int(input[index]), input.count - index - 1)
        let payload = Array(input[(index + 1)..<(index + 1 + length)])
        index += 1 + length
        bytes += [0x1E, 0x4C, 0x42]
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: CRC32.checksum(payload).littleEndian) { bytes += $0 }
        bytes += payload
    }
    return bytes
}
