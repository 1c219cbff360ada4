import HubProtocol

/// 清单核放、汇总申报: released export inventories aggregated, per e-commerce enterprise,
/// customs office and declaring agent, into one SummaryDeclaration (CEB701) per period.
/// Pure: released inventories in, summaries out.
public enum SummaryAggregator {
    /// A released export inventory and the day it was released (YYYYMMDD): of the
    /// inventory only what a summary reads (the flows keep a day of released exports, and a
    /// whole `BizInventory` takes a kilobyte however few of its fields are set).
    public struct Released: Sendable, Equatable {
        public var invtNo: String
        public var ieFlag: String
        public var ebcCode: String
        public var ebcName: String
        public var customsCode: String
        public var agentCode: String
        public var agentName: String
        public var loctNo: String
        public var releaseDate: String

        public init(inventory: BizInventory, releaseDate: String) {
            invtNo = inventory.invtNo
            ieFlag = inventory.ieFlag
            ebcCode = inventory.ebcCode
            ebcName = inventory.ebcName
            customsCode = inventory.customsCode
            agentCode = inventory.agentCode
            agentName = inventory.agentName
            loctNo = inventory.loctNo
            self.releaseDate = releaseDate
        }

        /// The inventory as a summary reads it: those fields only.
        public var inventory: BizInventory {
            var inventory = BizInventory()
            inventory.invtNo = invtNo
            inventory.ieFlag = ieFlag
            inventory.ebcCode = ebcCode
            inventory.ebcName = ebcName
            inventory.customsCode = customsCode
            inventory.agentCode = agentCode
            inventory.agentName = agentName
            inventory.loctNo = loctNo
            return inventory
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
        var groups: [Group: [Released]] = [:]
        var order: [Group] = []
        for item in released where item.ieFlag == "E" && item.releaseDate >= startDate && item.releaseDate <= endDate {
            let group = Group(ebcCode: item.ebcCode, customsCode: item.customsCode, agentCode: item.agentCode)
            if groups[group] == nil { order.append(group) }
            groups[group, default: []].append(item)
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
