import LetterboxMIME
import LetterboxNet
import LetterboxText

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// IMAP dates without Foundation formatters: INTERNALDATE output and SEARCH day comparisons.
enum IMAPDate {
    static let months = CalendarFields.monthNames

    private static func utc(_ date: Date) -> CalendarFields {
        CalendarFields(utcSeconds: Int(date.timeIntervalSince1970))
    }

    /// `27-Nov-2026 06:12:13 +0000` (RFC 3501 `date-time`, always UTC).
    static func internalDate(_ date: Date) -> String {
        let fields = utc(date)
        let day = fields.day < 10 ? " \(fields.day)" : "\(fields.day)"
        return "\(day)-\(fields.monthName)-\(fields.year) \(fields.clock) +0000"
    }

    /// Parses `21-Nov-1997 09:55:06 -0600` (RFC 3501 `date-time`; the day may be space-padded).
    static func dateTime(_ text: String) -> Date? {
        let fields = text.trimmingWhitespace().split(separator: " ")
        guard fields.count == 3 else { return nil }
        let dayParts = fields[0].split(separator: "-")
        let clock = fields[1].split(separator: ":")
        let zone = fields[2]
        guard dayParts.count == 3, let day = Int(dayParts[0]), (1...31).contains(day),
            let month = months.firstIndex(where: { $0.equalsIgnoringCase(dayParts[1]) }),
            dayParts[2].count == 4, let year = Int(dayParts[2]),
            clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            zone.count == 5, let sign = zone.first, sign == "+" || sign == "-", let offset = Int(zone.dropFirst())
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let utc = timegm(&parts)
        let offsetSeconds = (offset / 100 * 3600 + offset % 100 * 60) * (sign == "-" ? -1 : 1)
        return Date(timeIntervalSince1970: Double(utc - offsetSeconds))
    }

    /// The UTC calendar day of `date`.
    static func day(of date: Date) -> SearchDate {
        let fields = utc(date)
        return SearchDate(year: fields.year, month: fields.month, day: fields.day)
    }

    /// The calendar day a `Date:` header names, ignoring time and zone (RFC 3501 §6.4.4 SENT*).
    /// Accepts RFC 5322 and obsolete forms: the first day number, month name and year found.
    static func day(ofHeader value: String) -> SearchDate? {
        var day: Int?, month: Int?, year: Int?
        for token in value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }) {
            if month == nil, let index = months.firstIndex(where: { token.lowercased().hasPrefix($0.lowercased()) }) {
                month = index + 1
            } else if let number = Int(token) {
                if day == nil && number >= 1 && number <= 31 && token.count <= 2 {
                    day = number
                } else if year == nil && token.count == 4 {
                    year = number
                } else if year == nil && token.count == 2 {
                    year = number < 50 ? 2000 + number : 1900 + number  // RFC 5322 §4.3
                }
            }
        }
        guard let day, let month, let year else { return nil }
        return SearchDate(year: year, month: month, day: day)
    }
}
