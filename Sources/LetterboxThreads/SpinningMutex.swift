#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value behind a lock that spins briefly before it sleeps and never hands itself to a sleeping
/// thread, for short critical sections many threads enter in turn (a Maildir delivery's id and
/// bookkeeping).
///
/// Why not `Synchronization.Mutex`: on Linux it is a priority-inheritance futex
/// (`FUTEX_LOCK_PI`), whose unlock hands the lock straight to a sleeping waiter. Under contention
/// every hand-off then waits for that thread to be scheduled, while the threads that are running
/// queue behind it: a convoy, one context switch per critical section. This is glibc's adaptive
/// mutex (`PTHREAD_MUTEX_ADAPTIVE_NP`): a thread that finds it held spins a little first (the
/// holder is usually about to leave), and an unlock only wakes a waiter, so a running thread may
/// take the lock before it. On Darwin it is a default pthread mutex (not priority-inheriting either).
///
/// `@unchecked Sendable`: `value` is only reached between lock and unlock, as with `Mutex`; the
/// pthread object lives at a fixed heap address for the object's whole life.
package final class SpinningMutex<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        #if canImport(Glibc)
            pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        #endif
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock; not reentrant.
    package func withLock<Result, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
