import Foundation
import TestSupport
import Testing

/// Runs a third-party program (one we did not write) against the catcher and captures its output.
enum ExternalTool {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Finds `name` on PATH. When it is missing the test is skipped, with the package to install
    /// as the reason, or fails under `LETTERBOX_REQUIRE_CLIENTS=1` (``ThirdPartyProgram``).
    static func path(_ name: String, package: String) throws -> String {
        try available { () throws(ThirdPartyProgram.Missing) in try ThirdPartyProgram.locate(name, package: package) }
    }

    /// `python3` with `modules` importable (PyPI `packages`); skipped or failed as ``path(_:package:)``.
    static func python(with modules: [String] = [], pip packages: String = "") async throws -> String {
        let found: Result<String, ThirdPartyProgram.Missing>
        do throws(ThirdPartyProgram.Missing) {
            found = .success(try await ThirdPartyProgram.python(with: modules, pip: packages))
        } catch {
            found = .failure(error)
        }
        return try available { () throws(ThirdPartyProgram.Missing) in try found.get() }
    }

    /// What `find` finds; when a program is missing, skips the running test with the reason
    /// (`Test.cancel`), or rethrows the reason when CI requires every client.
    static func available<Found>(_ find: () throws(ThirdPartyProgram.Missing) -> Found) throws -> Found {
        do {
            return try find()
        } catch {
            if ThirdPartyProgram.isRequired { throw error }
            try Test.cancel("skipped: \(error.description)")
        }
    }

    /// Runs the program without blocking a thread of the cooperative pool.
    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil) async throws -> Output {
        let process = SpawnedProcess()
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
                continuation.resume(
                    returning: Output(status: process.terminationStatus, stdout: stdout, stderr: stderr))
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
