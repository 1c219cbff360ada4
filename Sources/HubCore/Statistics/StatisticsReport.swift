import Foundation

/// 统计监测 as a report people read (`swhub report`, the monitor's `/statistics`): one
/// period's trade statistics, optionally of one enterprise, as a list of ``ReportSection``s
/// (tables with their charts) that every output format is made from.
///
/// The sections are ``builders``, in order; each is a function of ``Inputs``. A section for
/// other data (a reconciliation's discrepancies, risk hits) is one more input field and one
/// more builder. Only codes and organisations appear (no personal data); values are in the
/// declared currencies (section `currencies`) and in CNY at the configured rates.
public struct StatisticsReport: Sendable, Equatable {
    /// What the sections are made from.
    public struct Inputs: Sendable {
        /// The folded statistics, already narrowed to the enterprise if one was asked for.
        public var statistics: TradeStatistics
        public var period: TradeReport.Period
        /// CNY per unit of a currency, nil: no rate.
        public var rates: @Sendable (String) -> Decimal?
        /// The cross-verification of the same period and enterprise, nil: not made
        /// (StatisticsReport+Discrepancies.swift).
        public var reconciliation: ReconciliationReport?
        /// The risk rules' hits, already narrowed to the enterprise if one was asked for;
        /// nil: not counted (StatisticsReport+RiskHits.swift).
        public var risk: RiskStatistics?

        public init(
            statistics: TradeStatistics, period: TradeReport.Period, rates: @escaping @Sendable (String) -> Decimal?,
            reconciliation: ReconciliationReport? = nil, risk: RiskStatistics? = nil
        ) {
            self.statistics = statistics
            self.period = period
            self.rates = rates
            self.reconciliation = reconciliation
            self.risk = risk
        }

        /// The statistics grouped by one dimension over the period.
        func report(by dimension: TradeReport.Dimension) -> TradeReport {
            TradeReport(statistics, period: period, by: dimension, rates: rates)
        }
    }

    /// Makes one section.
    public typealias Builder = @Sendable (Inputs) -> ReportSection

    /// The sections, in the report's order.
    public static let builders: [Builder] = [
        summary, currencies, byDay, byMode, byCountry, topChapters, refusalReasons,
        discrepancySummary, riskHits,
    ]

    /// The period reported.
    public var period: TradeReport.Period
    /// The enterprise (`ebc_code`) reported, nil: all.
    public var enterprise: String?
    /// The journal's last seq the statistics hold.
    public var lastSeq: UInt64
    public var sections: [ReportSection]

    /// The report's title.
    public var title: String {
        "Trade statistics \(period)" + (enterprise.map { " · enterprise \($0)" } ?? "")
    }

    /// Makes the report.
    ///
    /// - Parameters:
    ///   - statistics: What was folded.
    ///   - period: The days reported.
    ///   - enterprise: Only this enterprise's (`ebc_code`) declarations; nil: all.
    ///   - rates: CNY per unit of a currency, nil: no rate.
    ///   - reconciliation: The cross-verification of the same period and enterprise, for the
    ///     discrepancy summary; nil: the section says it was not made.
    ///   - risk: The risk rules' hits, for the risk hits section (narrowed to the period and
    ///     enterprise here); nil: the section says they were not counted.
    public init(
        _ statistics: TradeStatistics, period: TradeReport.Period, enterprise: String?,
        rates: @escaping @Sendable (String) -> Decimal?, reconciliation: ReconciliationReport? = nil, risk: RiskStatistics? = nil
    ) {
        self.period = period
        self.enterprise = enterprise
        lastSeq = statistics.lastSeq
        let inputs = Inputs(
            statistics: enterprise.map { statistics.only(enterprise: $0) } ?? statistics, period: period, rates: rates,
            reconciliation: reconciliation, risk: enterprise.flatMap { code in risk?.only(enterprise: code) } ?? risk)
        sections = Self.builders.map { $0(inputs) }
    }

    /// A section by id.
    public func section(_ id: String) -> ReportSection? { sections.first { $0.id == id } }

    static let outcomes = TradeStatistics.Outcome.allCases

    static func figures(_ row: TradeReport.Row?, _ outcome: TradeStatistics.Outcome) -> TradeReport.Figures {
        row?.outcomes[outcome] ?? TradeReport.Figures()
    }

    /// Counts and CNY values of the outcomes, by one dimension.
    static func grouped(
        _ inputs: Inputs, by dimension: TradeReport.Dimension, id: String, title: String, key: String, keyTitle: String, note: String
    ) -> ReportSection {
        let report = inputs.report(by: dimension)
        let columns = [ReportSection.Column(key, keyTitle, .text)] + outcomeColumns
        let rows = report.rows.map { row in outcomeValues(row.key, row) }
        return ReportSection(
            id: id, title: title, note: note, columns: columns, rows: rows,
            charts: [.init(.bars, "Declarations by \(keyTitle)", series: outcomes.map(\.rawValue))])
    }

    /// A count and a CNY column per outcome.
    static var outcomeColumns: [ReportSection.Column] {
        var columns: [ReportSection.Column] = []
        for outcome in outcomes { columns.append(ReportSection.Column(outcome.rawValue, outcome.rawValue, .count)) }
        for outcome in outcomes {
            columns.append(ReportSection.Column("\(outcome.rawValue)_cny", "\(outcome.rawValue) CNY", .money))
        }
        return columns
    }

    /// A row's key, then its count and CNY value per outcome.
    static func outcomeValues(_ key: String, _ row: TradeReport.Row?) -> [ReportSection.Value] {
        var values: [ReportSection.Value] = [.text(key.isEmpty ? "(none)" : key)]
        for outcome in outcomes { values.append(.count(figures(row, outcome).count)) }
        for outcome in outcomes { values.append(.money(figures(row, outcome).cny)) }
        return values
    }

    static let summary: Builder = { inputs in
        let total = inputs.report(by: .outcome).rows.first
        let rows = outcomes.map { outcome -> [ReportSection.Value] in
            let figures = StatisticsReport.figures(total, outcome)
            let unconverted = figures.unconverted.sorted { $0.key < $1.key }.map {
                "\(ReportSection.Value.moneyText($0.value)) \($0.key)"
            }
            return [.text(outcome.rawValue), .count(figures.count), .money(figures.cny), .text(unconverted.joined(separator: "; "))]
        }
        return ReportSection(
            id: "summary", title: "Outcomes",
            note:
                "Inventories declared, released (customs' status 800), refused, cancelled (withdrawn before the release, or after it with customs' approval: the value the release still covered) and returned (with customs' approval: the amounts reversed) in the period, each counted on the day of its message; values in CNY at the configured rates, values in currencies without a rate listed apart.",
            columns: [
                .init("outcome", "outcome", .text), .init("declarations", "declarations", .count), .init("cny", "value CNY", .money),
                .init("unconverted", "without a CNY rate", .text),
            ],
            rows: rows, charts: [.init(.bars, "Declarations by outcome", series: ["declarations"])])
    }

    static let currencies: Builder = { inputs in
        let total = inputs.report(by: .outcome).rows.first
        let codes = Set(outcomes.flatMap { figures(total, $0).values.keys }).sorted()
        let rows = codes.map { code -> [ReportSection.Value] in
            let rate = inputs.rates(code)
            var values: [ReportSection.Value] = [.text(code.isEmpty ? "(none)" : code)]
            values.append(rate.map { ReportSection.Value.text($0.description) } ?? ReportSection.Value.blank)
            for outcome in outcomes {
                let value = figures(total, outcome).values[code] ?? 0
                values.append(.money(value))
                values.append(rate.map { ReportSection.Value.money(value * $0) } ?? ReportSection.Value.blank)
            }
            return values
        }
        var columns = [ReportSection.Column("currency", "currency", .text), ReportSection.Column("cny_rate", "CNY rate", .text)]
        for outcome in outcomes {
            columns.append(ReportSection.Column("\(outcome.rawValue)_value", "\(outcome.rawValue) value", .money))
            columns.append(ReportSection.Column("\(outcome.rawValue)_cny", "\(outcome.rawValue) CNY", .money))
        }
        return ReportSection(
            id: "currencies", title: "Values by declared currency",
            note:
                "The lines' total prices in the currency they were declared in (customs' currency codes), and in CNY at the rate of statistics.cny_rates; no rate, no CNY value.",
            columns: columns, rows: rows)
    }

    static let byDay: Builder = { inputs in
        let report = inputs.report(by: .day)
        let byKey = Dictionary(report.rows.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let days = days(of: inputs.period, present: report.rows.map(\.key))
        let rows = days.map { day in outcomeValues(day, byKey[day]) }
        return ReportSection(
            id: "by_day", title: "Over time",
            note: "Every day of the period (UTC): declarations by outcome and their value in CNY.",
            columns: [ReportSection.Column("day", "day", .text)] + outcomeColumns,
            rows: rows,
            charts: [
                .init(.lines, "Declarations per day", series: outcomes.map(\.rawValue)),
                .init(.bars, "Value per day (CNY)", series: ["declared_cny", "released_cny"]),
            ])
    }

    static let byMode: Builder = { inputs in
        grouped(
            inputs, by: .mode, id: "by_mode", title: "By trade mode", key: "mode", keyTitle: "trade mode",
            note: "The inventories' trade mode (9610 direct, 1210 bonded, 9710 B2B direct export, 9810 overseas warehouse).")
    }

    static let byCountry: Builder = { inputs in
        grouped(
            inputs, by: .country, id: "by_country", title: "By country or region", key: "country", keyTitle: "country",
            note: "The inventories' country or region (customs' country code).")
    }

    static let topChapters: Builder = { inputs in
        let report = inputs.report(by: .hs)
        let top = report.rows.sorted {
            (figures($0, .declared).cny, $1.key) > (figures($1, .declared).cny, $0.key)
        }.prefix(10)
        let rows = top.map { row -> [ReportSection.Value] in
            [
                .text(row.key.isEmpty ? "(none)" : row.key), .count(figures(row, .declared).count), .money(figures(row, .declared).cny),
                .count(figures(row, .released).count), .money(figures(row, .released).cny), .count(figures(row, .refused).count),
            ]
        }
        return ReportSection(
            id: "top_hs_chapters", title: "Top HS chapters",
            note: "The ten HS chapters (first two digits of a line's HS code) of the highest declared value in CNY; counts are lines.",
            columns: [
                .init("hs_chapter", "HS chapter", .text), .init("declared_lines", "declared lines", .count),
                .init("declared_cny", "declared CNY", .money), .init("released_lines", "released lines", .count),
                .init("released_cny", "released CNY", .money), .init("refused_lines", "refused lines", .count),
            ],
            rows: Array(rows), charts: [.init(.horizontalBars, "Declared value by HS chapter (CNY)", series: ["declared_cny"])])
    }

    static let refusalReasons: Builder = { inputs in
        var counts: [String: Int] = [:]
        for (cell, reasons) in inputs.statistics.refusals where inputs.period.contains(day: cell.day) {
            for (code, count) in reasons { counts[code, default: 0] += count }
        }
        let rows = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { entry -> [ReportSection.Value] in
            [.text(entry.key), .count(entry.value), .text(RefusalReason.meaning(entry.key))]
        }
        return ReportSection(
            id: "refusal_reasons", title: "Refusal reasons",
            note: "Why declarations were refused, by rule or status code (a declaration refused for several reasons counts under each).",
            columns: [.init("reason", "reason", .text), .init("refusals", "refusals", .count), .init("meaning", "meaning", .text)],
            rows: rows, charts: [.init(.horizontalBars, "Refusals by reason", series: ["refusals"])])
    }

    /// The days of a period (`YYYY-MM-DD`), each day of a month or quarter; for `.all`, the
    /// days present.
    public static func days(of period: TradeReport.Period, present: [String]) -> [String] {
        func month(_ year: Int, _ month: Int) -> [String] {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let count = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            return (1...count).map { CivilDay(year: year, month: month, day: $0).iso }
        }
        switch period {
        case .all: return present.sorted()
        case .day(let text): return [text]
        case .month(let text):
            guard let year = Int(text.prefix(4)), let number = Int(text.suffix(2)) else { return present.sorted() }
            return month(year, number)
        case .quarter(let yearText, let quarter):
            guard let year = Int(yearText) else { return present.sorted() }
            return (1...3).flatMap { month(year, (quarter - 1) * 3 + $0) }
        }
    }
}
