import Foundation

/// The sample messages in `Fixtures/messages/` at the package root.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // LetterboxMIMETests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Fixtures/messages")

    /// The raw bytes of a fixture message (a path relative to `Fixtures/messages`).
    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// The names of every `.eml` fixture, sorted.
    static func allMessages() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }.sorted()
    }

    /// The fuzzing regression inputs in `Fixtures/messages/fuzz/` (any name), as paths relative to
    /// `Fixtures/messages`.
    static func fuzzRegressions() throws -> [String] {
        let folder = directory.appendingPathComponent("fuzz")
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
            .map { "fuzz/\($0)" }
    }
}

extension Array where Element == UInt8 {
    /// A message written with `\n` in the test source and CRLF on the wire.
    static func crlf(_ text: String) -> [UInt8] {
        Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }
}
