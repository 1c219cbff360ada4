import Foundation

/// ISO 8601 dates and date-times as ISO 20022 writes them (ISODate `2024-03-15`,
/// ISODateTime `2024-03-15T10:20:30`, with optional fraction and zone `Z` / `+08:00`),
/// turned into the customs standard's `YYYYMMDDhhmmss`. Pure arithmetic, no Foundation
/// formatters: the same text gives the same result everywhere.
enum ISODateTime {
    /// `YYYYMMDDhhmmss` of an ISODate or ISODateTime. A date alone is midnight; a time
    /// without zone is taken as written; a time with a zone is moved to `utcOffsetMinutes`
    /// (the customs clock, Beijing time +08:00 by default in ``CamtOptions``).
    /// - Returns: nil when the text is not such a date or date-time.
    static func cebTime(_ text: String, utcOffsetMinutes: Int) -> String? {
        let scalars = Array(text.trimmingCharacters(in: .whitespaces).unicodeScalars)
        func number(_ start: Int, _ length: Int) -> Int? {
            guard start + length <= scalars.count else { return nil }
            var value = 0
            for scalar in scalars[start..<start + length] {
                guard scalar.value >= 48, scalar.value <= 57 else { return nil }
                value = value * 10 + Int(scalar.value - 48)
            }
            return value
        }
        func isScalar(_ index: Int, _ expected: Unicode.Scalar) -> Bool { index < scalars.count && scalars[index] == expected }
        guard let year = number(0, 4), isScalar(4, "-"), let month = number(5, 2), isScalar(7, "-"),
            let day = number(8, 2), (1...12).contains(month), (1...daysIn(month, year)).contains(day)
        else { return nil }
        // A date alone, or with a zone (xs:date allows one, e.g. "2024-03-15+08:00"): the
        // day as written, at midnight.
        if scalars.count == 10 || (scalars.count > 10 && !isScalar(10, "T") && isZone(scalars, from: 10)) {
            return format(year, month, day, 0, 0, 0)
        }
        guard isScalar(10, "T"), var hour = number(11, 2), isScalar(13, ":"), let minute = number(14, 2),
            isScalar(16, ":"), let second = number(17, 2), hour < 24 || (hour == 24 && minute == 0 && second == 0),
            minute < 60, second < 60
        else { return nil }
        // xs:dateTime's 24:00:00 is the next day's midnight.
        var days = daysFromCivil(year, month, day)
        if hour == 24 {
            hour = 0
            days += 1
        }
        var index = 19
        if isScalar(index, ".") {
            index += 1
            let start = index
            while index < scalars.count, scalars[index].value >= 48, scalars[index].value <= 57 { index += 1 }
            if index == start { return nil }
        }
        if index == scalars.count {
            let (y, m, d) = civilFromDays(days)
            return format(y, m, d, hour, minute, second)
        }
        var zoneMinutes = 0
        if isScalar(index, "Z"), index + 1 == scalars.count {
            zoneMinutes = 0
        } else if isScalar(index, "+") || isScalar(index, "-"), index + 6 == scalars.count,
            let zoneHour = number(index + 1, 2), isScalar(index + 3, ":"), let zoneMinute = number(index + 4, 2),
            zoneHour <= 14, zoneMinute < 60
        {
            zoneMinutes = (zoneHour * 60 + zoneMinute) * (isScalar(index, "-") ? -1 : 1)
        } else {
            return nil
        }
        let seconds = (days * 86_400 + hour * 3600 + minute * 60 + second) - zoneMinutes * 60 + utcOffsetMinutes * 60
        let localDays = seconds.floorDiv(86_400)
        let secondOfDay = seconds - localDays * 86_400
        let (y, m, d) = civilFromDays(localDays)
        return format(y, m, d, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
    }

    /// Whether `scalars` from `index` to the end are a zone: "Z", or "+hh:mm" / "-hh:mm".
    private static func isZone(_ scalars: [Unicode.Scalar], from index: Int) -> Bool {
        let rest = String(String.UnicodeScalarView(scalars[index...]))
        if rest == "Z" { return true }
        guard rest.count == 6, rest.first == "+" || rest.first == "-" else { return false }
        let digits = Array(rest.dropFirst())
        guard digits[2] == ":", let hour = Int(String(digits[0...1])), let minute = Int(String(digits[3...4])) else { return false }
        return digits[0...1].allSatisfy(\.isASCIIDigitCharacter) && digits[3...4].allSatisfy(\.isASCIIDigitCharacter)
            && hour <= 14 && minute < 60
    }

    private static func format(_ values: Int...) -> String {
        zip(values, [4, 2, 2, 2, 2, 2]).map { value, width in
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }.joined()
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    private static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDiv(400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date of days since 1970-01-01 (civil_from_days).
    private static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z.floorDiv(146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int {
    /// Division rounding towards negative infinity.
    fileprivate func floorDiv(_ divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
