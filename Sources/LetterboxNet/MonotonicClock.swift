#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Monotonic nanoseconds, cheap enough to read on every I/O wait.
package enum MonotonicClock {
    package static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    package static func deadline(after duration: Duration) -> UInt64 {
        nanoseconds() &+ nanoseconds(in: duration)
    }

    /// The length of `duration` in nanoseconds (0 if negative; about 31 years at most).
    package static func nanoseconds(in duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        let whole = UInt64(min(max(0, seconds), 1_000_000_000)) * 1_000_000_000
        return whole + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
