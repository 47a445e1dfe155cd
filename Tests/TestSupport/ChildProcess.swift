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
        startingWithDefaultSignals(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        // Spawned and listed in one step: a signal that ends this process in between would
        // otherwise leave the child running, unknown to the handler (seen under load: the bench
        // killed just after it started its server, which outlived it).
        var result: Int32 = 0
        RunningChildren.adding { () -> pid_t? in
            result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            return result == 0 ? pid : nil
        }
        guard result == 0 else { throw Failure(description: "posix_spawn \(executable) failed: errno \(result)") }
        self.pid = pid
    }

    /// Whether it has not exited yet (reaping it if it has).
    public var isRunning: Bool {
        reaped.withLock { reaped in
            var status: Int32 = 0
            if reaped == nil && waitpid(pid, &status, WNOHANG) != 0 {
                reaped = status
                RunningChildren.remove(pid)
            }
            return reaped == nil
        }
    }

    /// Makes every child still running end with this process: when it exits, or when SIGINT,
    /// SIGTERM, SIGHUP or SIGPIPE (a reader such as `| head` that stopped reading) ends it, each
    /// gets SIGTERM first. For a program that starts servers (the bench): they would otherwise
    /// keep running as orphans. Call it once, early; a SIGKILL cannot be caught, so it cannot help then.
    public static func endWithThisProcess() {
        RunningChildren.install()
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

/// The pids of the ``ChildProcess``es not yet reaped, in a fixed table; writers take the lock.
///
/// A signal that ends the process does not end the children from its handler, which could run
/// between a spawn and the table's update: the handler only tells a thread of its own (a byte on
/// a pipe), and that thread takes the lock, so a spawn under way is listed before the children
/// are ended, and then lets the signal do what it does by default.
private enum RunningChildren {
    static let capacity = 64
    nonisolated(unsafe) static let pids: UnsafeMutablePointer<pid_t> = {
        let pids = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
        pids.initialize(repeating: 0, count: capacity)
        return pids
    }()
    static let writers = Mutex(())
    /// The pipe's write end, for the signal handler (async-signal-safe: a `write`); -1 before
    /// ``install()``.
    nonisolated(unsafe) static var signalled: Int32 = -1

    /// Runs `spawn` and lists the pid it returns (nil: it failed), under the lock.
    static func adding(_ spawn: () -> pid_t?) {
        writers.withLock { _ in
            guard let pid = spawn() else { return }
            if let free = (0..<capacity).first(where: { pids[$0] == 0 }) { pids[free] = pid }
        }
    }

    static func remove(_ pid: pid_t) {
        writers.withLock { _ in
            for slot in 0..<capacity where pids[slot] == pid { pids[slot] = 0 }
        }
    }

    /// SIGTERM to every child in the table.
    static func terminateAll() {
        for slot in 0..<capacity where pids[slot] > 0 { kill(pids[slot], SIGTERM) }
    }

    /// The exit hook, the thread that ends the children on a signal, and the signal handlers.
    static func install() {
        _ = pids  // a global is initialized on first use: before any handler can run
        atexit { RunningChildren.writers.withLock { _ in RunningChildren.terminateAll() } }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        let (reading, writing) = (ends[0], ends[1])
        Thread.detachNewThread {
            var number: Int32 = 0
            while read(reading, &number, MemoryLayout<Int32>.size) == MemoryLayout<Int32>.size {
                writers.withLock { _ in terminateAll() }
                _ = signal(number, SIG_DFL)
                _ = raise(number)
            }
        }
        signalled = writing
        for number in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] {
            _ = signal(number) { number in
                var number = number
                _ = write(RunningChildren.signalled, &number, MemoryLayout<Int32>.size)
            }
        }
    }
}

/// Initializes `attributes` so the child starts with every signal unblocked and at its default:
/// the spawning thread's mask is passed on otherwise, and a Dispatch worker blocks most signals.
/// The caller destroys them (`posix_spawnattr_destroy`).
func startingWithDefaultSignals(_ attributes: inout posix_spawnattr_t) {
    posix_spawnattr_init(&attributes)
    var none = sigset_t()
    var all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
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
