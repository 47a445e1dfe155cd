import LetterboxFaults

/// Mutations of valid transcripts, as an attacker would try them: bit flips, splices between
/// transcripts, truncations, repeats, huge counts and numbers, byte and token insertions, and
/// CR/LF games. Every result stays under ``maximumSize`` octets.
struct TranscriptMutator {
    static let maximumSize = 1 << 20

    var random: SeededGenerator

    /// One input: a transcript of `protocolName` with one to five mutations stacked.
    mutating func input(for protocolName: FuzzTranscripts.ProtocolName) -> [UInt8] {
        let transcripts = FuzzTranscripts.all(protocolName)
        var bytes = transcripts[Int.random(in: 0..<transcripts.count, using: &random)]
        for _ in 0..<Int.random(in: 1...5, using: &random) {
            mutate(&bytes, protocolName)
            if bytes.count > Self.maximumSize { bytes.removeLast(bytes.count - Self.maximumSize) }
        }
        return bytes
    }

    private mutating func position(in bytes: [UInt8]) -> Int { Int.random(in: 0...bytes.count, using: &random) }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }

    private mutating func mutate(_ bytes: inout [UInt8], _ protocolName: FuzzTranscripts.ProtocolName) {
        switch Int.random(in: 0..<12, using: &random) {
        case 0:  // bit flips
            guard !bytes.isEmpty else { return }
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            }
        case 1:  // splice: a prefix of this one, a suffix of another (sometimes of another protocol)
            let other =
                Int.random(in: 0..<5, using: &random) == 0
                ? pick(FuzzTranscripts.ProtocolName.allCases) : protocolName
            let donor = pick(FuzzTranscripts.all(other))
            bytes = Array(bytes[..<position(in: bytes)]) + Array(donor[position(in: donor)...])
        case 2:  // truncation
            bytes.removeLast(bytes.count - position(in: bytes))
        case 3:  // repeat a line or a range, a few times or very many
            let (start, end) = lineRange(in: bytes)
            guard start < end else { return }
            let times = pick([2, 3, 10, 100, 1000, 20_000])
            let piece = Array(bytes[start..<end])
            let allowed = max(1, (Self.maximumSize - bytes.count) / max(piece.count, 1))
            bytes.insert(contentsOf: Array([[UInt8]](repeating: piece, count: min(times, allowed)).joined()), at: end)
        case 4:  // a digit run becomes a huge (or odd) number
            let digits = bytes.indices.filter { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }
            guard !digits.isEmpty else { return }
            let start = pick(digits)
            var end = start
            while end < bytes.count, bytes[end] >= 0x30, bytes[end] <= 0x39 { end += 1 }
            bytes.replaceSubrange(start..<end, with: pick(FuzzTranscripts.hugeNumbers))
        case 5:  // random bytes inserted
            let count = Int.random(in: 1...8, using: &random)
            bytes.insert(
                contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }, at: position(in: bytes))
        case 6:  // a token inserted
            bytes.insert(contentsOf: pick(FuzzTranscripts.dictionary), at: position(in: bytes))
        case 7:  // a word replaced by a token
            let spaces = bytes.indices.filter { bytes[$0] == 0x20 }
            guard !spaces.isEmpty else { return }
            let start = pick(spaces) + 1
            var end = start
            while end < bytes.count, bytes[end] != 0x20, bytes[end] != 0x0D, bytes[end] != 0x0A { end += 1 }
            bytes.replaceSubrange(start..<end, with: pick(FuzzTranscripts.dictionary))
        case 8:  // CR/LF games on one line ending
            let endings = bytes.indices.filter { bytes[$0] == 0x0A }
            guard !endings.isEmpty else { return }
            let newline = pick(endings)
            let start = newline > 0 && bytes[newline - 1] == 0x0D ? newline - 1 : newline
            let replacement: [UInt8] = pick([
                [0x0A], [0x0D], [0x0D, 0x0D, 0x0A], [0x0A, 0x0D], [], [0x0D, 0x0A, 0x0D, 0x0A], [0x00, 0x0D, 0x0A],
            ])
            bytes.replaceSubrange(start...newline, with: replacement)
        case 9:  // every line ending changed at once (bare LF, bare CR)
            let bare: [UInt8] = pick([[0x0A], [0x0D]])
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                    out += bare
                    index += 2
                } else {
                    out.append(bytes[index])
                    index += 1
                }
            }
            bytes = out
        case 10:  // a long run: an oversized line, word or literal
            let length = pick([513, 1001, 8193, 65_537, 300_000])
            bytes.insert(
                contentsOf: [UInt8](repeating: pick(Array("A 9(*".utf8)), count: length), at: position(in: bytes))
        default:  // bytes deleted
            guard !bytes.isEmpty else { return }
            let start = Int.random(in: 0..<bytes.count, using: &random)
            let end = min(bytes.count, start + Int.random(in: 1...16, using: &random))
            bytes.removeSubrange(start..<end)
        }
    }

    /// A random whole line (CRLF included) or, without line ends, a random range.
    private mutating func lineRange(in bytes: [UInt8]) -> (Int, Int) {
        guard !bytes.isEmpty else { return (0, 0) }
        let inside = Int.random(in: 0..<bytes.count, using: &random)
        var start = inside
        while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
        var end = inside
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        return (start, min(bytes.count, end + 1))
    }
}
