import Foundation

/// The report's risk hits (风险防控): each rule's hits in the period and where they stand
/// (``RiskStatistics``): rule names and counts only, never the hits' evidence.
extension StatisticsReport {
    static let riskHits: Builder = { inputs in
        var columns: [ReportSection.Column] = [.init("rule", "rule", .text), .init("hits", "hits", .count)]
        for disposition in RiskStatistics.dispositions { columns.append(.init(disposition, disposition, .count)) }
        guard let risk = inputs.risk else {
            return ReportSection(
                id: "risk_hits", title: "Risk hits", note: "The risk rules' hits were not counted for this report.", columns: columns,
                rows: [])
        }
        let counts = risk.counts(period: inputs.period)
        let rows = counts.keys.sorted().map { rule -> [ReportSection.Value] in
            let byDisposition = counts[rule] ?? [:]
            return [.text(rule), .count(byDisposition.values.reduce(0, +))]
                + RiskStatistics.dispositions.map { .count(byDisposition[$0] ?? 0) }
        }
        return ReportSection(
            id: "risk_hits", title: "Risk hits",
            note:
                "The risk rules' hits (the hub's risk notices) in the period, each counted on the day of its notice with where it stands: open (held for pre-review, undecided), released or refused by a reviewer, notified (the rule only notifies), closed (the declaration ended otherwise first).",
            columns: columns, rows: rows, charts: [.init(.horizontalBars, "Risk hits by rule", series: RiskStatistics.dispositions)])
    }
}
