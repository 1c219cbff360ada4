import Adapters
import Foundation
import HubProtocol
import Testing

/// The simulated departments as values: deliveries in, replies out, as PROTOCOL.md
/// section 13 expects them.
@Suite("Simulated departments")
struct SimulatedDepartmentTests {
    static let scc = "91330108MA27Y5XK3F"
    /// 2018-05-07 07:30:01.001 UTC.
    static let now: Int64 = 1_525_678_201_001_000

    static func header(_ id: String, type: String, sender: String = "hub") -> WireHeader {
        var header = WireHeader()
        header.id = id
        header.type = type
        header.sender = sender
        return header
    }

    static func registration(customsCode: String = "") throws -> [UInt8] {
        var filing = BizRegistration()
        filing.copNo = "COP-1"
        filing.socialCreditCode = scc
        filing.customsCode = customsCode
        filing.name = "杭州某某电子商务有限公司"
        return try filing.serializedBytes()
    }

    static func inventory(ieFlag: String = "I", order: String = "order-1") throws -> [UInt8] {
        var inventory = BizInventory()
        inventory.guid = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
        inventory.customsCode = "2991"
        inventory.orderNo = order
        inventory.ebpCode = "3301960001"
        inventory.ebcCode = "3301968002"
        inventory.agentCode = "3301980003"
        inventory.logisticsCode = "3301910004"
        inventory.logisticsNo = "LN-\(order)"
        inventory.copNo = "COP-\(order)"
        inventory.ieFlag = ieFlag
        inventory.statisticsFlag = ieFlag == "E" ? "A" : ""
        var item = BizInventoryItem()
        item.gnum = 1
        item.gcode = "0902109000"
        inventory.inventoryList = [item]
        return try inventory.serializedBytes()
    }

    static func department(
        _ kind: SimulatedDepartment.Kind, refusal: Double = 0, inspection: Double = 0, seed: UInt64 = 1,
        blacklist: [String] = [], delayMs: Int = 0
    ) -> SimulatedDepartment {
        SimulatedDepartment(
            kind: kind, party: kind.rawValue,
            options: .init(refusalRate: refusal, inspectionRate: inspection, seed: seed, blacklist: blacklist, receiptDelayMs: delayMs))
    }

    static func receipts(_ replies: [SimulatedDepartment.Reply]) throws -> [BizReceipt] {
        try replies.map {
            #expect($0.type == "ceb.Receipt")
            return try BizReceipt(serializedBytes: $0.body)
        }
    }

    // MARK: registration

    @Test func everyDepartmentAnswersARegistrationWithOneResult() throws {
        for kind in SimulatedDepartment.Kind.allCases {
            var department = Self.department(kind)
            let share = "share:enterprise:reg-1"
            let replies = department.handle(
                type: "reg.Registration", header: Self.header(share, type: "reg.Registration"), body: try Self.registration(),
                nowUs: Self.now)
            let reply = try #require(replies.first)
            #expect(replies.count == 1)
            #expect(reply.type == "reg.Result")
            #expect(reply.correlationId == share)
            #expect(reply.id == "result:\(share)")
            #expect(reply.recipients.isEmpty)
            #expect(reply.delayMs == 0)
            let result = try BizRegistrationResult(serializedBytes: reply.body)
            #expect(result.copNo == "COP-1")
            #expect(result.socialCreditCode == Self.scc)
            #expect(result.department == kind.rawValue)
            #expect(result.decision == .accepted)
            #expect(result.decidedAtUs == Self.now)
            if kind == .customs {
                #expect(result.code.count == 10)
                #expect(result.code.hasPrefix("3301"), "the division digits of the social credit code")
                #expect(result.code.allSatisfy { $0.isNumber })
            } else {
                #expect(result.code.hasPrefix(kind == .forex ? "FX-" : kind.rawValue.uppercased() + "-"))
            }
        }
    }

    @Test func customsKeepsTheCustomsCodeAFilingAlreadyHas() throws {
        var customs = Self.department(.customs)
        let replies = customs.handle(
            type: "reg.Registration", header: Self.header("r", type: "reg.Registration"),
            body: try Self.registration(customsCode: "3301961234"), nowUs: Self.now)
        #expect(try BizRegistrationResult(serializedBytes: try #require(replies.first).body).code == "3301961234")
    }

    @Test func aRefusedRegistrationSaysWhy() throws {
        var tax = Self.department(.tax, refusal: 1)
        let replies = tax.handle(
            type: "reg.Registration", header: Self.header("r", type: "reg.Registration"), body: try Self.registration(),
            nowUs: Self.now)
        let result = try BizRegistrationResult(serializedBytes: try #require(replies.first).body)
        #expect(result.decision == .refused)
        #expect(result.reason == "simulated refusal: documents incomplete")
        #expect(result.code.isEmpty)
        #expect(tax.stats.refused == 1)
    }

    @Test func idsOfOtherSendersThanTheHubAreQualifiedByTheSender() throws {
        var customs = Self.department(.customs)
        let replies = customs.handle(
            type: "reg.Registration", header: Self.header("reg-1", type: "reg.Registration", sender: "enterprise"),
            body: try Self.registration(), nowUs: Self.now)
        #expect(replies.first?.id == "result:enterprise:reg-1")
        #expect(replies.first?.correlationId == "reg-1")
    }

    @Test func replyIdsStayWithinTheProtocolsLimit() throws {
        var customs = Self.department(.customs)
        let long = "fwd:enterprise:" + String(repeating: "x", count: 110) + ":inventory"
        let replies = customs.handle(
            type: "ceb.Inventory", header: Self.header(long, type: "ceb.Inventory"), body: try Self.inventory(), nowUs: Self.now)
        #expect(replies.count == 3)
        #expect(replies.allSatisfy { $0.id.utf8.count <= 128 && $0.id.hasPrefix("rcpt:fwd:enterprise:xx") })
        #expect(Set(replies.map(\.id)).count == 3, "still one id per receipt")
    }

    // MARK: blacklist

    @Test func aBlacklistIsPublishedAtStartAndRefusesTheEnterprise() throws {
        var customs = Self.department(.customs, blacklist: [Self.scc, "91110000100000000X"])
        let notices = customs.startup(nowUs: Self.now)
        #expect(notices.map(\.id) == ["credit:customs:\(Self.scc)", "credit:customs:91110000100000000X"])
        #expect(notices.allSatisfy { $0.type == "credit.Notice" && $0.recipients.isEmpty })
        let notice = try BizCreditNotice(serializedBytes: notices[0].body)
        #expect(notice.socialCreditCode == Self.scc)
        #expect(notice.blacklisted)
        #expect(notice.department == "customs")
        #expect(notice.reason == "simulated blacklisting")
        #expect(notice.documentNo.hasPrefix("SIM-customs-"))
        #expect(notices == Self.department(.customs, blacklist: [Self.scc, "91110000100000000X"]).startup(nowUs: Self.now))

        let replies = customs.handle(
            type: "reg.Registration", header: Self.header("r", type: "reg.Registration"), body: try Self.registration(),
            nowUs: Self.now)
        let result = try BizRegistrationResult(serializedBytes: try #require(replies.first).body)
        #expect(result.decision == .refused)
        #expect(result.reason.contains("blacklisted by customs"))
        #expect(Self.department(.tax).startup(nowUs: Self.now).isEmpty)
    }

    // MARK: customs receipts

    @Test func anAcceptedInventoryIsReleasedAndClosed() throws {
        var customs = Self.department(.customs)
        let forward = "fwd:enterprise:inv-1:inventory"
        let replies = customs.handle(
            type: "ceb.Inventory", header: Self.header(forward, type: "ceb.Inventory"), body: try Self.inventory(), nowUs: Self.now)
        #expect(replies.map(\.id) == ["rcpt:\(forward):120", "rcpt:\(forward):800", "rcpt:\(forward):899"])
        #expect(replies.allSatisfy { $0.correlationId == forward && $0.recipients.isEmpty && $0.delayMs == 0 })
        let receipts = try Self.receipts(replies)
        #expect(receipts.map(\.returnStatus) == [120, 800, 899])
        let first = receipts[0]
        #expect(first.messageType == "CEB622Message")
        #expect(first.guid == "4CDE1CFD-EDED-46B1-946C-B8022E42FC94")
        #expect(first.customsCode == "2991")
        #expect(first.ebpCode == "3301960001" && first.ebcCode == "3301968002" && first.agentCode == "3301980003")
        #expect(first.orderNo == "order-1" && first.copNo == "COP-order-1")
        #expect(first.logisticsCode == "3301910004" && first.logisticsNo == "LN-order-1")
        #expect(first.invtNo.count == 18 && first.invtNo.hasPrefix("29912018I"))
        #expect(first.preNo.count == 18 && first.preNo.hasPrefix("P20180507"))
        #expect(receipts.allSatisfy { $0.invtNo == first.invtNo && $0.preNo == first.preNo })
        #expect(receipts.map(\.returnTime) == ["20180507073001001", "20180507073001002", "20180507073001003"])
        #expect(!first.returnInfo.isEmpty)
    }

    @Test func anInspectedExportInventoryGoesThrough500() throws {
        var customs = Self.department(.customs, inspection: 1)
        let replies = customs.handle(
            type: "ceb.Inventory", header: Self.header("fwd:e:inv-2:inventory", type: "ceb.Inventory"),
            body: try Self.inventory(ieFlag: "E"), nowUs: Self.now)
        let receipts = try Self.receipts(replies)
        #expect(receipts.map(\.returnStatus) == [120, 500, 800, 899])
        #expect(receipts.allSatisfy { $0.messageType == "CEB604Message" && $0.statisticsFlag == "A" })
        #expect(receipts[0].invtNo.hasPrefix("29912018E"))
        #expect(customs.stats.inspected == 1)
    }

    @Test func aRefusedInventoryGetsOnly100() throws {
        var customs = Self.department(.customs, refusal: 1, inspection: 1)
        let replies = customs.handle(
            type: "ceb.Inventory", header: Self.header("fwd:e:inv-3:inventory", type: "ceb.Inventory"),
            body: try Self.inventory(), nowUs: Self.now)
        let receipts = try Self.receipts(replies)
        #expect(receipts.map(\.returnStatus) == [100])
        #expect(replies.map(\.id) == ["rcpt:fwd:e:inv-3:inventory:100"])
        #expect(receipts[0].invtNo.isEmpty, "no inventory number for a refused inventory")
        #expect(receipts[0].returnInfo.hasPrefix("simulated refusal"))
        #expect(customs.stats.refused == 1 && customs.stats.inspected == 0)
    }

    @Test func receiptsAreSpacedByTheReceiptDelay() throws {
        var customs = Self.department(.customs, delayMs: 250)
        let replies = customs.handle(
            type: "ceb.Inventory", header: Self.header("fwd:e:inv-4:inventory", type: "ceb.Inventory"),
            body: try Self.inventory(), nowUs: Self.now)
        #expect(replies.map(\.delayMs) == [0, 250, 250])
        #expect(try Self.receipts(replies).map(\.returnTime) == ["20180507073001001", "20180507073001251", "20180507073001501"])
    }

    @Test func theOtherDocumentsAreOnlyKeptAndOnlyCustomsAnswersInventories() throws {
        var customs = Self.department(.customs)
        for type in ["ceb.Order", "ceb.Payment", "ceb.Waybill"] {
            #expect(customs.handle(type: type, header: Self.header("fwd:e:i:x", type: type), body: [], nowUs: Self.now).isEmpty)
        }
        #expect(customs.kept.count == 3)
        var tax = Self.department(.tax)
        for type in ["ceb.Inventory", "flow.ReleaseNotice", "ceb.SummaryResult", "credit.Notice", "flow.Feedback", "demo.Note"] {
            #expect(
                tax.handle(type: type, header: Self.header("m-\(type)", type: type), body: try Self.inventory(), nowUs: Self.now).isEmpty)
        }
        #expect(tax.kept.records.map(\.type) == ["ceb.Inventory", "flow.ReleaseNotice", "ceb.SummaryResult", "credit.Notice"])
        #expect(tax.stats.total == 6 && tax.stats.replies == 0)
    }

    @Test func aMalformedBodyIsCountedAndNotAnswered() {
        var customs = Self.department(.customs)
        let garbage: [UInt8] = [0xff, 0xff, 0xff]
        #expect(
            customs.handle(type: "ceb.Inventory", header: Self.header("x", type: "ceb.Inventory"), body: garbage, nowUs: Self.now).isEmpty)
        #expect(
            customs.handle(type: "reg.Registration", header: Self.header("y", type: "reg.Registration"), body: garbage, nowUs: Self.now)
                .isEmpty)
        #expect(customs.stats.malformed == 2)
        #expect(customs.stats.total == 2)
    }

    // MARK: summary declarations

    @Test func aSummaryDeclarationGetsAnEntryIdAndOneLinePerInventory() throws {
        var customs = Self.department(.customs)
        let accepted = customs.handle(
            type: "ceb.Inventory", header: Self.header("fwd:e:inv-5:inventory", type: "ceb.Inventory"),
            body: try Self.inventory(ieFlag: "E", order: "order-5"), nowUs: Self.now)
        let invtNo = try Self.receipts(accepted)[0].invtNo
        var summary = BizSummaryDeclaration()
        summary.customsCode = "2991"
        summary.ebcCode = "3301968002"
        summary.ebcName = "卖家"
        summary.agentCode = "3301980003"
        summary.invtNo = [invtNo, "29912018E999999999"]
        let id = "sum:20180507:20180507:3301968002:2991:3301980003"
        let replies = customs.handle(
            type: "ceb.SummaryDeclaration", header: Self.header(id, type: "ceb.SummaryDeclaration"),
            body: try summary.serializedBytes(), nowUs: Self.now)
        let reply = try #require(replies.first)
        #expect(replies.count == 1)
        #expect(reply.type == "ceb.SummaryResult")
        #expect(reply.correlationId == id)
        #expect(reply.id == "sumres:\(id)")
        let result = try BizSummaryResult(serializedBytes: reply.body)
        #expect(result.entryID.count == 18 && result.entryID.allSatisfy { $0.isNumber })
        #expect(result.entryID.hasPrefix("299120181"))
        #expect(result.sumNo.hasPrefix("S20180507") && result.sumNo.count == 18)
        #expect(result.customsCode == "2991" && result.ebcCode == "3301968002" && result.ebcName == "卖家")
        #expect(result.agentCode == "3301980003" && result.decState == "1")
        #expect(result.msgCount == 1 && result.msgSeqNo == 1)
        #expect(result.opDate == "20180507073001001")
        #expect(result.summaryResultList.map(\.invtNo) == [invtNo, "29912018E999999999"])
        #expect(result.summaryResultList.map(\.gseqno) == [1, 2])
        #expect(result.summaryResultList[0].logisticsNo == "LN-order-5")
        #expect(result.summaryResultList[0].gcode == "0902109000")
        #expect(result.summaryResultList[1].logisticsNo.isEmpty, "an inventory customs never saw")
    }

    // MARK: determinism and rates

    @Test func theSameSeedDecidesTheSameAndAnotherSeedDifferently() throws {
        let body = try Self.inventory()
        func outcomes(seed: UInt64) -> [[SimulatedDepartment.Reply]] {
            var customs = Self.department(.customs, refusal: 0.3, inspection: 0.3, seed: seed)
            return (0..<200).map { index in
                customs.handle(
                    type: "ceb.Inventory", header: Self.header("fwd:e:\(index):inventory", type: "ceb.Inventory"), body: body,
                    nowUs: Self.now)
            }
        }
        let first = outcomes(seed: 7)
        #expect(first == outcomes(seed: 7))
        #expect(first.map { $0.count } != outcomes(seed: 8).map { $0.count })
    }

    @Test func ratesAreRoughlyRespectedOver1000Ids() throws {
        var customs = Self.department(.customs, refusal: 0.05, inspection: 0.1, seed: 42)
        let body = try Self.inventory()
        for index in 0..<1000 {
            _ = customs.handle(
                type: "ceb.Inventory", header: Self.header("fwd:e:inv-\(index):inventory", type: "ceb.Inventory"), body: body,
                nowUs: Self.now)
        }
        #expect((25...75).contains(customs.stats.refused), "refused \(customs.stats.refused) of 1000 at 5 %")
        // Inspection applies to the accepted ones (about 950).
        #expect((60...135).contains(customs.stats.inspected), "inspected \(customs.stats.inspected) of ~950 at 10 %")

        var forex = Self.department(.forex, refusal: 0.2, seed: 42)
        let filing = try Self.registration()
        for index in 0..<1000 {
            _ = forex.handle(
                type: "reg.Registration", header: Self.header("share:e:\(index)", type: "reg.Registration"), body: filing, nowUs: Self.now)
        }
        #expect((150...250).contains(forex.stats.refused), "refused \(forex.stats.refused) of 1000 at 20 %")
    }

    @Test func departmentsDecideIndependentlyOfEachOther() throws {
        let filing = try Self.registration()
        func refusals(_ kind: SimulatedDepartment.Kind) -> [Bool] {
            var department = Self.department(kind, refusal: 0.5)
            return (0..<100).map { index in
                let reply = department.handle(
                    type: "reg.Registration", header: Self.header("share:e:\(index)", type: "reg.Registration"), body: filing,
                    nowUs: Self.now)
                return (try? BizRegistrationResult(serializedBytes: reply.first?.body ?? []))?.decision == .refused
            }
        }
        #expect(refusals(.tax) != refusals(.forex))
    }
}
