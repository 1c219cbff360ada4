import FlowSamples
import Foundation
import HubCore
import Testing

/// The report's discrepancy summary: a month with discrepancies of every kind planted
/// (``SampleReconcileMonth``), counted per kind as the test works them out from the plants;
/// a few examples, the documents' ids only; no cross-verification, an empty section that
/// says so.
@Suite("Statistics report discrepancies")
struct StatisticsReportDiscrepancyTests {
    static func report(enterprise: String? = nil) -> StatisticsReport {
        let reconciliation = ReconciliationTests.report(enterprise: enterprise)
        var statistics = TradeStatistics()
        statistics.fold(ReconciliationTests.records(ReconciliationTests.month.records))
        return StatisticsReport(
            statistics, period: .all, enterprise: enterprise, rates: { ReconciliationTests.rates[$0] }, reconciliation: reconciliation)
    }

    @Test func everyKindIsCountedWithAFewExamples() throws {
        let section = try #require(Self.report().section("discrepancies"))
        // `KIND sender:id` of what must be found, by kind.
        var expected: [String: [String]] = [:]
        for entry in ReconciliationTests.expected(ReconciliationTests.month, graceDays: 7) {
            let parts = entry.split(separator: " ", maxSplits: 1).map(String.init)
            expected[parts[0], default: []].append(parts[1])
        }
        #expect(section.rows.map { $0[0].text } == ReconciliationReport.Kind.allCases.map(\.rawValue))
        for row in section.rows {
            let kind = row[0].text
            let documents = expected[kind] ?? []
            #expect(row[1] == .count(documents.count), "\(kind)")
            let examples = row[4].text.split(separator: " ").map(String.init)
            #expect(examples.count == min(documents.count, StatisticsReport.discrepancyExamples), "\(kind)")
            #expect(examples.allSatisfy(documents.contains), "\(kind): \(examples)")
            #expect(!row[3].text.isEmpty)
        }
        #expect(section.rows.contains { $0[1] == .count(0) } && section.rows.filter { $0[1] != .count(0) }.count >= 7)
        #expect(section.charts.count == 1)
    }

    @Test func oneEnterpriseAndNoCrossVerification() throws {
        let enterprise = "1101E00002"
        let whole = ReconciliationTests.report(enterprise: enterprise)
        let section = try #require(Self.report(enterprise: enterprise).section("discrepancies"))
        let counted = section.column("discrepancies").map { Int($0.number) }.reduce(0, +)
        #expect(counted == whole.discrepancies.count && counted > 0)
        #expect(section.column("enterprises").allSatisfy { $0.number <= 1 })
        let none = StatisticsReport(TradeStatistics(), period: .all, enterprise: nil, rates: { _ in nil })
        #expect(none.section("discrepancies")?.rows.isEmpty == true)
        #expect(none.section("discrepancies")?.note.contains("not made") == true)
        // Nothing found: every kind at 0, no chart of zeros.
        let quiet = StatisticsReport(
            TradeStatistics(), period: .all, enterprise: nil, rates: { _ in nil },
            reconciliation: ReconciliationTests.report(Reconciliation()))
        #expect(quiet.section("discrepancies")?.rows.count == 8 && quiet.section("discrepancies")?.charts.isEmpty == true)
    }
}
