import DepartmentFormats
import FlowSamples
import Foundation
import HubProtocol
import SwiftProtobuf

/// A realistic hub message for every CEB message the writer produces: the import documents
/// of `SampleFilings.declaration(1)` and receipts for them; the export documents and
/// receipts of the official samples (their first node); the standard's other documents and
/// their receipts from its field tables (``CEBDocumentFixtures``).
enum CEBFixtures {
    static let identity = CEBIdentity(copCode: "3301960001", copName: "杭州跨境电商平台有限公司", dxpId: "DXPENT0000000001")
    /// 2026-11-21 10:15:00 in Beijing.
    static let now = Date(timeIntervalSince1970: 1_795_227_300)
    static let writer = CEBWriter(identity: identity, now: { now })
    static let guid = "A1B2C3D4-0000-4000-8000-000000000001"

    /// Every root the writer produces.
    static let outgoingRoots =
        [
            "CEB311Message", "CEB411Message", "CEB511Message", "CEB621Message",
            "CEB303Message", "CEB403Message", "CEB505Message", "CEB603Message", "CEB701Message",
            "CEB312Message", "CEB412Message", "CEB512Message", "CEB622Message",
            "CEB304Message", "CEB404Message", "CEB506Message", "CEB604Message", "CEB702Message", "CEB792Message",
        ] + CEBDocumentFixtures.roots

    /// The hub type written as `root`.
    static func hubType(of root: String) -> String {
        switch root {
        case "CEB311Message", "CEB303Message": "ceb.Order"
        case "CEB411Message", "CEB403Message": "ceb.Payment"
        case "CEB511Message", "CEB505Message": "ceb.Waybill"
        case "CEB621Message", "CEB603Message": "ceb.Inventory"
        case "CEB701Message": "ceb.SummaryDeclaration"
        case "CEB792Message": "ceb.SummaryResult"
        default: CEBDocumentFixtures.documentTypes[root] ?? "ceb.Receipt"
        }
    }

    /// The fixture message written as `root`.
    static func message(for root: String) throws -> any SwiftProtobuf.Message {
        let declaration = SampleFilings.declaration(1)
        if CEBDocumentFixtures.roots.contains(root), let message = CEBDocumentFixtures.message(for: root) { return message }
        switch root {
        case "CEB311Message": return declaration.order
        case "CEB411Message": return declaration.payment
        case "CEB511Message": return declaration.waybill
        case "CEB621Message": return declaration.inventory
        case "CEB312Message", "CEB412Message", "CEB512Message", "CEB622Message":
            return importReceipt(root, declaration)
        case "CEB603Message":
            // The sample's ieFlag is "a"; an export inventory says "E".
            var inventory = try firstOfSample(root, as: BizInventory.self)
            inventory.ieFlag = "E"
            return inventory
        case "CEB792Message":
            // The sample lacks the required gseqno and the entryId customs assigns.
            var result = try firstOfSample(root, as: BizSummaryResult.self)
            result.entryID = "150120181000000001"
            for index in result.summaryResultList.indices { result.summaryResultList[index].gseqno = Int32(index + 1) }
            return result
        case "CEB303Message": return try firstOfSample(root, as: BizOrder.self)
        case "CEB403Message": return try firstOfSample(root, as: BizPayment.self)
        case "CEB505Message": return try firstOfSample(root, as: BizWaybill.self)
        case "CEB701Message": return try firstOfSample(root, as: BizSummaryDeclaration.self)
        default: return try firstOfSample(root, as: BizReceipt.self)
        }
    }

    /// The serialized fixture for `root`.
    static func body(for root: String) throws -> [UInt8] {
        try message(for: root).serializedBytes()
    }

    /// The first business node of the official sample `<root>.xml`.
    static func firstOfSample<M: SwiftProtobuf.Message>(_ root: String, as type: M.Type) throws -> M {
        let documents = try CEBReader.read(try CEBSpecs.sample(root + ".xml"), fileName: root + ".xml")
        guard let first = documents.first else { throw FormatError(.missingField, "\(root).xml has no business node") }
        return try M(serializedBytes: first.body)
    }

    /// Customs' receipt of one import document of `declaration`.
    static func importReceipt(_ root: String, _ declaration: SampleFilings.Declaration) -> BizReceipt {
        var receipt = BizReceipt()
        receipt.messageType = root
        receipt.returnTime = "20261121101501123"
        switch root {
        case "CEB312Message":
            receipt.guid = declaration.order.guid
            receipt.ebpCode = declaration.order.ebpCode
            receipt.ebcCode = declaration.order.ebcCode
            receipt.orderNo = declaration.order.orderNo
            receipt.returnStatus = 120
            receipt.returnInfo = "海关入库"
        case "CEB412Message":
            receipt.guid = declaration.payment.guid
            receipt.payCode = declaration.payment.payCode
            receipt.payTransactionID = declaration.payment.payTransactionID
            receipt.returnStatus = -301010
            receipt.returnInfo = "已存在相同编号的支付单 & <重复>"
        case "CEB512Message":
            receipt.guid = declaration.waybill.guid
            receipt.logisticsCode = declaration.waybill.logisticsCode
            receipt.logisticsNo = declaration.waybill.logisticsNo
            receipt.returnStatus = 120
            receipt.returnInfo = "海关入库"
        default:
            let inventory = declaration.inventory
            receipt.guid = inventory.guid
            receipt.customsCode = inventory.customsCode
            receipt.ebpCode = inventory.ebpCode
            receipt.ebcCode = inventory.ebcCode
            receipt.agentCode = inventory.agentCode
            receipt.copNo = inventory.copNo
            receipt.preNo = "P20261121000000001"
            receipt.invtNo = "29912026I000000001"
            receipt.returnStatus = 800
            receipt.returnInfo = "放行"
        }
        return receipt
    }

    /// `message` decoded again from `bytes` as the same type.
    static func decode<M: SwiftProtobuf.Message>(_ bytes: [UInt8], like message: M) throws -> any SwiftProtobuf.Message {
        try M(serializedBytes: bytes)
    }
}
