import Foundation
import HubCore
import Testing

/// Journal times to UTC calendar days, across the epoch, leap days and centuries.
@Suite struct CivilDayTests {
    static let cases: [(microseconds: Int64, day: CivilDay)] = [
        (0, CivilDay(year: 1970, month: 1, day: 1)),
        (-1, CivilDay(year: 1969, month: 12, day: 31)),
        (86_400_000_000 - 1, CivilDay(year: 1970, month: 1, day: 1)),
        (951_782_400_000_000, CivilDay(year: 2000, month: 2, day: 29)),
        (951_868_800_000_000, CivilDay(year: 2000, month: 3, day: 1)),
        (4_107_542_400_000_000, CivilDay(year: 2100, month: 3, day: 1)),
        (1_796_515_200_000_000, CivilDay(year: 2026, month: 12, day: 6)),
    ]

    @Test func dayOfAJournalTime() {
        for (microseconds, day) in Self.cases {
            #expect(CivilDay(microseconds: microseconds) == day, "\(microseconds)")
        }
    }

    @Test func writtenAsTheFormattersWouldWriteThem() {
        let formatter = ISO8601DateFormatter()
        for (microseconds, _) in Self.cases where microseconds >= 0 {
            let date = Date(timeIntervalSince1970: Double(microseconds / 1_000_000))
            #expect(CivilDay.isoTime(microseconds: microseconds) == formatter.string(from: date), "\(microseconds)")
            let day = CivilDay(microseconds: microseconds)
            #expect(day.iso == String(format: "%04d-%02d-%02d", day.year, day.month, day.day))
            #expect(day.compact == String(format: "%04d%02d%02d", day.year, day.month, day.day))
        }
        #expect(CivilDay.isoTime(microseconds: 1_796_535_296_789_000) == "2026-12-06T05:34:56Z")
        #expect(CivilDay(year: -5, month: 1, day: 2).compact == String(format: "%04d%02d%02d", -5, 1, 2))
    }
}
