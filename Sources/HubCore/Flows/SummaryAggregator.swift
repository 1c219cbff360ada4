import HubProtocol

/// 清单核放、汇总申报: released export inventories aggregated, per e-commerce enterprise,
/// customs office and declaring agent, into one SummaryDeclaration (CEB701) per period.
/// Pure: released inventories in, summaries out.
public enum SummaryAggregator {
    /// A released export inventory and the day it was released (YYYYMMDD).
    public struct Released: Sendable, Equatable {
        public var inventory: BizInventory
        public var releaseDate: String

        public init(inventory: BizInventory, releaseDate: String) {
            self.inventory = inventory
            self.releaseDate = releaseDate
        }
    }

    private struct Group: Hashable {
        var ebcCode: String
        var customsCode: String
        var agentCode: String
    }

    /// The summaries of the inventories released from `startDate` to `endDate` (YYYYMMDD,
    /// both included), one per (ebc_code, customs_code, agent_code), each listing its
    /// inventories once in invt_no order. Import inventories and inventories outside the
    /// period are left out. `copNo(group index)` names each summary's enterprise number.
    public static func summaries(
        of released: [Released], from startDate: String, to endDate: String, copNo: (Int) -> String
    ) -> [BizSummaryDeclaration] {
        var groups: [Group: [BizInventory]] = [:]
        var order: [Group] = []
        for item in released
        where item.inventory.ieFlag == "E" && item.releaseDate >= startDate && item.releaseDate <= endDate {
            let inventory = item.inventory
            let group = Group(ebcCode: inventory.ebcCode, customsCode: inventory.customsCode, agentCode: inventory.agentCode)
            if groups[group] == nil { order.append(group) }
            groups[group, default: []].append(inventory)
        }
        return order.enumerated().map { index, group in
            let inventories = groups[group] ?? []
            let numbers = Array(Set(inventories.map(\.invtNo))).sorted()
            let first = inventories[0]
            var summary = BizSummaryDeclaration()
            summary.appType = .new
            summary.appStatus = .declared
            summary.customsCode = group.customsCode
            summary.copNo = copNo(index)
            summary.agentCode = group.agentCode
            summary.agentName = first.agentName
            summary.ebcCode = group.ebcCode
            summary.ebcName = first.ebcName
            summary.declAgentCode = group.agentCode
            summary.declAgentName = first.agentName
            summary.startTime = startDate
            summary.endTime = endDate
            summary.loctNo = first.loctNo
            summary.summaryFlag = "1"
            summary.itemNameFlag = "1"
            summary.msgCount = 1
            summary.msgSeqNo = 1
            summary.invtNo = numbers
            return summary
        }
    }
}
