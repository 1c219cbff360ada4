import Foundation

/// The report's discrepancy summary: the cross-verification (``ReconciliationReport``) of the
/// same period and enterprise, as counts per kind of discrepancy with a few examples — the
/// journal's ids of the documents they were found on (`sender:id`), never a reason's text or
/// anything personal. `swhub stats --reconcile` lists every discrepancy with its documents.
extension StatisticsReport {
    /// How many examples a kind lists.
    public static let discrepancyExamples = 3

    static let discrepancySummary: Builder = { inputs in
        let columns: [ReportSection.Column] = [
            .init("kind", "kind", .text), .init("discrepancies", "discrepancies", .count),
            .init("enterprises", "enterprises", .count), .init("meaning", "meaning", .text),
            .init("examples", "examples (sender:id of the first document)", .text),
        ]
        guard let reconciliation = inputs.reconciliation else {
            return ReportSection(
                id: "discrepancies", title: "Discrepancies",
                note: "The cross-verification was not made for this report (swhub stats --reconcile makes it).", columns: columns,
                rows: [])
        }
        let byKind = Dictionary(grouping: reconciliation.discrepancies, by: \.kind)
        let rows = ReconciliationReport.Kind.allCases.map { kind -> [ReportSection.Value] in
            let found = byKind[kind] ?? []
            let examples = found.prefix(discrepancyExamples).compactMap { discrepancy in
                discrepancy.documents.first.map { "\($0.sender):\($0.id)" }
            }
            return [
                .text(kind.rawValue), .count(found.count), .count(Set(found.map(\.enterprise)).count), .text(kind.meaning),
                .text(examples.joined(separator: " ")),
            ]
        }
        return ReportSection(
            id: "discrepancies", title: "Discrepancies",
            note:
                "The cross-verification (数据相互印证) of the period's orders, payments, waybills and releases: discrepancies by kind, each counted on the day of the document it was found on, with the enterprises concerned and the first \(discrepancyExamples) documents; swhub stats --reconcile lists them all.",
            columns: columns, rows: rows,
            // No chart of nothing but zeros.
            charts: reconciliation.discrepancies.isEmpty ? [] : [.init(.horizontalBars, "Discrepancies by kind", series: ["discrepancies"])]
        )
    }
}

extension ReconciliationReport.Kind {
    /// What the kind means, in a few words.
    public var meaning: String {
        switch self {
        case .valueMismatch: "the declared value and what was paid differ beyond the tolerance"
        case .valueNotComparable: "the values are in currencies without a CNY rate"
        case .quantityMismatch: "a released line's quantity differs from the order's"
        case .releasedUnpaid: "released, no payment after the grace"
        case .paymentUnreleased: "paid for an order, no release after the grace"
        case .paymentNoOrder: "a payment no order links to"
        case .waybillUnreleased: "a parcel shipped, no release names it after the grace"
        case .summaryUnreleased: "a summary result covers an inventory never released"
        }
    }
}
