import Foundation
import HubCore
import HubProtocol
import Testing

/// The report's risk hits: generated risk notices (holding and notifying rules), reviewers'
/// dispositions and declarations ending otherwise, folded into ``RiskStatistics``; the
/// section's counts per rule and disposition compared with the plan the test made; one
/// enterprise; folding in parts; no evidence in any section.
@Suite("Risk statistics")
struct RiskStatisticsTests {
    static let novemberUs: Int64 = 1_793_491_200_000_000  // 2026-11-01T00:00:00Z
    static let rules = ["consumer_quota", "value_outlier", "blacklist_links"]

    /// One planned hit: rule, enterprise, its notice's time, and where it ends.
    struct Planned {
        var rule: String
        var enterprise: String
        var atUs: Int64
        var disposition: String
    }

    /// The records and the plan: hit n holds unless n % 4 == 0; a held one is by turns left
    /// open, released, refused, or closed by its declaration's final feedback WITHDRAWN.
    static func make(count: Int = 80) -> (records: [TradeStatistics.Record], plan: [Planned]) {
        var records: [TradeStatistics.Record] = []
        var plan: [Planned] = []
        func add(_ type: String, _ sender: String, _ id: String, _ at: Int64, _ body: [UInt8]) {
            records.append(.init(seq: UInt64(records.count + 1), type: type, sender: sender, id: id, journaledAtUs: at, body: body))
        }
        for n in 0..<count {
            let at = novemberUs + Int64(n) * 10 * 3_600_000_000  // every 10 hours: some in December
            let rule = rules[n % rules.count]
            let enterprise = "1101E0000\(n % 5 % 2 + 1)"
            let holds = n % 4 != 0
            let id = HubMessageId.riskNotice(filer: "ebc1", inventoryId: "inv-\(n)", rule: rule).description
            var notice = BizRiskNotice()
            notice.noticeID = id
            notice.rule = rule
            notice.subjectType = "ceb.Inventory"
            notice.subjectID = "inv-\(n)"
            notice.subjectFiler = "ebc1"
            notice.enterpriseCode = enterprise
            notice.disposition = holds ? .open : .notified
            notice.held = holds
            var evidence = BizRiskEvidence()
            evidence.key = "buyer_id_number"
            evidence.value = "110101199001011234"
            notice.personalEvidence = [evidence]
            add("risk.Notice", "hub", id, at, try! notice.serializedBytes())
            var disposition = holds ? ["open", "released", "refused", "closed"][n % 4 == 1 ? (n / 4) % 4 : n % 4] : "notified"
            if holds, n == count - 1 { disposition = "open" }
            switch disposition {
            case "released", "refused":
                var decision = BizRiskDisposition()
                decision.noticeID = id
                decision.decision = disposition == "released" ? .release : .refuse
                decision.reason = "reviewed"
                add("risk.Disposition", "customs", "dsp-\(n)", at + 1, try! decision.serializedBytes())
                // The final feedback after a decision changes nothing.
                var feedback = BizFeedback()
                feedback.subjectType = "ceb.Inventory"
                feedback.subjectID = "inv-\(n)"
                feedback.state = disposition == "released" ? .accepted : .refused
                feedback.final = true
                add(
                    "flow.Feedback", "hub", HubMessageId.feedback(subjectId: "inv-\(n)", subjectSender: "ebc1", number: 2).description,
                    at + 2, try! feedback.serializedBytes())
            case "closed":
                var feedback = BizFeedback()
                feedback.subjectType = "ceb.Inventory"
                feedback.subjectID = "inv-\(n)"
                feedback.state = .withdrawn
                feedback.final = true
                add(
                    "flow.Feedback", "hub", HubMessageId.feedback(subjectId: "inv-\(n)", subjectSender: "ebc1", number: 2).description,
                    at + 2, try! feedback.serializedBytes())
            default:
                break
            }
            plan.append(Planned(rule: rule, enterprise: enterprise, atUs: at, disposition: disposition))
        }
        return (records, plan)
    }

    static func expected(_ plan: [Planned], period: TradeReport.Period, enterprise: String?) -> [String: [String: Int]] {
        var counts: [String: [String: Int]] = [:]
        for hit in plan where period.contains(day: TradeStatistics.day(hit.atUs)) && (enterprise == nil || hit.enterprise == enterprise) {
            counts[hit.rule, default: [:]][hit.disposition, default: 0] += 1
        }
        return counts
    }

    @Test(arguments: [("2026-11", nil), ("2026-12", nil), ("2026-11", "1101E00002"), ("2026-Q4", "1101E00001")] as [(String, String?)])
    func theSectionCountsEveryRuleAndDisposition(period text: String, enterprise: String?) throws {
        let (records, plan) = Self.make()
        var risk = RiskStatistics()
        risk.fold(records)
        let period = try #require(TradeReport.Period(text))
        let report = StatisticsReport(TradeStatistics(), period: period, enterprise: enterprise, rates: { _ in nil }, risk: risk)
        let section = try #require(report.section("risk_hits"))
        var counted: [String: [String: Int]] = [:]
        for row in section.rows {
            for (column, value) in zip(section.columns, row) where RiskStatistics.dispositions.contains(column.id) {
                if value != .count(0) { counted[row[0].text, default: [:]][column.id] = Int(value.number) }
            }
            #expect(Int(row[1].number) == row.dropFirst(2).map { Int($0.number) }.reduce(0, +), "hits are the dispositions' sum")
        }
        let expected = Self.expected(plan, period: period, enterprise: enterprise)
        #expect(counted == expected, "\(counted) vs \(expected)")
        #expect(Set(expected.values.flatMap(\.keys)).count >= 4, "dispositions present: \(expected)")
        let everything = report.sections.flatMap { $0.rows.flatMap { $0.map(\.text) } }.joined(separator: " ")
        #expect(!everything.contains("110101199001011234"))
    }

    @Test func foldingInPartsEqualsOneFoldAndNoRiskSaysSo() throws {
        let (records, _) = Self.make()
        var whole = RiskStatistics()
        whole.fold(records)
        var parts = RiskStatistics()
        for slice in [records[..<7], records[7..<50], records[50...]] {
            parts.fold(slice)
            parts = try JSONDecoder().decode(RiskStatistics.self, from: try JSONEncoder().encode(parts))
        }
        #expect(parts == whole)
        let none = StatisticsReport(TradeStatistics(), period: .all, enterprise: nil, rates: { _ in nil })
        #expect(none.section("risk_hits")?.rows.isEmpty == true && none.section("risk_hits")?.note.contains("not counted") == true)
    }
}
