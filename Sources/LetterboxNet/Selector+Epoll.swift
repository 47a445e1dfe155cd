#if os(Linux)
    import CSystemShims
    import Glibc

    /// Edge-triggered epoll with an eventfd for cross-thread wake-ups.
    ///
    /// `@unchecked Sendable`: `wait` (and the event buffer) is used by the loop's own thread only;
    /// `register`, `deregister` and `wake` are system calls that are safe from any thread.
    final class Selector: @unchecked Sendable {
        private let epollFD: Int32
        private let wakeFD: Int32
        private let events: UnsafeMutablePointer<lb_event>
        private static let capacity = 256

        init() throws(NetError) {
            let epollFD = lb_epoll_create()
            guard epollFD >= 0 else { throw .system("epoll_create1", errno: errno) }
            let wakeFD = lb_eventfd()
            guard wakeFD >= 0 else {
                Glibc.close(epollFD)
                throw .system("eventfd", errno: errno)
            }
            guard lb_epoll_add(epollFD, wakeFD, wakeToken) == 0 else {
                let code = errno
                Glibc.close(epollFD)
                Glibc.close(wakeFD)
                throw .system("epoll_ctl", errno: code)
            }
            self.epollFD = epollFD
            self.wakeFD = wakeFD
            self.events = .allocate(capacity: Self.capacity)
        }

        deinit {
            Glibc.close(epollFD)
            Glibc.close(wakeFD)
            events.deallocate()
        }

        /// Registers `fd` once for input, output and half-close, edge-triggered.
        func register(_ fd: Int32, token: UInt64) throws(NetError) {
            guard lb_epoll_add(epollFD, fd, token) == 0 else { throw .system("epoll_ctl", errno: errno) }
        }

        func deregister(_ fd: Int32) {
            _ = lb_epoll_del(epollFD, fd)
        }

        /// Blocks for at most `timeoutMilliseconds` (-1: forever) and calls `body` per event.
        func wait(timeoutMilliseconds: Int32, _ body: (ReadinessEvent) -> Void) {
            let count = lb_epoll_wait(epollFD, events, Int32(Self.capacity), timeoutMilliseconds)
            guard count > 0 else { return }
            for index in 0..<Int(count) {
                let event = events[index]
                if event.token == wakeToken {
                    var value: UInt64 = 0
                    _ = Glibc.read(wakeFD, &value, 8)
                }
                body(ReadinessEvent(token: event.token, readable: event.readable != 0, writable: event.writable != 0))
            }
        }

        /// Makes a concurrent or future `wait` return; safe from any thread.
        func wake() {
            var one: UInt64 = 1
            _ = Glibc.write(wakeFD, &one, 8)
        }
    }
#endif
