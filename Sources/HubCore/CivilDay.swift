/// The UTC calendar day of a journal time (microseconds since 1970), proleptic Gregorian:
/// Howard Hinnant's civil-from-days, exact for every day, with no calendar or formatter.
public struct CivilDay: Sendable, Equatable {
    /// The year.
    public var year: Int
    /// The month, 1–12.
    public var month: Int
    /// The day of the month, 1–31.
    public var day: Int

    /// A day from its parts (not checked).
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day `microseconds` after 1970-01-01T00:00Z falls on (before it when negative).
    public init(microseconds: Int64) {
        let days = Int(microseconds.quotientFloor(86_400_000_000))
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }
}

extension CivilDay {
    /// `YYYYMMDD` (the flows' day of a release and of the summary schedule).
    public var compact: String { Self.digits(year, 4) + Self.digits(month, 2) + Self.digits(day, 2) }

    /// `YYYY-MM-DD`.
    public var iso: String { Self.digits(year, 4) + "-" + Self.digits(month, 2) + "-" + Self.digits(day, 2) }

    /// A journal time as ISO 8601 in UTC to the second, `YYYY-MM-DDTHH:MM:SSZ`: what
    /// Foundation's `ISO8601DateFormatter` writes by default, without making a formatter.
    public static func isoTime(microseconds: Int64) -> String {
        let second = Int((microseconds - microseconds.quotientFloor(86_400_000_000) * 86_400_000_000) / 1_000_000)
        return CivilDay(microseconds: microseconds).iso + "T" + digits(second / 3600, 2) + ":" + digits(second / 60 % 60, 2) + ":"
            + digits(second % 60, 2) + "Z"
    }

    /// `value` in decimal, zero-padded on the left to `width` characters, a minus sign
    /// counted among them, as `String(format: "%04d")` writes it.
    private static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value.magnitude)
        let room = value < 0 ? width - 1 : width
        let padded = text.utf8.count >= room ? text : String(repeating: "0", count: room - text.utf8.count) + text
        return value < 0 ? "-" + padded : padded
    }
}

extension Int64 {
    /// The quotient rounded toward minus infinity (`/` rounds toward zero).
    fileprivate func quotientFloor(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
