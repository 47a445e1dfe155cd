public import Foundation

/// The sample messages in `Fixtures/messages/` at the package root.
public enum Fixture {
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Fixtures/messages")

    /// The raw bytes of a fixture message (a path relative to `Fixtures/messages`).
    public static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// The names of every `.eml` fixture, sorted.
    public static func allMessages() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }.sorted()
    }

    /// The fuzzing regression inputs in `Fixtures/messages/fuzz/` (any name), as paths relative to
    /// `Fixtures/messages`.
    public static func fuzzRegressions() throws -> [String] {
        let folder = directory.appendingPathComponent("fuzz")
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
            .map { "fuzz/\($0)" }
    }
}

/// A message written with `\n` in the test source and CRLF on the wire.
public func crlf(_ text: String) -> [UInt8] {
    Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
}
