import HubProtocol

/// A declaration document (order, payment, waybill or inventory) decoded once when it is
/// journaled, and handed as such to every step of ``FlowEngine``'s filing: the linker's
/// lookup, the search for a declaration in progress, the change or deletion, the link.
/// Those steps each decoded the body again, five decodes per document, which a profile of
/// the declaration flows showed as a fifth of the router thread.
enum FiledDocument {
    case order(BizOrder)
    case payment(BizPayment)
    case waybill(BizWaybill)
    case inventory(BizInventory)

    /// Decodes `body` as a document of `kind`.
    /// - Throws: swift-protobuf's error when `body` is not one.
    init(_ kind: DeclarationDocument, body: [UInt8]) throws {
        switch kind {
        case .order: self = .order(try BizOrder(serializedBytes: body))
        case .payment: self = .payment(try BizPayment(serializedBytes: body))
        case .waybill: self = .waybill(try BizWaybill(serializedBytes: body))
        case .inventory: self = .inventory(try BizInventory(serializedBytes: body))
        }
    }

    /// The document's kind.
    var kind: DeclarationDocument {
        switch self {
        case .order: .order
        case .payment: .payment
        case .waybill: .waybill
        case .inventory: .inventory
        }
    }

    /// What the filer asks for: a new document, a change or a deletion.
    var appType: BizAppType {
        switch self {
        case .order(let order): order.appType
        case .payment(let payment): payment.appType
        case .waybill(let waybill): waybill.appType
        case .inventory(let inventory): inventory.appType
        }
    }

    /// The business keys the linker holds the document under (listed in
    /// DeclarationLinker+Filings.swift).
    var linkerKey: DeclarationLinker.Key {
        switch self {
        case .order(let order): DeclarationLinker.Key(a: order.ebpCode, b: order.orderNo)
        case .payment(let payment): DeclarationLinker.Key(a: payment.payCode, b: payment.payTransactionID)
        case .waybill(let waybill): DeclarationLinker.Key(a: waybill.logisticsCode, b: waybill.logisticsNo)
        case .inventory(let inventory): DeclarationLinker.Key(a: inventory.ebpCode, b: inventory.orderNo)
        }
    }

    /// The key customs' receipts about the document are matched by.
    var receiptKey: ReceiptMatcher<FlowKey>.Key {
        switch self {
        case .order(let order): .order(ebpCode: order.ebpCode, orderNo: order.orderNo)
        case .inventory(let inventory): .order(ebpCode: inventory.ebpCode, orderNo: inventory.orderNo)
        case .payment(let payment): .payment(payCode: payment.payCode, transactionId: payment.payTransactionID)
        case .waybill(let waybill): .waybill(logisticsCode: waybill.logisticsCode, logisticsNo: waybill.logisticsNo)
        }
    }
}
