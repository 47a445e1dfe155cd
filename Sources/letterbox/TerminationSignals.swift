import Dispatch
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The write end of the pipe the signal handler reports to; set once, before the handler is installed.
nonisolated(unsafe) private var signalPipeWriter: Int32 = -1

/// SIGINT and SIGTERM, caught from the moment ``install()`` returns: the handler (async-signal-safe:
/// one `write`) puts the signal's number into a pipe, and ``next()`` reads it off a Dispatch
/// thread, never a thread of the cooperative pool. A signal that arrives while the catcher is
/// still starting is kept, not lost (a `DispatchSource` registers asynchronously, and a signal in
/// that gap was either ignored or fatal).
enum TerminationSignals {
    nonisolated(unsafe) private static var reader: Int32 = -1

    /// Installs the handlers; call once, first thing.
    static func install() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        reader = ends[0]
        signalPipeWriter = ends[1]
        for number in [SIGINT, SIGTERM] {
            signal(number) { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipeWriter, &byte, 1)
            }
        }
    }

    /// Waits for the first SIGINT or SIGTERM and returns its number.
    static func next() async -> Int32 {
        let reader = reader
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var byte: UInt8 = 0
                while read(reader, &byte, 1) < 0 && errno == EINTR {}
                continuation.resume(returning: Int32(byte))
            }
        }
    }
}
