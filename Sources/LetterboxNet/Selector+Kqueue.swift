#if canImport(Darwin)
    import Darwin

    /// kqueue with `EV_CLEAR` (edge-triggered, like the Linux epoll selector) and `EVFILT_USER` wake-ups.
    ///
    /// `@unchecked Sendable`: `wait` (and the event buffer) is used by the loop's own thread only;
    /// `register`, `deregister` and `wake` are system calls that are safe from any thread.
    final class Selector: @unchecked Sendable {
        private let queue: Int32
        private let events: UnsafeMutablePointer<kevent>
        private static let capacity = 256

        init() throws(NetError) {
            let queue = kqueue()
            guard queue >= 0 else { throw .system("kqueue", errno: errno) }
            var wake = kevent(
                ident: UInt(wakeToken), filter: Int16(EVFILT_USER), flags: UInt16(EV_ADD | EV_CLEAR), fflags: 0,
                data: 0, udata: nil)
            guard kevent(queue, &wake, 1, nil, 0, nil) == 0 else {
                let code = errno
                Darwin.close(queue)
                throw .system("kevent", errno: code)
            }
            self.queue = queue
            self.events = .allocate(capacity: Self.capacity)
        }

        deinit {
            Darwin.close(queue)
            events.deallocate()
        }

        func register(_ fd: Int32, token: UInt64) throws(NetError) {
            let pointer = UnsafeMutableRawPointer(bitPattern: UInt(token))
            var changes = [
                kevent(
                    ident: UInt(fd), filter: Int16(EVFILT_READ), flags: UInt16(EV_ADD | EV_CLEAR), fflags: 0, data: 0,
                    udata: pointer),
                kevent(
                    ident: UInt(fd), filter: Int16(EVFILT_WRITE), flags: UInt16(EV_ADD | EV_CLEAR), fflags: 0, data: 0,
                    udata: pointer),
            ]
            guard kevent(queue, &changes, 2, nil, 0, nil) == 0 else { throw .system("kevent", errno: errno) }
        }

        func deregister(_ fd: Int32) {
            var changes = [
                kevent(
                    ident: UInt(fd), filter: Int16(EVFILT_READ), flags: UInt16(EV_DELETE), fflags: 0, data: 0,
                    udata: nil),
                kevent(
                    ident: UInt(fd), filter: Int16(EVFILT_WRITE), flags: UInt16(EV_DELETE), fflags: 0, data: 0,
                    udata: nil),
            ]
            _ = kevent(queue, &changes, 2, nil, 0, nil)
        }

        func wait(timeoutMilliseconds: Int32, _ body: (ReadinessEvent) -> Void) {
            var timeout = timespec(
                tv_sec: Int(timeoutMilliseconds / 1000), tv_nsec: Int(timeoutMilliseconds % 1000) * 1_000_000)
            let count =
                timeoutMilliseconds < 0
                ? kevent(queue, nil, 0, events, Int32(Self.capacity), nil)
                : kevent(queue, nil, 0, events, Int32(Self.capacity), &timeout)
            guard count > 0 else { return }
            for index in 0..<Int(count) {
                let event = events[index]
                if event.filter == Int16(EVFILT_USER) {
                    body(ReadinessEvent(token: wakeToken, readable: true, writable: false))
                    continue
                }
                let token = UInt64(UInt(bitPattern: event.udata))
                let isRead = event.filter == Int16(EVFILT_READ)
                body(ReadinessEvent(token: token, readable: isRead, writable: !isRead))
            }
        }

        func wake() {
            var trigger = kevent(
                ident: UInt(wakeToken), filter: Int16(EVFILT_USER), flags: 0, fflags: UInt32(NOTE_TRIGGER), data: 0,
                udata: nil)
            _ = kevent(queue, &trigger, 1, nil, 0, nil)
        }
    }
#endif
