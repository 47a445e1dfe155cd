#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The UTC calendar fields of a moment (`gmtime_r`), for the date formats written without
/// Foundation's formatters: HTTP's IMF-fixdate, RFC 3339 timestamps, IMAP's `date-time`.
package struct CalendarFields: Sendable, Equatable {
    /// The year, e.g. 2026.
    package let year: Int
    /// 1 (January) to 12.
    package let month: Int
    /// 1 to 31.
    package let day: Int
    package let hour: Int
    package let minute: Int
    /// 0 to 60 (a leap second).
    package let second: Int
    /// 0 (Sunday) to 6.
    package let weekday: Int

    /// English month abbreviations, January first, as RFC 5322, RFC 9110 and RFC 3501 write them.
    package static let monthNames = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    /// English weekday abbreviations, Sunday first.
    package static let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// The fields of `seconds` since 1970, in UTC.
    package init(utcSeconds seconds: Int) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        year = Int(parts.tm_year) + 1900
        month = Int(parts.tm_mon) + 1
        day = Int(parts.tm_mday)
        hour = Int(parts.tm_hour)
        minute = Int(parts.tm_min)
        second = Int(parts.tm_sec)
        weekday = Int(parts.tm_wday)
    }

    /// `Jan` to `Dec`.
    package var monthName: String { Self.monthNames[(month - 1) % 12] }
    /// `Sun` to `Sat`.
    package var weekdayName: String { Self.weekdayNames[weekday % 7] }
    /// `hh:mm:ss`.
    package var clock: String { "\(Self.padded(hour)):\(Self.padded(minute)):\(Self.padded(second))" }

    /// `value` in decimal with leading zeros up to `width` digits.
    package static func padded(_ value: Int, width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
