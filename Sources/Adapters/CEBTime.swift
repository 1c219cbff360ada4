/// The customs standard's time strings, computed from microseconds since the Unix epoch in
/// UTC without Foundation's formatters (pure arithmetic: the same input gives the same
/// string everywhere).
public enum CEBTime {
    /// `YYYYMMDDhhmmssSSS` (the standard's returnTime, 17 digits).
    public static func returnTime(_ microseconds: Int64) -> String {
        let parts = Parts(microseconds)
        return date(parts) + pad(parts.hour, 2) + pad(parts.minute, 2) + pad(parts.second, 2) + pad(parts.millisecond, 3)
    }

    /// `YYYYMMDDhhmmss` (the standard's appTime).
    public static func appTime(_ microseconds: Int64) -> String {
        let parts = Parts(microseconds)
        return date(parts) + pad(parts.hour, 2) + pad(parts.minute, 2) + pad(parts.second, 2)
    }

    /// `YYYYMMDD`.
    public static func date(_ microseconds: Int64) -> String { date(Parts(microseconds)) }

    /// The four-digit year.
    public static func year(_ microseconds: Int64) -> String { pad(Parts(microseconds).year, 4) }

    private static func date(_ parts: Parts) -> String {
        pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Calendar fields of an instant, UTC (proleptic Gregorian calendar).
    private struct Parts {
        var year, month, day, hour, minute, second, millisecond: Int64

        init(_ microseconds: Int64) {
            let milliseconds = microseconds.floorDivided(by: 1000)
            let seconds = milliseconds.floorDivided(by: 1000)
            millisecond = milliseconds - seconds * 1000
            let days = seconds.floorDivided(by: 86_400)
            let secondOfDay = seconds - days * 86_400
            hour = secondOfDay / 3600
            minute = secondOfDay % 3600 / 60
            second = secondOfDay % 60
            // Howard Hinnant's civil_from_days.
            let z = days + 719_468
            let era = z.floorDivided(by: 146_097)
            let dayOfEra = z - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let monthIndex = (5 * dayOfYear + 2) / 153
            day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
            month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
            year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        }
    }
}

extension Int64 {
    /// Division rounding towards negative infinity (times before 1970 stay correct).
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
