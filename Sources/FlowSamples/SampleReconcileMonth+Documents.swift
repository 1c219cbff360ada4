import Foundation
import HubProtocol

extension SampleReconcileMonth {
    /// Adds one record and the document it is: type, sender, id, time, body, document.
    typealias Add = (String, String, String, Int64, [UInt8], Document) -> Void

    /// The platform's order of an inventory: its lines, goods value, and on import the
    /// freight, tax and the payment's transaction (actural_paid by the 三单对碰's formula).
    static func order(_ inventory: BizInventory, number n: Int) -> BizOrder {
        var order = BizOrder()
        order.appType = .new
        order.orderType = inventory.ieFlag
        order.orderNo = inventory.orderNo
        order.ebpCode = inventory.ebpCode
        order.ebcCode = inventory.ebcCode
        order.currency = inventory.currency
        var goods: Decimal = 0
        order.orderList = inventory.inventoryList.map { item -> BizOrderItem in
            var line = BizOrderItem()
            line.gnum = item.gnum
            line.itemNo = "sku-\(item.gcode)-\(item.gnum)"
            line.qty = item.qty
            line.totalPrice = item.totalPrice
            line.currency = item.currency.isEmpty ? inventory.currency : item.currency
            goods += decimal(item.totalPrice)
            return line
        }
        order.goodsValue = text(goods)
        if inventory.ieFlag == "I" {
            let tax = Decimal(n % 7) + Decimal(sign: .plus, exponent: -1, significand: 5)
            order.freight = "10"
            order.taxTotal = text(tax)
            let discount: Decimal = n % 3 == 0 ? 2 : 0
            order.discount = text(discount)
            order.acturalPaid = text(goods + 10 + tax - discount)
            order.payCode = "3101Q00001"
            order.payTransactionID = String(format: "tx%06d", n)
        } else {
            order.freight = "0"
        }
        return order
    }

    /// The payment of an order: the import payment company's (by transaction), or the bank's
    /// export proceeds (by the platform and order number, or by the exporter and order number
    /// when `linkByPlatform` is false, as a bank adapter without a platform code writes them).
    static func payment(_ order: BizOrder, number n: Int, linkByPlatform: Bool) -> BizPayment {
        var payment = BizPayment()
        payment.appType = .new
        payment.ieFlag = order.orderType
        payment.orderNo = order.orderNo
        payment.currency = order.currency
        if order.orderType == "E" {
            payment.payCode = "3101B00001"
            payment.payNo = String(format: "px%06d", n)
            payment.ebcCode = order.ebcCode
            payment.ebpCode = linkByPlatform ? order.ebpCode : ""
            payment.charge = order.goodsValue
        } else {
            payment.payCode = order.payCode
            payment.payTransactionID = order.payTransactionID
            payment.ebpCode = order.ebpCode
            payment.amountPaid = order.acturalPaid
        }
        return payment
    }

    /// The documents planted beside the filings: an order paid and never declared, a payment
    /// of no order, a parcel never declared; each a grace and a day before the month's end.
    static func plantDocuments(plants: Int, startUs: Int64, lastUs: Int64, graceUs: Int64, add: Add) -> [Planted] {
        var planted: [Planted] = []
        for k in 0..<plants {
            let at = min(startUs + Int64(k + 1) * 3_600_000_000, lastUs - graceUs - 86_400_000_000)
            let enterprise = String(format: "1101E%05d", k % 4 + 1)
            var order = BizOrder()
            order.appType = .new
            order.orderType = "I"
            order.orderNo = String(format: "undeclared%04d", k)
            order.ebpCode = "1101P00001"
            order.ebcCode = enterprise
            order.currency = "142"
            order.goodsValue = "100"
            order.acturalPaid = "100"
            order.payCode = "3101Q00001"
            order.payTransactionID = String(format: "txu%04d", k)
            let orderId = String(format: "ord-undeclared-%04d", k)
            add(
                "ceb.Order", platform, orderId, at, bytes { try order.serializedBytes() },
                Document(
                    type: "ceb.Order", sender: platform, id: orderId, atUs: at, enterprise: enterprise, amount: "100", currency: "142",
                    covered: 0))
            let paid = payment(order, number: k, linkByPlatform: true)
            let paymentId = String(format: "pay-undeclared-%04d", k)
            add(
                "ceb.Payment", payer, paymentId, at + 1_000_000, bytes { try paid.serializedBytes() },
                Document(
                    type: "ceb.Payment", sender: payer, id: paymentId, atUs: at + 1_000_000, enterprise: enterprise, amount: "100",
                    currency: "142", covered: 0))
            planted.append(Planted(kind: .paymentUnreleased, type: "ceb.Payment", sender: payer, id: paymentId))

            var lost = BizPayment()
            lost.appType = .new
            lost.ieFlag = "I"
            lost.payCode = "3101Q00001"
            lost.payTransactionID = String(format: "txlost%04d", k)
            lost.orderNo = String(format: "lost%04d", k)
            lost.ebpCode = "1101P09999"
            lost.amountPaid = "55.5"
            lost.currency = "142"
            let lostId = String(format: "pay-lost-%04d", k)
            add(
                "ceb.Payment", payer, lostId, at + 2_000_000, bytes { try lost.serializedBytes() },
                Document(
                    type: "ceb.Payment", sender: payer, id: lostId, atUs: at + 2_000_000, enterprise: "", amount: "55.5", currency: "142",
                    covered: 0))
            planted.append(Planted(kind: .paymentNoOrder, type: "ceb.Payment", sender: payer, id: lostId))

            var parcel = BizWaybill()
            parcel.appType = .new
            parcel.ieFlag = "E"
            parcel.logisticsCode = SampleTradeMonth.logisticsCode
            parcel.logisticsNo = String(format: "LX%06d", k)
            parcel.ebcCode = enterprise
            let parcelId = String(format: "wb-undeclared-%04d", k)
            add(
                "ceb.Waybill", carrier, parcelId, at + 3_000_000, bytes { try parcel.serializedBytes() },
                Document(
                    type: "ceb.Waybill", sender: carrier, id: parcelId, atUs: at + 3_000_000, enterprise: enterprise, amount: "",
                    currency: "", covered: 0))
            planted.append(Planted(kind: .waybillUnreleased, type: "ceb.Waybill", sender: carrier, id: parcelId))
        }
        return planted
    }

    /// Customs' summary result of each exporter's released exports (ended before `atUs`);
    /// the first `plants` of them also cover an inventory never released.
    static func summaries(_ trades: [Trade], plants: Int, atUs: Int64, add: Add) -> [Planted] {
        var byEnterprise: [String: [String]] = [:]
        for trade in trades where trade.filing.fate == .released && trade.filing.inventory.ieFlag == "E" && trade.filing.endedAtUs < atUs {
            byEnterprise[trade.filing.inventory.ebcCode, default: []].append("INV" + String(trade.filing.id.dropFirst(4)))
        }
        var planted: [Planted] = []
        for (k, enterprise) in byEnterprise.keys.sorted().enumerated() {
            var numbers = byEnterprise[enterprise] ?? []
            if k < plants { numbers.append(String(format: "INV9%05d", k)) }
            var result = BizSummaryResult()
            result.sumNo = String(format: "SUM%04d", k + 1)
            result.entryID = String(format: "3101202600000%05d", k + 1)
            result.ebcCode = enterprise
            result.summaryResultList = numbers.enumerated().map { index, number -> BizSummaryResultItem in
                var item = BizSummaryResultItem()
                item.invtNo = number
                item.gseqno = Int32(index + 1)
                return item
            }
            let id = String(format: "sumres-%04d", k + 1)
            add(
                "ceb.SummaryResult", customs, id, atUs + Int64(k), bytes { try result.serializedBytes() },
                Document(
                    type: "ceb.SummaryResult", sender: customs, id: id, atUs: atUs + Int64(k), enterprise: enterprise, amount: "",
                    currency: "",
                    covered: numbers.count))
            if k < plants { planted.append(Planted(kind: .summaryUnreleased, type: "ceb.SummaryResult", sender: customs, id: id)) }
        }
        return planted
    }

    /// A message's bytes (a sample's messages always serialize).
    static func bytes(_ serialize: () throws -> [UInt8]) -> [UInt8] { (try? serialize()) ?? [] }

    static func decimal(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? 0 }

    /// A decimal's text, rounded to `scale` decimals.
    static func text(_ value: Decimal, scale: Int = 5) -> String {
        var value = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, scale, .plain)
        return rounded.description
    }
}
