public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A reference server a test or the bench starts (Dovecot, `smtp-sink`), with every signal
/// unblocked and at its default, and stopped the way it expects: SIGTERM, then SIGKILL if it
/// outlives `grace`.
///
/// Foundation's `Process` passes on the spawning thread's signal mask, and a Dispatch worker
/// blocks most signals: a Dovecot master started that way never sees SIGCHLD or SIGTERM, and an
/// `smtp-sink` outlives the bench, holding its output pipe open.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// The wait status (`waitpid`) once it has been reaped (its pid may then belong to another
    /// process); nil while it runs.
    private let reaped = Mutex<Int32?>(nil)

    /// The wait status (`waitpid`) once it has been reaped: how it ended, e.g. by which signal.
    public var waitStatus: Int32? { reaped.withLock { $0 } }

    /// Starts `executable` with stdin from /dev/null and stdout and stderr appended to `output`.
    public init(_ executable: String, _ arguments: [String], output: String = "/dev/null") throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw Failure(description: "posix_spawn \(executable) failed: errno \(result)") }
        self.pid = pid
    }

    /// Whether it has not exited yet (reaping it if it has).
    public var isRunning: Bool {
        reaped.withLock { reaped in
            var status: Int32 = 0
            if reaped == nil && waitpid(pid, &status, WNOHANG) != 0 { reaped = status }
            return reaped == nil
        }
    }

    /// SIGTERM, SIGKILL after `grace` seconds, and waits until it has exited.
    public func stop(grace: Double = 5) {
        guard isRunning, kill(pid, SIGTERM) == 0 else { return }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(grace * 1e9)
        var killed = false
        while isRunning {
            if !killed && DispatchTime.now().uptimeNanoseconds > deadline {
                kill(pid, SIGKILL)
                killed = true
            }
            usleep(20_000)
        }
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }
}

/// A loopback port nobody listens on right now, for a server that cannot pick its own and report it.
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw ChildProcess.Failure(description: "no free loopback port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
