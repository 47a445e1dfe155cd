import Foundation
import Testing

/// Runs a third-party program (one we did not write) against the catcher and captures its output.
enum ExternalTool {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Finds `name` on PATH; the test fails with an install hint when it is missing.
    static func path(_ name: String, package: String) throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw MissingTool(description: "\(name) is not installed (apt-get install \(package); .ci/run does this)")
    }

    struct MissingTool: Error, CustomStringConvertible { let description: String }

    /// Runs the program without blocking a thread of the cooperative pool.
    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                continuation.resume(returning: Output(status: process.terminationStatus, stdout: stdout, stderr: stderr))
            }
            do {
                try process.run()
                if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
                try? input.fileHandleForWriting.close()
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}
