import Foundation

/// One section of a report people read (``StatisticsReport``): a title, a table, and the
/// charts drawn from that table. Every output (JSON, CSV, HTML, PDF, the monitor's page) is
/// made from sections alone, so a new section is one more value in the report's list.
public struct ReportSection: Sendable, Equatable {
    /// A column: its stable name (JSON field, CSV `column`), its heading, what it holds.
    public struct Column: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable {
            /// A code or a name (the first column: the row's key).
            case text
            /// A whole number.
            case count
            /// An amount with two decimals, written as a decimal string.
            case money
        }

        public var id: String
        public var title: String
        public var kind: Kind

        public init(_ id: String, _ title: String, _ kind: Kind) {
            self.id = id
            self.title = title
            self.kind = kind
        }
    }

    /// One cell.
    public enum Value: Sendable, Equatable {
        case text(String)
        case count(Int)
        /// Rounded to two decimals when written.
        case money(Decimal)
        /// No figure (a currency without a rate has no CNY value).
        case blank
    }

    /// A chart of some columns of the table, one series per column, by the first column.
    public struct Chart: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable {
            /// Lines over the rows in order (days).
            case lines
            /// Grouped vertical bars.
            case bars
            /// Horizontal bars (long lists: reasons, chapters).
            case horizontalBars
        }

        public var kind: Kind
        public var title: String
        /// The columns drawn (ids of count or money columns).
        public var series: [String]

        public init(_ kind: Kind, _ title: String, series: [String]) {
            self.kind = kind
            self.title = title
            self.series = series
        }
    }

    /// Stable name (JSON `id`, CSV `section`).
    public var id: String
    public var title: String
    /// A sentence saying what the table counts.
    public var note: String
    public var columns: [Column]
    public var rows: [[Value]]
    public var charts: [Chart]

    public init(id: String, title: String, note: String, columns: [Column], rows: [[Value]], charts: [Chart] = []) {
        self.id = id
        self.title = title
        self.note = note
        self.columns = columns
        self.rows = rows
        self.charts = charts
    }

    /// The values of one column, in row order.
    public func column(_ id: String) -> [Value] {
        guard let index = columns.firstIndex(where: { $0.id == id }) else { return [] }
        return rows.map { index < $0.count ? $0[index] : .blank }
    }
}

extension ReportSection.Value {
    /// The value as written in JSON and CSV: a money value with its two decimals, a count
    /// in digits, blank as "".
    public var text: String {
        switch self {
        case .text(let text): text
        case .count(let count): String(count)
        case .money(let value): Self.moneyText(value)
        case .blank: ""
        }
    }

    /// The value as a number for a chart (none: 0).
    public var number: Double {
        switch self {
        case .count(let count): Double(count)
        case .money(let value): NSDecimalNumber(decimal: value).doubleValue
        case .text(let text): Double(text) ?? 0
        case .blank: 0
        }
    }

    /// An amount with its two decimals, rounded half up (`15010.00`).
    public static func moneyText(_ value: Decimal) -> String {
        var value = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.numberStyle = .decimal
        formatter.usesGroupingSeparator = false
        formatter.minimumFractionDigits = 2
        formatter.maximumFractionDigits = 2
        return formatter.string(from: rounded as NSDecimalNumber) ?? rounded.description
    }
}
