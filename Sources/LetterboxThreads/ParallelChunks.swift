import Synchronization

extension BlockingPool {
    /// Runs `body` over `0..<count` in chunks on the calling thread and on up to `helpers` pool
    /// threads, and returns once every chunk is done.
    ///
    /// The caller takes chunks too and only ever waits for chunks a helper has already started, so
    /// this cannot deadlock even when called from a pool thread while every other one is busy.
    package func forEachChunk(
        count: Int, chunkSize: Int, helpers: Int, _ body: @escaping @Sendable (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let chunks = (count + chunkSize - 1) / chunkSize
        let next = Atomic<Int>(0)
        let running = Mutex(0)
        let condition = Condition()
        @Sendable func drain() {
            while true {
                let chunk = next.add(1, ordering: .relaxed).oldValue
                guard chunk < chunks else { return }
                body(chunk * chunkSize..<min(count, (chunk + 1) * chunkSize))
            }
        }
        for _ in 0..<min(helpers, chunks - 1) {
            submit {
                condition.lock()
                running.withLock { $0 += 1 }
                condition.unlock()
                drain()
                condition.lock()
                running.withLock { $0 -= 1 }
                condition.broadcast()
                condition.unlock()
            }
        }
        drain()
        condition.lock()
        while running.withLock({ $0 }) > 0 { condition.wait() }
        condition.unlock()
    }
}
