import Foundation

/// A view of ``TradeStatistics``: one period, grouped by one dimension, each outcome's count
/// and value in the declared currencies and in CNY at the configured rates.
///
/// A value in a currency without a rate is never guessed: it stays out of `cny` and is listed
/// under `unconverted` (by currency), so a report says plainly what it could not convert.
public struct TradeReport: Sendable, Equatable {
    /// A period of UTC days: a day (`2026-11-05`), a month (`2026-11`), a quarter
    /// (`2026-Q4`), or every day.
    public enum Period: Sendable, Equatable, CustomStringConvertible {
        case all
        case day(String)
        case month(String)
        case quarter(year: String, quarter: Int)

        /// Reads `2026-11-05`, `2026-11` or `2026-Q4`; nil for anything else.
        public init?(_ text: String) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            func number(_ part: String, _ digits: Int, _ range: ClosedRange<Int>) -> Bool {
                part.count == digits && part.allSatisfy(\.isASCII) && Int(part).map(range.contains) == true
            }
            guard parts.count >= 2, number(parts[0], 4, 1...9999) else { return nil }
            if parts.count == 2, parts[1].count == 2, parts[1].first == "Q", let quarter = Int(parts[1].dropFirst()),
                (1...4).contains(quarter)
            {
                self = .quarter(year: parts[0], quarter: quarter)
            } else if parts.count == 2, number(parts[1], 2, 1...12) {
                self = .month(text)
            } else if parts.count == 3, number(parts[1], 2, 1...12), number(parts[2], 2, 1...31) {
                self = .day(text)
            } else {
                return nil
            }
        }

        /// Whether the UTC day `YYYY-MM-DD` is in the period.
        public func contains(day: String) -> Bool {
            switch self {
            case .all: return true
            case .day(let text): return day == text
            case .month(let text): return day.hasPrefix(text + "-")
            case .quarter(let year, let quarter):
                guard day.hasPrefix(year + "-"), let month = Int(day.dropFirst(5).prefix(2)) else { return false }
                return (month - 1) / 3 + 1 == quarter
            }
        }

        public var description: String {
            switch self {
            case .all: "all"
            case .day(let text), .month(let text): text
            case .quarter(let year, let quarter): "\(year)-Q\(quarter)"
            }
        }
    }

    /// What rows are grouped by.
    public enum Dimension: String, Sendable, CaseIterable {
        case outcome, direction, mode, country, hs, enterprise, platform, day, month, quarter

        func key(_ cell: TradeStatistics.Cell) -> String {
            switch self {
            case .outcome: "total"
            case .direction: cell.direction
            case .mode: cell.mode
            case .country: cell.country
            case .hs: cell.hsChapter
            case .enterprise: cell.enterprise
            case .platform: cell.platform
            case .day: cell.day
            case .month: String(cell.day.prefix(7))
            case .quarter: "\(cell.day.prefix(4))-Q\(((Int(cell.day.dropFirst(5).prefix(2)) ?? 1) - 1) / 3 + 1)"
            }
        }
    }

    /// One outcome's figures in a row.
    public struct Figures: Sendable, Equatable {
        /// Declarations (lines, in a report by HS chapter).
        public var count = 0
        /// Value by declared currency.
        public var values: [String: Decimal] = [:]
        /// The values that have a rate, in CNY, rounded to the fen.
        public var cny: Decimal = 0
        /// The values of currencies without a rate, by currency (not in ``cny``).
        public var unconverted: [String: Decimal] = [:]

        public init() {}
    }

    /// One row: a value of the dimension and each outcome's figures.
    public struct Row: Sendable, Equatable {
        public var key: String
        public var outcomes: [TradeStatistics.Outcome: Figures]
    }

    public var period: Period
    public var dimension: Dimension
    /// Rows by key, sorted.
    public var rows: [Row]

    /// Makes the report.
    ///
    /// - Parameters:
    ///   - statistics: What was folded.
    ///   - period: The days counted.
    ///   - dimension: What rows group by (`.outcome`: one row, `total`).
    ///   - rates: CNY per unit of a currency, nil: no rate.
    public init(
        _ statistics: TradeStatistics, period: Period, by dimension: Dimension, rates: (String) -> Decimal?
    ) {
        self.period = period
        self.dimension = dimension
        let cells = dimension == .hs ? statistics.lines : statistics.declarations
        var grouped: [String: [TradeStatistics.Outcome: Figures]] = [:]
        for (cell, totals) in cells where period.contains(day: cell.day) {
            var figures = grouped[dimension.key(cell), default: [:]][cell.outcome, default: Figures()]
            figures.count += totals.count
            figures.values[cell.currency, default: 0] += totals.value
            grouped[dimension.key(cell), default: [:]][cell.outcome] = figures
        }
        rows = grouped.keys.sorted().map { key in
            var outcomes = grouped[key] ?? [:]
            for (outcome, var figures) in outcomes {
                var cny: Decimal = 0
                for (currency, value) in figures.values {
                    if let rate = rates(currency) {
                        cny += value * rate
                    } else {
                        figures.unconverted[currency] = value
                    }
                }
                var rounded = Decimal()
                NSDecimalRound(&rounded, &cny, 2, .plain)
                figures.cny = rounded
                outcomes[outcome] = figures
            }
            return Row(key: key, outcomes: outcomes)
        }
    }
}
