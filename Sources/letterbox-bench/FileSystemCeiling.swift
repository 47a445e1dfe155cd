import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the disk itself allows for the Maildir's durability promise, measured beside the store:
/// `connections` threads each delivering files as fast as the file system lets them, doing only
/// what a message must go through before SMTP may answer 250 (create in `tmp/`, write, fsync,
/// rename into `new/`, fsync `new/`), with no SMTP, no log, no index. Two journal commits per
/// message in sequence, so at best `connections / (2 × commit latency)` messages per second.
/// With `sync` false, the same without the two fsyncs: the ceiling of `--maildir-fsync never`,
/// which file creation and renames in two shared folders bound.
enum FileSystemCeiling {
    struct Result {
        /// Files per second over all threads.
        var rate: Double
        /// Median of one 1 KiB append + fdatasync on its own (one journal commit), milliseconds.
        var commitLatency: Double
    }

    static func measure(
        in folder: String, connections: Int, size: Int, perConnection: Int, sync: Bool = true
    ) throws -> Result {
        for sub in ["tmp", "new"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(sub)", withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = [UInt8](repeating: 0x78, count: size)
        let newFD = open("\(folder)/new", O_RDONLY | O_DIRECTORY)
        defer { close(newFD) }

        let logFD = open("\(folder)/commit-latency", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        var latencies: [Double] = []
        for _ in 0..<200 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = bytes.prefix(1024).withUnsafeBytes { write(logFD, $0.baseAddress, $0.count) }
            _ = fdatasync(logFD)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        close(logFD)
        latencies.sort()

        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        for thread in 0..<connections {
            group.enter()
            Thread {
                for index in 0..<perConnection {
                    let name = "\(thread)-\(index)"
                    let temporary = "\(folder)/tmp/\(name)"
                    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    if sync { _ = fsync(fd) }
                    close(fd)
                    _ = rename(temporary, "\(folder)/new/\(name)")
                    if sync { _ = fsync(newFD) }
                }
                group.leave()
            }.start()
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Result(
            rate: Double(connections * perConnection) / seconds, commitLatency: latencies[latencies.count / 2])
    }
}
