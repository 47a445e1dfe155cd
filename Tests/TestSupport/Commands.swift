import Foundation

/// Runs a command with its output discarded; true if it exited 0. The wait for it (a `mount`, a
/// Python import of a large package: up to seconds on a loaded machine) is on a thread of its
/// own, never one of the cooperative pool's (``onOwnThread(_:)``).
public func runQuietly(_ executable: String, _ arguments: [String]) async -> Bool {
    let process = SpawnedProcess()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    await process.exited()
    return process.terminationStatus == 0
}

extension SpawnedProcess {
    /// Waits until the process has exited, on a thread of its own: `waitUntilExit()` blocks its
    /// thread, which must not be one of the cooperative pool's.
    public func exited() async {
        _ = try? await onOwnThread { [self] in waitUntilExit() }
    }
}

/// Runs `body`, then `cleanup`, also when `body` throws: a `defer` for cleanup that must be
/// awaited (a child's exit or an unmount waited for off the cooperative pool), which a `defer`
/// cannot do.
public func withCleanup<Result>(
    _ cleanup: () async -> Void, _ body: () async throws -> Result
) async rethrows -> Result {
    let result: Result
    do {
        result = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return result
}
