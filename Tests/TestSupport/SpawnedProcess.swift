public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(Darwin)
    /// Foundation's `Process`: on Darwin it has no descriptor-listing bug to avoid.
    public typealias SpawnedProcess = Process
#else
    /// A child process with the part of Foundation's `Process` API the tests use, started with
    /// posix_spawn(3).
    ///
    /// Foundation's `Process.run()` on Linux lists `/proc/self/fd` by copying each entry's whole
    /// 256-octet `d_name`, reading past the end of glibc's directory buffer; with about a thousand
    /// descriptors open, as a test process with many sockets has, that read can cross into an
    /// unmapped page and crash the whole test run (swift-corelibs-foundation#5472, seen here in
    /// `Process.run()` → `memmove`). This launcher closes the inherited descriptors with
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34) instead.
    public final class SpawnedProcess: @unchecked Sendable {
        // @unchecked: the launch settings are set before `run()` on one thread, as with `Process`;
        // what changes afterwards (pid, exit status) is behind `state`.
        public var executableURL: URL?
        public var arguments: [String]?
        /// The environment; nil is the test process's own.
        public var environment: [String: String]?
        /// A `Pipe`, a `FileHandle`, or nil for /dev/null; by default the test process's own.
        public var standardInput: Any? = FileHandle.standardInput
        public var standardOutput: Any? = FileHandle.standardOutput
        public var standardError: Any? = FileHandle.standardError
        /// Called on a thread of its own once the process has exited.
        public var terminationHandler: (@Sendable (SpawnedProcess) -> Void)?

        private struct State {
            var pid: pid_t = 0
            var status: Int32?
        }
        private let state = Mutex(State())
        private let exited = DispatchSemaphore(value: 0)

        public init() {}

        public var processIdentifier: Int32 { state.withLock { $0.pid } }
        public var isRunning: Bool { state.withLock { $0.pid != 0 && $0.status == nil } }

        /// The exit code, or the signal that ended it (see ``terminationReason``).
        public var terminationStatus: Int32 {
            guard let status = state.withLock({ $0.status }) else { return 0 }
            return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
        }

        public var terminationReason: Process.TerminationReason {
            guard let status = state.withLock({ $0.status }) else { return .exit }
            return status & 0x7f == 0 ? .exit : .uncaughtSignal
        }

        public struct LaunchFailure: Error, CustomStringConvertible {
            public let description: String
        }

        public func run() throws {
            guard let executable = executableURL?.path else { throw LaunchFailure(description: "no executable") }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            var parentEnds: [FileHandle] = []
            for (target, setting, reads) in [
                (Int32(0), standardInput, true), (Int32(1), standardOutput, false), (Int32(2), standardError, false),
            ] {
                switch setting {
                case let pipe as Pipe:
                    let childEnd = reads ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                    posix_spawn_file_actions_adddup2(&actions, childEnd.fileDescriptor, target)
                    parentEnds.append(childEnd)
                case let handle as FileHandle:
                    posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
                default:
                    posix_spawn_file_actions_addopen(&actions, target, "/dev/null", reads ? O_RDONLY : O_WRONLY, 0)
                }
            }
            guard let closeFrom = Self.closeFrom else {
                throw LaunchFailure(description: "posix_spawn_file_actions_addclosefrom_np needs glibc 2.34")
            }
            _ = closeFrom(&actions, 3)
            var attributes = posix_spawnattr_t()
            startingWithDefaultSignals(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }

            let argv = ([executable] + (arguments ?? [])).map { strdup($0) } + [nil]
            defer { for argument in argv { free(argument) } }
            let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") }
            let envp = variables + [nil]
            defer { for variable in variables { free(variable) } }
            var pid: pid_t = 0
            let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            guard result == 0 else {
                throw LaunchFailure(description: "posix_spawn \(executable): \(String(cString: strerror(result)))")
            }
            // The child has its copies: the parent keeps only its own ends, so a reader sees the
            // end of the output once the child exits.
            for end in parentEnds { try? end.close() }
            state.withLock { $0.pid = pid }
            Thread.detachNewThread { [self, pid] in
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                state.withLock { $0.status = status }
                terminationHandler?(self)
                exited.signal()
            }
        }

        /// Blocks until the process has exited.
        public func waitUntilExit() {
            exited.wait()
            exited.signal()  // a later call returns at once
        }

        /// SIGTERM.
        public func terminate() {
            let pid = state.withLock { $0.status == nil ? $0.pid : 0 }
            if pid > 0 { kill(pid, SIGTERM) }
        }

        private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does
        /// not export.
        private static let closeFrom: CloseFrom? = {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
            else { return nil }
            return unsafeBitCast(symbol, to: CloseFrom.self)
        }()
    }
#endif
