import Foundation
import HubProtocol

/// 三单对碰: checks that an inventory's order, payment and waybill exist in agreement
/// before customs is asked to accept it. Pure: documents in, failures out (empty = match).
///
/// Rules that need data a document does not carry are skipped: an export order (303) has
/// no consignee or payment transaction, so CONSIGNEE and the transaction half of
/// PAYMENT_LINK apply only when the order names them; an export waybill (505) has no
/// order number, so WAYBILL_LINK compares its logistics number only; it has no actural_paid either, and
/// export proceeds (403) carry a charge that need not equal the order's value (they may
/// be partial or cover several orders), so ORDER_TOTAL and PAYMENT_AMOUNT apply to imports
/// only — an export's charge must still be a decimal. Amounts are compared as exact
/// decimals ("12.50" equals "12.5").
public enum DeclarationMatcher {
    /// Every rule's failures for one declaration, in rule order.
    public static func check(order: BizOrder, payment: BizPayment, waybill: BizWaybill, inventory: BizInventory) -> [MatchFailure] {
        var failures: [MatchFailure] = []
        if order.isExport {
            if !payment.charge.isEmpty, decimal(payment.charge) == nil {
                failures.append(
                    MatchFailure(.decimalFormat, fields: ["payment.charge"], "'\(payment.charge.prefix(32))' is not a decimal number"))
            }
        } else {
            failures += orderTotal(order)
        }
        failures += paymentLink(order, payment)
        if !order.isExport { failures += paymentAmount(order, payment) }
        failures += waybillLink(order, waybill, inventory)
        failures += consignee(order, waybill)
        failures += inventoryLink(order, inventory)
        failures += inventoryItems(order, inventory)
        return failures
    }

    // MARK: rules

    static func orderTotal(_ order: BizOrder) -> [MatchFailure] {
        let parts = [
            ("order.goods_value", order.goodsValue), ("order.freight", order.freight),
            ("order.tax_total", order.taxTotal), ("order.discount", order.discount),
            ("order.actural_paid", order.acturalPaid),
        ]
        var values: [Decimal] = []
        var failures: [MatchFailure] = []
        for (field, text) in parts {
            // Absent amounts count as zero except the total itself.
            if text.isEmpty && field != "order.actural_paid" {
                values.append(0)
            } else if let value = decimal(text) {
                values.append(value)
            } else {
                failures.append(MatchFailure(.decimalFormat, fields: [field], "'\(text.prefix(32))' is not a decimal number"))
            }
        }
        guard failures.isEmpty else { return failures }
        let expected = values[0] + values[1] + values[2] - values[3]
        guard expected == values[4] else {
            return [
                MatchFailure(
                    .orderTotal, fields: parts.map(\.0),
                    "actural_paid \(values[4]) ≠ goods_value + freight + tax_total − discount = \(expected)")
            ]
        }
        return []
    }

    static func paymentLink(_ order: BizOrder, _ payment: BizPayment) -> [MatchFailure] {
        var failures: [MatchFailure] = []
        failures += differ("order.order_no", order.orderNo, "payment.order_no", payment.orderNo, .paymentLink)
        failures += differ("order.ebp_code", order.ebpCode, "payment.ebp_code", payment.ebpCode, .paymentLink)
        if !order.payCode.isEmpty {
            failures += differ("order.pay_code", order.payCode, "payment.pay_code", payment.payCode, .paymentLink)
        }
        if !order.payTransactionID.isEmpty {
            failures += differ(
                "order.pay_transaction_id", order.payTransactionID, "payment.pay_transaction_id", payment.payTransactionID,
                .paymentLink)
        }
        return failures
    }

    static func paymentAmount(_ order: BizOrder, _ payment: BizPayment) -> [MatchFailure] {
        guard let paid = decimal(payment.amountPaid) else {
            return [
                MatchFailure(.decimalFormat, fields: ["payment.amount_paid"], "'\(payment.amountPaid.prefix(32))' is not a decimal number")
            ]
        }
        guard let due = decimal(order.acturalPaid) else { return [] }  // reported by ORDER_TOTAL
        guard paid == due else {
            return [
                MatchFailure(
                    .paymentAmount, fields: ["order.actural_paid", "payment.amount_paid"], "paid \(paid) but the order's total is \(due)")
            ]
        }
        return []
    }

    static func waybillLink(_ order: BizOrder, _ waybill: BizWaybill, _ inventory: BizInventory) -> [MatchFailure] {
        // An export waybill (505) carries no order number: it links by its logistics number.
        let orderNumber =
            waybill.orderNo.isEmpty && waybill.ieFlag == "E"
            ? [] : differ("order.order_no", order.orderNo, "waybill.order_no", waybill.orderNo, .waybillLink)
        return orderNumber
            + differ("inventory.logistics_code", inventory.logisticsCode, "waybill.logistics_code", waybill.logisticsCode, .waybillLink)
            + differ("inventory.logistics_no", inventory.logisticsNo, "waybill.logistics_no", waybill.logisticsNo, .waybillLink)
    }

    static func consignee(_ order: BizOrder, _ waybill: BizWaybill) -> [MatchFailure] {
        guard !order.consignee.isEmpty else { return [] }
        // Personal data: the reason names the fields, never their values (the feedback is
        // journaled, and the journal keeps personal fields only sealed).
        return differ(
            "order.consignee", order.consignee, "waybill.consignee", waybill.consignee, .consignee, normalize: true, personal: true)
            + differ(
                "order.consignee_telephone", order.consigneeTelephone, "waybill.consignee_telephone", waybill.consigneeTelephone,
                .consignee, normalize: true, personal: true)
            + differ(
                "order.consignee_address", order.consigneeAddress, "waybill.consignee_address", waybill.consigneeAddress,
                .consignee, normalize: true, personal: true)
    }

    static func inventoryLink(_ order: BizOrder, _ inventory: BizInventory) -> [MatchFailure] {
        differ("order.order_no", order.orderNo, "inventory.order_no", inventory.orderNo, .inventoryLink)
            + differ("order.ebp_code", order.ebpCode, "inventory.ebp_code", inventory.ebpCode, .inventoryLink)
            + differ("order.ebc_code", order.ebcCode, "inventory.ebc_code", inventory.ebcCode, .inventoryLink)
    }

    static func inventoryItems(_ order: BizOrder, _ inventory: BizInventory) -> [MatchFailure] {
        let ordered = Dictionary(order.orderList.map { ($0.gnum, $0) }, uniquingKeysWith: { first, _ in first })
        let listed = Dictionary(inventory.inventoryList.map { ($0.gnum, $0) }, uniquingKeysWith: { first, _ in first })
        var failures: [MatchFailure] = []
        for gnum in Set(ordered.keys).union(listed.keys).sorted() {
            guard let line = ordered[gnum] else {
                failures.append(
                    MatchFailure(.inventoryItems, fields: ["inventory.inventory_list[\(gnum)]"], "line \(gnum) is not in the order"))
                continue
            }
            guard let item = listed[gnum] else {
                failures.append(
                    MatchFailure(
                        .inventoryItems, fields: ["order.order_list[\(gnum)]"], "line \(gnum) of the order is not in the inventory"))
                continue
            }
            failures += differ(
                "order.order_list[\(gnum)].item_no", line.itemNo, "inventory.inventory_list[\(gnum)].item_no", item.itemNo, .inventoryItems)
            // An export inventory's line total is the value declared to customs, which the
            // standard does not tie to the order's (the official CEB603 sample declares 200
            // for an order line of 2000): compared on import only.
            var compared = [("qty", line.qty, item.qty), ("price", line.price, item.price)]
            if inventory.ieFlag != "E" { compared.append(("total_price", line.totalPrice, item.totalPrice)) }
            for (name, left, right) in compared {
                let fields = ["order.order_list[\(gnum)].\(name)", "inventory.inventory_list[\(gnum)].\(name)"]
                guard let a = decimal(left), let b = decimal(right) else {
                    failures.append(
                        MatchFailure(
                            .decimalFormat, fields: fields, "'\(left.prefix(32))' or '\(right.prefix(32))' is not a decimal number"))
                    continue
                }
                if a != b {
                    failures.append(MatchFailure(.inventoryItems, fields: fields, "\(name) \(a) in the order, \(b) in the inventory"))
                }
            }
        }
        if order.orderList.count != ordered.count || inventory.inventoryList.count != listed.count {
            failures.append(
                MatchFailure(
                    .inventoryItems, fields: ["order.order_list", "inventory.inventory_list"], "a line number (gnum) appears twice"))
        }
        return failures
    }

    // MARK: helpers

    /// A failure when the two values differ; its reason quotes them, unless they are
    /// `personal` data, which no reason repeats.
    private static func differ(
        _ leftField: String, _ left: String, _ rightField: String, _ right: String, _ rule: MatchRule, normalize: Bool = false,
        personal: Bool = false
    ) -> [MatchFailure] {
        let a = normalize ? normalized(left) : left
        let b = normalize ? normalized(right) : right
        guard a != b else { return [] }
        let reason =
            personal
            ? "\(leftField) and \(rightField) differ (personal data: the values are not repeated here)"
            : "'\(left.prefix(64))' ≠ '\(right.prefix(64))'"
        return [MatchFailure(rule, fields: [leftField, rightField], reason)]
    }

    /// Trimmed, inner runs of white space as one space.
    private static func normalized(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// An exact decimal from the standard's text form: digits, one optional point, an
    /// optional leading minus; nothing else (no exponent, no grouping).
    public static func decimal(_ text: String) -> Decimal? {
        let body = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard !body.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            !(parts.first?.isEmpty ?? true)
        else { return nil }
        // Up to 18 digits fit a UInt64 exactly: the value is that significand scaled by a
        // power of ten, with no string parsing (Foundation's, with a Locale made for each
        // call, cost a tenth of the declaration flows' router thread).
        var significand: UInt64 = 0
        var digits = 0
        for byte in body.utf8 where byte != UInt8(ascii: ".") {
            significand = significand &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
            digits += 1
        }
        guard digits <= 18 else { return Decimal(string: text, locale: posix) }
        let scale = parts.count == 2 ? parts[1].utf8.count : 0
        let sign: FloatingPointSign = text.hasPrefix("-") && significand != 0 ? .minus : .plus
        return Decimal(sign: sign, exponent: -scale, significand: Decimal(significand))
    }

    private static let posix = Locale(identifier: "en_US_POSIX")
}
