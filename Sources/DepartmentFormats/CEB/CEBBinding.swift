import HubProtocol
import SwiftProtobuf

/// How one CEB message maps to a hub message: the hub type and body message of each
/// business node, the repeated field its line list fills, the fields the root implies, and
/// the key elements a reader insists on.
struct CEBBinding: Sendable {
    /// The root element, e.g. "CEB311Message".
    let root: String
    /// The hub message type, e.g. "ceb.Order".
    let hubType: String
    /// The business.proto message of the body.
    let message: any SwiftProtobuf.Message.Type
    /// The ProtoJSON name of the repeated field the line list fills ("orderList"), if any.
    let listField: String?
    /// Whether each line is one value (SummaryApplyList's invtNo) rather than a message.
    let scalarList: Bool
    /// Field values the root implies, used when the XML leaves the field empty: the variant
    /// ("I"/"E") of orders, payments, waybills and inventories, a receipt's message_type.
    let implied: [String: String]
    /// Elements of the head that must be present and not empty when reading.
    let keys: [String]

    init(
        _ root: String, _ hubType: String, _ message: any SwiftProtobuf.Message.Type,
        list: String? = nil, scalarList: Bool = false, implied: [String: String] = [:], keys: [String]
    ) {
        self.root = root
        self.hubType = hubType
        self.message = message
        self.listField = list
        self.scalarList = scalarList
        self.implied = implied
        self.keys = keys
    }

    /// Elements whose XSD type is a string but whose proto field is a number: the enums
    /// appType and appStatus, and returnStatus (negative codes included).
    static let integerTexts: Set<String> = ["appType", "appStatus", "returnStatus"]

    /// The messages read and written, by root element name.
    static let all: [String: CEBBinding] = {
        var bindings: [CEBBinding] = []
        for (flag, order, payment, waybill, inventory) in [
            ("I", "CEB311Message", "CEB411Message", "CEB511Message", "CEB621Message"),
            ("E", "CEB303Message", "CEB403Message", "CEB505Message", "CEB603Message"),
        ] {
            bindings.append(
                .init(
                    order, MessageType.order.rawValue, BizOrder.self, list: "orderList", implied: ["orderType": flag],
                    keys: ["orderNo", "ebpCode"]))
            // Export proceeds (403) have no required payCode: they match the order by ebcCode and orderNo.
            bindings.append(
                .init(
                    payment, MessageType.payment.rawValue, BizPayment.self, implied: ["ieFlag": flag],
                    keys: flag == "I" ? ["payCode"] : ["ebcCode", "orderNo"]))
            bindings.append(
                .init(
                    waybill, MessageType.waybill.rawValue, BizWaybill.self, implied: ["ieFlag": flag],
                    keys: ["logisticsCode", "logisticsNo"]))
            bindings.append(
                .init(
                    inventory, MessageType.inventory.rawValue, BizInventory.self, list: "inventoryList", implied: ["ieFlag": flag],
                    keys: ["orderNo", "ebpCode", "logisticsNo"]))
        }
        bindings.append(
            .init(
                "CEB701Message", MessageType.summaryDeclaration.rawValue, BizSummaryDeclaration.self, list: "invtNo", scalarList: true,
                keys: ["copNo", "ebcCode"]))
        bindings.append(
            .init("CEB792Message", MessageType.summaryResult.rawValue, BizSummaryResult.self, list: "summaryResultList", keys: ["sumNo"]))
        bindings += otherDocuments
        for root in receiptRoots {
            bindings.append(
                .init(root, MessageType.receipt.rawValue, BizReceipt.self, implied: ["messageType": root], keys: ["returnStatus"]))
        }
        return Dictionary(uniqueKeysWithValues: bindings.map { ($0.root, $0) })
    }()

    /// The documents of the 2022 standard beyond the declaration's (cancellations, returns,
    /// arrival, departure, waybill status, master waybills, warehouse entries) and customs'
    /// tax bills.
    static let otherDocuments: [CEBBinding] = [
        .init("CEB605Message", MessageType.cancellation.rawValue, BizCancellation.self, implied: ["ieFlag": "E"], keys: ["invtNo"]),
        .init("CEB623Message", MessageType.cancellation.rawValue, BizCancellation.self, implied: ["ieFlag": "I"], keys: ["invtNo"]),
        // CEB213's own ieFlag is "I" (the returned goods come in); original_ie_flag says which
        // inventory the return undoes.
        .init(
            "CEB213Message", MessageType.returnRequest.rawValue, BizReturnRequest.self, list: "invtRefundList",
            implied: ["originalIeFlag": "E", "ieFlag": "I"], keys: ["invtNo"]),
        .init(
            "CEB625Message", MessageType.returnRequest.rawValue, BizReturnRequest.self, list: "invtRefundList",
            implied: ["originalIeFlag": "I"], keys: ["invtNo"]),
        .init(
            "CEB215Message", MessageType.returnTally.rawValue, BizReturnTally.self, implied: ["ieFlag": "I"],
            keys: ["logisticsNo", "coElNo"]),
        .init("CEB507Message", MessageType.arrival.rawValue, BizArrival.self, list: "arrivalList", keys: ["copNo"]),
        .init("CEB509Message", MessageType.departure.rawValue, BizDeparture.self, list: "departureList", keys: ["copNo"]),
        .init(
            "CEB513Message", MessageType.waybillStatus.rawValue, BizWaybillStatus.self,
            keys: ["logisticsCode", "logisticsNo", "logisticsStatus"]),
        .init("CEB607Message", MessageType.masterWaybill.rawValue, BizMasterWaybill.self, list: "wayBillList", keys: ["copNo", "billNo"]),
        .init(
            "CEB711Message", MessageType.warehouseEntry.rawValue, BizWarehouseEntry.self, list: "deliveryList",
            keys: ["logisticsCode", "billNo"]),
        // Customs' own: tax bills and their status changes.
        .init("CEB816Message", MessageType.taxBill.rawValue, BizTaxBill.self, list: "taxListRd", keys: ["invtNo", "taxNo"]),
        .init("CEB818Message", MessageType.taxStatus.rawValue, BizTaxStatus.self, keys: ["invtNo", "taxNo"]),
    ]

    /// The receipts customs sends: each the even code after the document it answers, and
    /// CEB900, the format check of any message.
    static let receiptRoots = [
        "CEB312Message", "CEB412Message", "CEB512Message", "CEB622Message",
        "CEB304Message", "CEB404Message", "CEB506Message", "CEB604Message", "CEB702Message",
        "CEB606Message", "CEB624Message", "CEB214Message", "CEB626Message", "CEB216Message",
        "CEB508Message", "CEB510Message", "CEB514Message", "CEB608Message", "CEB712Message", "CEB900Message",
    ]

    /// The field that tells the import variant of a hub type from the export one, for the
    /// types the standard has in both directions.
    static let directionFields: [String: String] = [
        MessageType.order.rawValue: "orderType", MessageType.payment.rawValue: "ieFlag",
        MessageType.waybill.rawValue: "ieFlag", MessageType.inventory.rawValue: "ieFlag",
        MessageType.cancellation.rawValue: "ieFlag", MessageType.returnRequest.rawValue: "originalIeFlag",
    ]

    /// The message a writer produces for a hub message: import or export by `order_type`
    /// ("E", "B" or "W" export), `ie_flag` or (returns) `original_ie_flag` ("E" export; "I"
    /// or empty import), the
    /// receipt's own `message_type`.
    /// - Parameters:
    ///   - hubType: the hub message type, e.g. "ceb.Inventory".
    ///   - fields: the body's fields by ProtoJSON name.
    static func forWriting(_ hubType: String, fields: [String: String]) throws(FormatError) -> CEBBinding {
        if hubType == MessageType.receipt.rawValue {
            let root = fields["messageType"] ?? ""
            guard receiptRoots.contains(root), let binding = all[root] else {
                throw FormatError(
                    .invalidValue, "message_type '\(root)' is not a receipt the hub writes (\(receiptRoots.joined(separator: ", ")))")
            }
            return binding
        }
        if let flagField = directionFields[hubType] {
            var flag = fields[flagField].flatMap { $0.isEmpty ? nil : $0 } ?? "I"
            // B2B export and overseas warehouse orders are export orders (CEB303) too.
            if hubType == MessageType.order.rawValue, OrderType.isExport(flag) { flag = "E" }
            guard let binding = all.values.first(where: { $0.hubType == hubType && $0.implied[flagField] == flag }) else {
                throw FormatError(.invalidValue, "\(CEBWriter.Fill.protoName(flagField)) '\(flag)' is neither I (import) nor E (export)")
            }
            return binding
        }
        guard let binding = all.values.first(where: { $0.hubType == hubType }) else {
            throw FormatError(.unsupported, "the customs CEB format has no message for hub type '\(hubType)'")
        }
        return binding
    }
}
