import Foundation

/// Runs a command with its output discarded; true if it exited 0.
public func runQuietly(_ executable: String, _ arguments: [String]) -> Bool {
    let process = SpawnedProcess()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}
