import Foundation

/// Programs we did not write that some tests drive (swaks, curl, Dovecot, Python libraries…).
///
/// On a fresh machine they may be missing: such a test is then skipped with a reason that names
/// the package to install. `.ci/run` installs them and sets `LETTERBOX_REQUIRE_CLIENTS=1`, which
/// turns every missing program into a failure instead, so CI can never pass by skipping.
public enum ThirdPartyProgram {
    /// Whether a missing program fails the test (`LETTERBOX_REQUIRE_CLIENTS=1`) rather than skipping it.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["LETTERBOX_REQUIRE_CLIENTS"] == "1" }

    /// Why a test cannot run here: what is missing and how to install it.
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// `name` found on `PATH`.
    public static func locate(_ name: String, package: String) throws(Missing) -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Missing("\(name) is not installed (apt-get install \(package); .ci/run does this)")
    }

    /// A program at a fixed path (a daemon's helper such as `/usr/lib/dovecot/imap`).
    public static func require(_ path: String, package: String) throws(Missing) {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Missing("\(path) is missing (apt-get install \(package); .ci/run does this)")
        }
    }

    /// Python 3 with every module in `modules` importable; the `python3` path. The import is
    /// tried in a child (seconds for a large package on a loaded machine), waited for off the
    /// cooperative pool.
    public static func python(with modules: [String] = [], pip packages: String = "") async throws(Missing) -> String {
        let python = try locate("python3", package: "python3")
        if modules.isEmpty { return python }
        guard await runQuietly(python, ["-c", "import " + modules.joined(separator: ", ")]) else {
            throw Missing(
                "Python module \(modules.joined(separator: " or ")) is not installed "
                    + "(python3 -m pip install \(packages); .ci/run does this)")
        }
        return python
    }
}
