import Foundation
import Synchronization

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

/// What a command printed, and how it ended.
public struct CommandOutput: Sendable {
    /// The exit code, or the signal that ended it.
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a command with `stdin` as its input (none: an empty one), and returns what it printed
/// once it has exited and both its outputs have ended.
///
/// While it runs, its input is written and each of its outputs read on a thread of its own
/// (``onThreads(_:_:)``), never one of the cooperative pool's: a command that prints more than a
/// pipe holds (64 KiB on Linux) before it exits, or that prints while it reads more input than a
/// pipe holds (`cat`), is never left blocked on a write. Cancelling the calling task (a test's
/// time limit reached) ends the command with SIGTERM; programs it started are not signalled, and
/// while one of them keeps an output open the call still waits.
public func runCapturing(_ executable: String, _ arguments: [String], stdin: String? = nil) async throws
    -> CommandOutput
{
    let process = SpawnedProcess()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let (input, output, errors) = (Pipe(), Pipe(), Pipe())
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let printed = Mutex((stdout: Data(), stderr: Data()))
    let work: [@Sendable () throws -> Void] = [
        {
            // A command may exit without reading all of it: the write then fails (EPIPE) and what
            // it printed is still wanted. The SIGPIPE that comes with it, which this process does
            // not ignore, is blocked on this thread only, and one left pending ends with it.
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
            if let stdin { try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
            try input.fileHandleForWriting.close()
        },
        {
            let data = try output.fileHandleForReading.readToEnd() ?? Data()
            printed.withLock { $0.stdout = data }
        },
        {
            let data = try errors.fileHandleForReading.readToEnd() ?? Data()
            printed.withLock { $0.stderr = data }
        },
        { process.waitUntilExit() },
    ]
    try await withTaskCancellationHandler {
        try await onThreads(work.count) { try work[$0]() }
    } onCancel: {
        process.terminate()
    }
    return printed.withLock {
        CommandOutput(
            status: process.terminationStatus, stdout: String(decoding: $0.stdout, as: UTF8.self),
            stderr: String(decoding: $0.stderr, as: UTF8.self))
    }
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
