import DepartmentFormats
import HubProtocol
import SwiftProtobuf
import Testing

/// The official 2018 export samples (`specs/customs-ceb/samples-2018-export/`): each holds
/// ten copies of one business node, for orderNo `order2018050711340001` and logisticsNo
/// `L2018050700001`. Expected values are copied from the files.
@Suite("CEB: the official samples")
struct CEBSampleTests {
    /// Reads a sample: ten documents of `type` at positions node 1 ... node 10.
    private func read<M: SwiftProtobuf.Message>(_ name: String, _ type: String, as message: M.Type) throws -> [M] {
        let documents = try CEBReader.read(try CEBSpecs.sample(name), fileName: name)
        #expect(documents.count == 10)
        #expect(documents.map(\.position) == (1...10).map { "node \($0)" })
        #expect(documents.allSatisfy { $0.type == type })
        return try documents.map { try M(serializedBytes: $0.body) }
    }

    @Test func order303() throws {
        let orders = try read("CEB303Message.xml", "ceb.Order", as: BizOrder.self)
        let order = try #require(orders.first)
        #expect(order.guid == "704ea0f1-b229-4e89-9f2f-c2e550e95c86")
        #expect(order.appType == .new && order.appStatus == .declared && order.appTime == "20180507153001")
        #expect(order.orderType == "E" && order.orderNo == "order2018050711340001")
        #expect(order.ebpCode == "1105910159" && order.ebcName == "东方物通科技(北京)有限公司")
        #expect(order.goodsValue == "12345678912345.12345" && order.freight == "0" && order.currency == "142")
        #expect(order.note == "test")
        let line = try #require(order.orderList.first)
        #expect(order.orderList.count == 1)
        #expect(line.gnum == 1 && line.itemNo == "AF001-001" && line.itemName == "小米盒子" && line.barCode == "2345123")
        #expect(line.unit == "aaa" && line.qty == "100" && line.price == "20" && line.totalPrice == "2000")
    }

    @Test func proceeds403() throws {
        let payment = try #require(try read("CEB403Message.xml", "ceb.Payment", as: BizPayment.self).first)
        #expect(payment.ieFlag == "E" && payment.guid == "4CDE1CFD-EDED-46B1-946C-B8022E42FC94")
        #expect(payment.orderNo == "order2018050711340001" && payment.ebcCode == "1105910159" && payment.payCode == "1105910159")
        #expect(payment.payNo == "P20180507001" && payment.charge == "200.50" && payment.accountingDate == "20180507153001")
    }

    @Test func waybill505() throws {
        let waybill = try #require(try read("CEB505Message.xml", "ceb.Waybill", as: BizWaybill.self).first)
        #expect(waybill.ieFlag == "E" && waybill.logisticsCode == "1105910159" && waybill.logisticsNo == "L2018050700001")
        #expect(waybill.freight == "20.50" && waybill.insuredFee == "30.50" && waybill.grossWeight == "50.50" && waybill.weight == "")
        #expect(waybill.packNo == 9 && waybill.goodsInfo == "包裹" && waybill.ebcTelephone == "15088795220")
    }

    @Test func inventory603() throws {
        let inventory = try #require(try read("CEB603Message.xml", "ceb.Inventory", as: BizInventory.self).first)
        // The sample's ieFlag is the placeholder "a": the root (CEB603, an export inventory) decides.
        #expect(inventory.ieFlag == "E")
        #expect(inventory.customsCode == "1500" && inventory.portCode == "1501" && inventory.ieDate == "20180508")
        #expect(
            inventory.orderNo == "order2018050711340001" && inventory.logisticsNo == "L2018050700001" && inventory.copNo == "Cop20180507001"
        )
        #expect(inventory.statisticsFlag == "A" && inventory.tradeMode == "0101" && inventory.trafMode == "0")
        #expect(inventory.iacCode == "" && inventory.trafName == "")
        #expect(inventory.pod == "002" && inventory.fCurrency == "142" && inventory.fFlag == "3" && inventory.iFlag == "3")
        #expect(inventory.freight == "50.36" && inventory.packNo == 9 && inventory.grossWeight == "80.25" && inventory.netWeight == "70.25")
        let line = try #require(inventory.inventoryList.first)
        #expect(inventory.inventoryList.count == 1)
        #expect(line.gcode == "8541401000" && line.gmodel == "44mm" && line.itemRecordNo == "1210")
        #expect(line.qty == "100" && line.qty1 == "200" && line.qty2 == "300" && line.unit2 == "007" && line.totalPrice == "200")
    }

    @Test func summaryApplication701() throws {
        let summary = try #require(try read("CEB701Message.xml", "ceb.SummaryDeclaration", as: BizSummaryDeclaration.self).first)
        #expect(summary.guid == "123ent97-2b80-4568-aecf-cb6c90530012" && summary.copNo == "C201805080001")
        #expect(summary.customsCode == "1501" && summary.declAgentCode == "1105910159" && summary.summaryFlag == "1")
        #expect(summary.msgCount == 1 && summary.msgSeqNo == 1)
        #expect(summary.invtNo == ["Invt20180507000001", "Invt20180507000002"])
    }

    @Test func summaryResult792() throws {
        let result = try #require(try read("CEB792Message.xml", "ceb.SummaryResult", as: BizSummaryResult.self).first)
        #expect(result.sumNo == "S20180507000000001" && result.opDate == "20180508101112012")
        #expect(result.declSeqNo == "S20180508000000001" && result.decState == "A")
        // The sample has no entryId (nor decTmpNo/decPreNo): the declaration number stays empty.
        #expect(result.entryID == "")
        #expect(result.grossWeight == "12345678912345.12345" && result.msgCount == 1)
        #expect(result.summaryResultList.map(\.gnum) == [1, 2])
        #expect(result.summaryResultList.map(\.gcode) == ["8541401000", "8541401001"])
        #expect(
            result.summaryResultList.allSatisfy {
                $0.invtNo == "Invt20180507000001" && $0.logisticsNo == "L2018050700001" && $0.gseqno == 0
            })
    }

    @Test(arguments: [
        ("CEB304Message.xml", "CEB304Message"), ("CEB404Message.xml", "CEB404Message"), ("CEB506Message.xml", "CEB506Message"),
        ("CEB604Message.xml", "CEB604Message"), ("CEB702Message.xml", "CEB702Message"),
    ])
    func receipts(name: String, root: String) throws {
        let receipts = try read(name, "ceb.Receipt", as: BizReceipt.self)
        let receipt = try #require(receipts.first)
        #expect(receipts.allSatisfy { $0.messageType == root && $0.returnStatus == 2 })
        #expect(receipt.returnInfo == "新增申报成功[4CDE1CFD-EDED-46B1-946C-B8022E42FC94]")
        switch root {
        case "CEB304Message":
            #expect(
                receipt.orderNo == "order2018050711340001" && receipt.ebpCode == "1105910159" && receipt.returnTime == "20180507153001001")
        case "CEB404Message":
            #expect(receipt.payNo == "P20180507001" && receipt.orderNo == "order2018050711340001" && receipt.ebcCode == "1105910159")
        case "CEB506Message": #expect(receipt.logisticsCode == "1105910159" && receipt.logisticsNo == "L2018050700001")
        case "CEB604Message":
            // The sample's orderNo repeats the ebpCode; statisticsFlag is "1".
            #expect(receipt.invtNo == "Invt20180507000001" && receipt.preNo == "P20180507000000001" && receipt.copNo == "Cop20180507001")
            #expect(receipt.orderNo == "1105910159" && receipt.statisticsFlag == "1" && receipt.agentCode == "1105910159")
        default: #expect(receipt.sumNo == "S20180507000000001" && receipt.msgSeqNo == 1 && receipt.returnTime == "20180508101112012")
        }
    }

    /// Every sample validates against ceb-export-2022.xsd except CEB792Message.xml, whose
    /// SummaryResultList lines lack the required gseqno (xmllint: "Element gnum: This element
    /// is not expected. Expected is (gseqno)"); it is read all the same (summaryResult792).
    @Test(arguments: CEBSpecs.sampleNames)
    func validatesAgainstTheExportXSD(name: String) throws {
        let root = String(name.dropLast(4))
        let result = try CEBSpecs.validate(try CEBSpecs.sample(name), root: root)
        if root == "CEB792Message" {
            #expect(!result.valid)
            #expect(result.output.contains("Expected is ( {http://www.chinaport.gov.cn/ceb}gseqno )"), "\(result.output)")
        } else {
            #expect(result.valid, "\(result.output)")
        }
    }
}
