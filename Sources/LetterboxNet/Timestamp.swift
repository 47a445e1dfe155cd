#if canImport(Glibc)
    package import Glibc
#elseif canImport(Darwin)
    package import Darwin
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
        let fields = CalendarFields(utcSeconds: seconds)
        let pad = CalendarFields.padded
        var text = "\(pad(fields.year, 4))-\(pad(fields.month, 2))-\(pad(fields.day, 2))T\(fields.clock)"
        if let milliseconds { text += "." + pad(milliseconds, 3) }
        return text + "Z"
    }
}
