import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A listening socket that runs `handler` in its own task for each accepted connection.
///
/// Bounds the number of open connections, counts them, and shuts down gracefully: stop accepting,
/// let each connection finish what it is doing until a deadline, then close what remains.
package final class TCPServer: Sendable {
    /// Limits and behaviour of one server.
    package struct Options: Sendable {
        package var maxConnections: Int
        /// The time budgets each connection starts with.
        package var timeouts: ConnectionTimeouts
        /// Sent to a connection over the cap before it is closed, e.g. `421 Too many connections\r\n`.
        package var overCapacityReply: [UInt8]

        package init(maxConnections: Int, timeouts: ConnectionTimeouts, overCapacityReply: [UInt8]) {
            self.maxConnections = maxConnections
            self.timeouts = timeouts
            self.overCapacityReply = overCapacityReply
        }

        /// Every wait limited by `idleTimeout` alone (no line, rate or login budget).
        package init(maxConnections: Int, idleTimeout: Duration, overCapacityReply: [UInt8]) {
            self.init(
                maxConnections: maxConnections, timeouts: ConnectionTimeouts(idle: idleTimeout),
                overCapacityReply: overCapacityReply)
        }
    }

    /// A live connection: its handle once the connection exists, and the task serving it.
    private struct Entry {
        var handle: ConnectionHandle?
        var task: Task<Void, Never>?
    }

    private struct State {
        var connections: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var acceptTask: Task<Void, Never>?
        /// Whether the listening socket still needs closing by ``shutdown(gracePeriod:)`` (never
        /// handed to an accept task).
        var ownsListener = true
        var stopped = false
    }

    /// The bound port (the kernel's choice when 0 was asked).
    package let port: Int
    package let host: String
    private let listenFD: Int32
    private let group: EventLoopGroup
    private let options: Options
    private let state = Mutex(State())
    private let openCount = Atomic<Int>(0)
    private let acceptedCount = Atomic<Int>(0)

    /// Connections open now.
    package var openConnections: Int { openCount.load(ordering: .relaxed) }
    /// Connections accepted since start.
    package var acceptedConnections: Int { acceptedCount.load(ordering: .relaxed) }

    /// Binds and listens at once (so the port is known on return); accepting starts with ``start(_:)``.
    package init(host: String, port: Int, group: EventLoopGroup, options: Options) throws(NetError) {
        let (fd, boundPort) = try Socket.listen(host: host, port: port, backlog: 1024)
        self.listenFD = fd
        self.port = boundPort
        self.host = host
        self.group = group
        self.options = options
    }

    /// Starts accepting; `handler` owns each connection and should return when it is done with it
    /// (the server closes it afterwards if the handler did not).
    package func start(_ handler: @escaping @Sendable (Connection) async -> Void) throws(NetError) {
        let loop = group.next()
        let registration = try loop.register(listenFD)
        let task = Task(executorPreference: loop) { [self] in
            await acceptLoop(registration: registration, handler: handler)
            loop.deregister(registration)
            systemClose(listenFD)
        }
        state.withLock {
            $0.acceptTask = task
            $0.ownsListener = false
        }
    }

    private func acceptLoop(
        registration: SocketRegistration, handler: @escaping @Sendable (Connection) async -> Void
    ) async {
        while !Task.isCancelled {
            guard let fd = Socket.accept(listenFD) else {
                let code = errno
                if code == EINTR || code == ECONNABORTED { continue }
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Out of descriptors: back off instead of spinning; pending peers wait in the backlog.
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                do {
                    try await registration.wait(for: .read, deadline: UInt64.max, interruptible: false)
                } catch {
                    return
                }
                continue
            }
            acceptedCount.add(1, ordering: .relaxed)
            spawn(fd: fd, handler: handler)
        }
    }

    private func spawn(fd: Int32, handler: @escaping @Sendable (Connection) async -> Void) {
        let loop = group.next()
        let overCapacity = openCount.add(1, ordering: .relaxed).newValue > options.maxConnections
        let id = state.withLock { state -> UInt64? in
            guard !state.stopped else { return nil }
            state.nextID += 1
            state.connections[state.nextID] = Entry()
            return state.nextID
        }
        let task = Task(executorPreference: loop) { [self] in
            defer {
                if let id { _ = state.withLock { $0.connections.removeValue(forKey: id) } }
                openCount.subtract(1, ordering: .relaxed)
            }
            guard let connection = try? Connection(fd: fd, loop: loop, timeouts: options.timeouts) else {
                systemClose(fd)
                return
            }
            guard let id, !overCapacity else {
                if overCapacity { connection.write(options.overCapacityReply) }
                await connection.close()
                return
            }
            let handle = connection.handle
            // A shutdown that listed the connections before this handle existed cannot drain it.
            let stopping = state.withLock { state in
                state.connections[id]?.handle = handle
                return state.stopped
            }
            if stopping { handle.drain() }
            await handler(connection)
            await connection.close()
        }
        // The task may already have finished and removed its entry; then there is nothing to keep.
        if let id { state.withLock { $0.connections[id]?.task = task } }
    }

    /// Stops accepting, asks every connection to finish, and waits up to `gracePeriod` before
    /// aborting what remains (its I/O fails and its task is cancelled). Safe to call more than once.
    package func shutdown(gracePeriod: Duration) async {
        let (task, closeListener, entries) = state.withLock { state in
            state.stopped = true
            let task = state.acceptTask
            state.acceptTask = nil
            defer { state.ownsListener = false }
            return (task, state.ownsListener, Array(state.connections.values))
        }
        if closeListener { systemClose(listenFD) }
        task?.cancel()
        await task?.value
        for entry in entries { entry.handle?.drain() }
        if await !waitForNoConnections(timeout: gracePeriod) {
            let remaining = state.withLock { Array($0.connections.values) }
            for entry in remaining {
                entry.handle?.abort()
                entry.task?.cancel()
            }
            _ = await waitForNoConnections(timeout: .seconds(5))
        }
    }

    /// Waits until no connection is open; false if `timeout` passed first. Shutdown is rare and
    /// short, so a fine-grained check beats the bookkeeping of a wake-up here.
    private func waitForNoConnections(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while openCount.load(ordering: .relaxed) > 0 {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}
