import Foundation
import TestSupport
import Testing

@testable import LetterboxStore

/// Deliveries append to the envelope log from many threads at once, without a lock of the store's.
@Suite("Envelope log appends from many threads")
struct EnvelopeLogConcurrencyTests {
    /// Eight threads append 2,000 records each, of sizes that differ (so a record split or two
    /// interleaved would break a checksum): every record is in the file exactly once, intact, and
    /// each thread's records are in the order it appended them.
    @Test("every record is written whole, exactly once, in order per writer")
    func concurrentAppends() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = try EnvelopeLog(path: folder + "/log", existingRecords: 0)
        let writers = 8
        let perWriter = 2_000
        try await onThreads(writers) { writer in
            for sequence in 0..<perWriter {
                try log.append([Self.record(writer: writer, sequence: sequence)])
            }
        }
        #expect(log.count == writers * perWriter)
        let contents = try EnvelopeLog.read(folder + "/log")
        #expect(contents.damaged.isEmpty)
        #expect(contents.records.count == writers * perWriter)
        var next = [Int](repeating: 0, count: writers)
        for record in contents.records {
            guard case .keywords(let id, let words) = record else {
                Issue.record("unexpected record \(record)")
                continue
            }
            let writer = Int(id >> 32)
            let sequence = Int(id & 0xFFFF_FFFF)
            #expect(sequence == next[writer], "writer \(writer): record \(sequence) after \(next[writer] - 1)")
            #expect(words == Self.words(writer: writer, sequence: sequence))
            next[writer] = sequence + 1
        }
        #expect(next == [Int](repeating: perWriter, count: writers))
    }

    /// A compaction replaces the file while threads append: what was appended after it is in the
    /// new file, whole, and the file stays readable throughout.
    @Test("appends during a compaction land whole in the old file or the new one")
    func appendsAcrossCompaction() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = try EnvelopeLog(path: folder + "/log", existingRecords: 0)
        let perWriter = 1_000
        // Threads 0–3 append; thread 4 compacts meanwhile.
        try await onThreads(5) { writer in
            guard writer < 4 else { return try log.compact([.reserved(below: 99)], folder: folder) }
            for sequence in 0..<perWriter {
                try log.append([Self.record(writer: writer, sequence: sequence)])
            }
        }
        try log.append([.reserved(below: 100)])
        let contents = try EnvelopeLog.read(folder + "/log")
        #expect(contents.damaged.isEmpty)
        #expect(contents.records.first == .reserved(below: 99))
        #expect(contents.records.last == .reserved(below: 100))
        // Each writer's records in the new file are the tail of its sequence, in order.
        var last = [Int](repeating: -1, count: 4)
        for case .keywords(let id, _) in contents.records {
            let writer = Int(id >> 32)
            let sequence = Int(id & 0xFFFF_FFFF)
            #expect(last[writer] == -1 || sequence == last[writer] + 1)
            last[writer] = sequence
        }
        #expect(last.allSatisfy { $0 == -1 || $0 == perWriter - 1 })
    }

    private static func record(writer: Int, sequence: Int) -> EnvelopeLog.Record {
        .keywords(id: UInt64(writer) << 32 | UInt64(sequence), words(writer: writer, sequence: sequence))
    }

    private static func words(writer: Int, sequence: Int) -> [String] {
        (0...(sequence % 5)).map {
            "$w\(writer)s\(sequence)k\($0)" + String(repeating: "x", count: (sequence * 7) % 40)
        }
    }

    private func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/envelope-log-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
