import Foundation
import Testing

@testable import LetterboxStore

/// The inputs libFuzzer found crashing the Maildir name and envelope-log readers
/// (`Fixtures/fuzz/crashes/maildir-names/`, `…/envelope-log/`, see Tests/Fuzz/run.sh), replayed
/// without libFuzzer.
@Suite struct StoreFuzzCrashRegressionTests {
    /// The files in `Fixtures/fuzz/crashes/<target>/`.
    private static func crashInputs(_ target: String) throws -> [[UInt8]] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz/crashes/\(target)")
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().filter { !$0.hasPrefix(".") }
            .map { try [UInt8](Data(contentsOf: folder.appendingPathComponent($0))) }
    }

    @Test("every Maildir file name libFuzzer crashed on reads its fields")
    func crashingFileNames() throws {
        for input in try Self.crashInputs("maildir-names") {
            for line in input.split(separator: 0x0A, omittingEmptySubsequences: false) {
                let name = MaildirFileName(parsing: String(decoding: line, as: UTF8.self))
                _ = (name.field("S"), name.field("W"), name.letterboxID)
            }
        }
    }

    @Test("every envelope log libFuzzer crashed on reads")
    func crashingEnvelopeLogs() throws {
        for input in try Self.crashInputs("envelope-log") {
            let contents = EnvelopeLog.parse(input)
            #expect(contents.validLength <= input.count)
        }
    }

    /// Found by the maildir-names fuzz target: `value * 10` was checked for overflow but `+ digit`
    /// was not, so another program's file named `…,U=18446744073709551616` in `cur/` trapped at
    /// start-up. The input is in Fixtures/fuzz/crashes/maildir-names/.
    @Test("a ,U= or ,S= field beyond UInt64 is no field")
    func fieldBeyondUInt64() {
        #expect(MaildirFileName(parsing: "x,U=18446744073709551616").letterboxID == nil)
        #expect(MaildirFileName(parsing: "x,S=99999999999999999999,U=1").field("S") == nil)
        #expect(MaildirFileName(parsing: "x,U=18446744073709551615").letterboxID == UInt64.max)
    }
}
