import HubCore
import HubProtocol
import Testing

@Suite("Summary declaration of released export inventories")
struct SummaryAggregatorTests {
    static func released(
        _ invtNo: String, ebc: String = "3301960001", customs: String = "2991", agent: String = "3301980002", ie: String = "E",
        on date: String = "20260110"
    ) -> SummaryAggregator.Released {
        var inventory = BizInventory()
        inventory.invtNo = invtNo
        inventory.ebcCode = ebc
        inventory.ebcName = "杭州某电商"
        inventory.customsCode = customs
        inventory.agentCode = agent
        inventory.agentName = "某报关行"
        inventory.ieFlag = ie
        return .init(inventory: inventory, releaseDate: date)
    }

    @Test func groupsByEnterpriseCustomsAndAgentWithinThePeriod() {
        let released = [
            Self.released("I-3"), Self.released("I-1"), Self.released("I-2", ebc: "3301960009"),
            Self.released("I-4", on: "20260201"),  // outside the period
            Self.released("I-5", ie: "I"),  // import: not summarised
            Self.released("I-1"),  // the same release reported twice
            Self.released("I-6", customs: "2992"),
        ]
        let summaries = SummaryAggregator.summaries(of: released, from: "20260101", to: "20260131") { "SUM-\($0)" }
        #expect(summaries.map(\.invtNo) == [["I-1", "I-3"], ["I-2"], ["I-6"]])
        #expect(summaries.map(\.copNo) == ["SUM-0", "SUM-1", "SUM-2"])
        #expect(summaries.map(\.ebcCode) == ["3301960001", "3301960009", "3301960001"])
        #expect(summaries.map(\.customsCode) == ["2991", "2991", "2992"])
        let first = summaries[0]
        #expect(first.startTime == "20260101" && first.endTime == "20260131")
        #expect(first.declAgentCode == "3301980002" && first.agentName == "某报关行")
        #expect(first.appType == .new && first.appStatus == .declared)
    }

    @Test func nothingReleasedGivesNoSummary() {
        #expect(
            SummaryAggregator.summaries(of: [Self.released("I-1", on: "20251231")], from: "20260101", to: "20260131") { _ in "x" }.isEmpty)
    }
}
