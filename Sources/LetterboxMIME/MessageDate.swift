/// A `Date:` header value (RFC 5322 §3.3) as an instant and the zone it was written in.
///
/// Parsing is lenient: the day of the week and the seconds are optional, comments and extra
/// whitespace are skipped, month names are case-insensitive, and the obsolete forms of §4.3 are
/// read: two-digit years (below 50 are 20xx, else 19xx), three-digit years (+1900), the zone
/// names `UT`, `GMT`, `EST`, `EDT`, `CST`, `CDT`, `MST`, `MDT`, `PST` and `PDT`, and military
/// zones (taken as `-0000`, as §4.3 advises). A value type, safe to share between tasks.
public struct MessageDate: Sendable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64
    /// The writer's offset from UTC in minutes (`+0100` is 60); 0 for `-0000` and unknown zones.
    public var utcOffsetMinutes: Int

    public init(secondsSince1970: Int64, utcOffsetMinutes: Int) {
        self.secondsSince1970 = secondsSince1970
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// Parses a date-time such as `Fri, 27 Nov 2026 06:12:13 +0000`; nil when it is not one.
    public init?(parsing value: String) {
        var tokens = Self.tokens(value)
        // Optional day of the week, with or without its comma.
        if let first = tokens.first, first.count >= 3, first.allSatisfy(\.isLetter),
            Self.month(first) == nil
        {
            tokens.removeFirst()
        }
        guard tokens.count >= 4 else { return nil }
        let day: Int
        let month: Int
        if let number = Int(tokens[0]), let named = Self.month(tokens[1]) {
            day = number
            month = named
        } else if let named = Self.month(tokens[0]), let number = Int(tokens[1]) {
            // "Nov 27 2026 …", seen from some old mailers.
            day = number
            month = named
        } else {
            return nil
        }
        guard let yearValue = Int(tokens[2]), tokens[2].count <= 4 else { return nil }
        var year = yearValue
        if tokens[2].count <= 2 { year += year < 50 ? 2000 : 1900 } else if tokens[2].count == 3 { year += 1900 }
        let time = tokens[3].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2 || time.count == 3, let hour = Int(time[0]), let minute = Int(time[1]) else { return nil }
        let second = time.count == 3 ? Int(time[2]) : 0
        guard let second, (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
            (0...60).contains(second), (1...9999).contains(year)
        else { return nil }
        let offset = tokens.count > 4 ? Self.zoneOffset(tokens[4]) : 0
        guard let offset else { return nil }
        let days = Self.daysSince1970(year: year, month: month, day: day)
        let local = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        secondsSince1970 = local - Int64(offset * 60)
        utcOffsetMinutes = offset
    }

    /// Words of the value, split at whitespace and commas, comments dropped.
    private static func tokens(_ value: String) -> [Substring] {
        var cleaned = ""
        var depth = 0
        for character in value {
            if character == "(" { depth += 1 }
            if depth == 0 { cleaned.append(character == "," ? " " : character) }
            if character == ")" { depth = max(depth - 1, 0) }
        }
        return cleaned.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
    }

    private static func month(_ text: Substring) -> Int? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard text.count >= 3 else { return nil }
        return months.firstIndex(of: text.prefix(3).lowercased()).map { $0 + 1 }
    }

    /// `+hhmm` / `-hhmm`, or an obsolete zone name (RFC 5322 §4.3); nil when unreadable.
    private static func zoneOffset(_ text: Substring) -> Int? {
        if let sign = text.first, sign == "+" || sign == "-", text.count == 5,
            let value = Int(text.dropFirst()), text.dropFirst().allSatisfy(\.isNumber)
        {
            let minutes = value / 100 * 60 + value % 100
            guard value % 100 < 60 else { return nil }
            return sign == "-" ? -minutes : minutes
        }
        switch text.uppercased() {
        case "UT", "UTC", "GMT", "Z": return 0
        case "EDT": return -4 * 60
        case "EST", "CDT": return -5 * 60
        case "CST", "MDT": return -6 * 60
        case "MST", "PDT": return -7 * 60
        case "PST": return -8 * 60
        default:
            // Military zones and anything else: "-0000", the time is UTC but the zone unknown.
            return text.allSatisfy(\.isLetter) ? 0 : nil
        }
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's civil_from_days).
    package static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    package static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
