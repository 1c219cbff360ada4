import FlowSamples
import Foundation
import HubCore
import HubProtocol
import Testing

/// The report people read (`swhub report`): a generated month folded, its sections compared
/// with figures the test adds up itself from the filings; refusal reasons kept as codes only
/// (never the feedback's text); one enterprise's report; the days of a period.
@Suite("Statistics report")
struct StatisticsReportTests {
    static let novemberUs: Int64 = 1_793_491_200_000_000  // 2026-11-01T00:00:00Z
    static let month = SampleTradeMonth(count: 500, startUs: novemberUs, seed: 2117)
    static let rates: [String: Decimal] = ["502": Decimal(string: "7.1")!, "300": Decimal(string: "7.7")!]

    static func rate(_ currency: String) -> Decimal? { currency == "142" ? 1 : rates[currency] }

    static func folded() -> TradeStatistics {
        var statistics = TradeStatistics()
        statistics.fold(
            month.records.enumerated().map { index, record in
                TradeStatistics.Record(
                    seq: UInt64(index + 1), type: record.type, sender: record.sender, id: record.id,
                    journaledAtUs: record.journaledAtUs, body: record.body)
            })
        return statistics
    }

    static func inNovember(_ us: Int64) -> Bool { TradeStatistics.day(us).hasPrefix("2026-11-") }

    static func report(enterprise: String? = nil) -> StatisticsReport {
        StatisticsReport(folded(), period: .month("2026-11"), enterprise: enterprise, rates: { rate($0) })
    }

    /// A section's rows by key: column id → value text.
    static func rows(_ report: StatisticsReport, _ id: String) -> [String: [String: String]] {
        guard let section = report.section(id) else { return [:] }
        var rows: [String: [String: String]] = [:]
        for row in section.rows {
            rows[row[0].text] = Dictionary(uniqueKeysWithValues: zip(section.columns.map(\.id), row.map(\.text)))
        }
        return rows
    }

    /// Declarations per outcome in November, from the filings.
    static func expectedCounts(_ filings: [SampleTradeMonth.Filing]) -> [String: Int] {
        var counts = ["declared": 0, "released": 0, "refused": 0]
        for filing in filings {
            if inNovember(filing.filedAtUs) { counts["declared", default: 0] += 1 }
            if filing.fate == .released, inNovember(filing.endedAtUs) { counts["released", default: 0] += 1 }
            if filing.fate == .refused, inNovember(filing.endedAtUs) { counts["refused", default: 0] += 1 }
        }
        return counts
    }

    @Test func theSectionsComeInOrder() {
        let ids = Self.report().sections.map(\.id)
        #expect(
            ids == [
                "summary", "currencies", "by_day", "by_mode", "by_country", "top_hs_chapters", "refusal_reasons", "discrepancies",
                "risk_hits",
            ])
    }

    @Test func outcomesAndDaysAddUpToTheFilings() throws {
        let report = Self.report()
        let expected = Self.expectedCounts(Self.month.filings)
        let summary = Self.rows(report, "summary")
        for (outcome, count) in expected {
            #expect(summary[outcome]?["declarations"] == String(count), "\(outcome)")
        }
        // Every day of November, once, and the days add up to the month.
        let days = try #require(report.section("by_day"))
        #expect(days.rows.count == 30 && days.rows.first?.first?.text == "2026-11-01" && days.rows.last?.first?.text == "2026-11-30")
        for outcome in ["declared", "released", "refused"] {
            let sum = days.column(outcome).reduce(0) { $0 + Int($1.number) }
            #expect(sum == expected[outcome], "\(outcome) by day")
        }
        // The declared value in CNY, added up from the lines at the rates (JPY has none).
        var declaredCNY: Decimal = 0
        var unconvertedJPY: Decimal = 0
        for filing in Self.month.filings where Self.inNovember(filing.filedAtUs) {
            for item in filing.inventory.inventoryList {
                let currency = item.currency.isEmpty ? filing.inventory.currency : item.currency
                let value = Decimal(string: item.totalPrice, locale: Locale(identifier: "en_US_POSIX"))!
                if let rate = Self.rate(currency) { declaredCNY += value * rate } else { unconvertedJPY += value }
            }
        }
        #expect(summary["declared"]?["cny"] == ReportSection.Value.moneyText(declaredCNY))
        #expect(summary["declared"]?["unconverted"] == "\(ReportSection.Value.moneyText(unconvertedJPY)) 116")
        let currencies = Self.rows(report, "currencies")
        #expect(currencies["116"]?["cny_rate"] == "" && currencies["116"]?["declared_cny"] == "")
        #expect(currencies["502"]?["cny_rate"] == "7.1")
    }

    @Test func modesCountriesAndChaptersAddUp() throws {
        let report = Self.report()
        var modes: [String: Int] = [:]
        var countries: [String: Int] = [:]
        var chapters: [String: Int] = [:]
        for filing in Self.month.filings where Self.inNovember(filing.filedAtUs) {
            modes[filing.inventory.tradeMode, default: 0] += 1
            countries[filing.inventory.country, default: 0] += 1
            for item in filing.inventory.inventoryList { chapters[String(item.gcode.prefix(2)), default: 0] += 1 }
        }
        #expect(Self.rows(report, "by_mode").mapValues { Int($0["declared"] ?? "") ?? -1 } == modes)
        #expect(Self.rows(report, "by_country").mapValues { Int($0["declared"] ?? "") ?? -1 } == countries)
        let top = try #require(report.section("top_hs_chapters"))
        #expect(Self.rows(report, "top_hs_chapters").mapValues { Int($0["declared_lines"] ?? "") ?? -1 } == chapters)
        let values = top.column("declared_cny").map(\.number)
        #expect(values == values.sorted(by: >), "the chapters of the highest value first")
    }

    @Test func refusalReasonsAreCodesCountedPerDeclaration() throws {
        let report = Self.report()
        var expected: [String: Int] = [:]
        for filing in Self.month.filings where filing.fate == .refused && Self.inNovember(filing.endedAtUs) {
            for code in filing.refusalCodes { expected[code, default: 0] += 1 }
        }
        #expect(expected.count == 6, "the month refuses for each kind of reason: \(expected)")
        let counted = Self.rows(report, "refusal_reasons").mapValues { Int($0["refusals"] ?? "") ?? -1 }
        #expect(counted == expected)
        let section = try #require(report.section("refusal_reasons"))
        let counts = section.column("refusals").map(\.number)
        #expect(counts == counts.sorted(by: >))
        #expect(section.rows.allSatisfy { !$0[2].text.isEmpty }, "every code has its meaning")
        // Nothing of the feedback's text (names, phones, codes of persons) reaches any section.
        let everything = report.sections.flatMap { $0.rows.flatMap { $0.map(\.text) } }.joined(separator: " ")
        for text in ["张三", "李四", "13800000000", "LN001", "91110000000000001X"] {
            #expect(!everything.contains(text), "\(text) in the report")
        }
    }

    @Test func oneEnterprisesReportHoldsOnlyItsDeclarations() {
        let enterprise = "1101E00002"
        let report = Self.report(enterprise: enterprise)
        #expect(report.title.contains(enterprise))
        let expected = Self.expectedCounts(Self.month.filings.filter { $0.inventory.ebcCode == enterprise })
        let summary = Self.rows(report, "summary")
        #expect(expected["declared"]! > 0)
        for (outcome, count) in expected {
            #expect(summary[outcome]?["declarations"] == String(count), "\(outcome)")
        }
        var refusals: [String: Int] = [:]
        for filing in Self.month.filings
        where filing.inventory.ebcCode == enterprise && filing.fate == .refused && Self.inNovember(filing.endedAtUs) {
            for code in filing.refusalCodes { refusals[code, default: 0] += 1 }
        }
        #expect(Self.rows(report, "refusal_reasons").mapValues { Int($0["refusals"] ?? "") ?? -1 } == refusals)
        let none = StatisticsReport(Self.folded(), period: .month("2026-11"), enterprise: "nobody", rates: { Self.rate($0) })
        #expect(none.section("summary")?.rows.allSatisfy { $0[1] == .count(0) } == true)
        #expect(none.section("by_mode")?.rows.isEmpty == true && none.section("by_day")?.rows.count == 30)
    }

    @Test func periodsListTheirDays() {
        #expect(StatisticsReport.days(of: .month("2028-02"), present: []).count == 29)
        #expect(StatisticsReport.days(of: .month("2100-02"), present: []).count == 28)
        let quarter = StatisticsReport.days(of: .quarter(year: "2026", quarter: 4), present: [])
        #expect(quarter.count == 92 && quarter.first == "2026-10-01" && quarter.last == "2026-12-31")
        #expect(StatisticsReport.days(of: .day("2026-11-05"), present: ["2026-11-04"]) == ["2026-11-05"])
        let december = StatisticsReport(Self.folded(), period: .day("2026-12-01"), enterprise: nil, rates: { Self.rate($0) })
        #expect(december.section("by_day")?.rows.count == 1)
    }

    @Test func refusalCodesOfFeedbacks() {
        func feedback(_ reasons: [String], status: String = "", decision: BizDecision = .refused) -> BizFeedback {
            var feedback = BizFeedback()
            feedback.state = .refused
            feedback.reasons = reasons
            if !status.isEmpty {
                var department = BizDepartmentStatus()
                department.status = status
                department.decision = decision
                feedback.departments = [department]
            }
            return feedback
        }
        #expect(RefusalReason.codes(of: feedback(["ORDER_TOTAL [order.actural_paid]: 1 ≠ 2", "ORDER_TOTAL [x]: y"])) == ["ORDER_TOTAL"])
        #expect(RefusalReason.codes(of: feedback(["DUPLICATE_DOCUMENT [order_no]: held"])) == ["DUPLICATE_DOCUMENT"])
        #expect(RefusalReason.codes(of: feedback(["customs -301010: 已存在相同编号的订单"], status: "100")) == ["CUSTOMS_100"])
        #expect(RefusalReason.codes(of: feedback(["flagged: blacklisted"], status: "700")) == ["CREDIT_FLAG", "CUSTOMS_700"])
        #expect(RefusalReason.codes(of: feedback(["张三 is not welcome"], status: "not forwarded")) == ["UNSPECIFIED"])
        #expect(RefusalReason.codes(of: feedback([], status: "800", decision: .accepted)) == ["UNSPECIFIED"])
    }
}
