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
        // Digits written into one buffer: interpolating padded fields made a string for each
        // (every entry of `/messages.json` and of `/events` has one of these).
        var text: [UInt8] = []
        text.reserveCapacity(24)
        func digits(_ value: Int, width: Int) {
            let decimal = String(value).utf8
            for _ in decimal.count..<max(width, decimal.count) { text.append(UInt8(ascii: "0")) }
            text += decimal
        }
        digits(fields.year, width: 4)
        text.append(UInt8(ascii: "-"))
        digits(fields.month, width: 2)
        text.append(UInt8(ascii: "-"))
        digits(fields.day, width: 2)
        text.append(UInt8(ascii: "T"))
        digits(fields.hour, width: 2)
        text.append(UInt8(ascii: ":"))
        digits(fields.minute, width: 2)
        text.append(UInt8(ascii: ":"))
        digits(fields.second, width: 2)
        if let milliseconds {
            text.append(UInt8(ascii: "."))
            digits(milliseconds, width: 3)
        }
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }
}
