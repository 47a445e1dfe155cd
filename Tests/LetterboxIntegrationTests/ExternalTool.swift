import Foundation
import TestSupport
import Testing

/// Runs a third-party program (one we did not write) against the catcher and captures its output.
enum ExternalTool {
    typealias Output = CommandOutput

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

    /// Runs the program and hears it out (``runCapturing(_:_:stdin:)``): however much it prints
    /// or reads, without blocking a thread of the cooperative pool.
    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil) async throws -> Output {
        try await runCapturing(executable, arguments, stdin: stdin)
    }
}
