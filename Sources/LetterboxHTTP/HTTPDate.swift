import LetterboxNet

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `Date` header field format, IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
package enum HTTPDate {
    /// The current time.
    package static func now() -> String {
        format(seconds: Int(Timestamp.now().tv_sec))
    }

    /// `seconds` since 1970 in UTC.
    package static func format(seconds: Int) -> String {
        let fields = CalendarFields(utcSeconds: seconds)
        return "\(fields.weekdayName), \(CalendarFields.padded(fields.day)) \(fields.monthName) "
            + "\(CalendarFields.padded(fields.year, width: 4)) \(fields.clock) GMT"
    }
}
