#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock time formatted without Foundation's formatters.
package enum Timestamp {
    /// Seconds and nanoseconds since 1970.
    package static func now() -> timespec {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return ts
    }

    /// `2026-11-27T06:12:13.123Z` (RFC 3339, UTC, milliseconds).
    package static func rfc3339(_ time: timespec) -> String {
        rfc3339(seconds: Int(time.tv_sec), milliseconds: Int(time.tv_nsec) / 1_000_000)
    }

    /// `2026-11-27T06:12:13Z`, or with `.mmm` when `milliseconds` is given.
    package static func rfc3339(seconds: Int, milliseconds: Int? = nil) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))"
        text += "T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))"
        if let milliseconds { text += "." + pad(Int32(milliseconds), 3) }
        return text + "Z"
    }
}
