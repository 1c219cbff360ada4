/// The rules of 三单对碰 (matching order, payment, waybill and inventory), each with a
/// stable name that feedback and statistics report.
public enum MatchRule: String, CaseIterable, Sendable, Codable {
    /// An amount or quantity is not a decimal number.
    case decimalFormat = "DECIMAL_FORMAT"
    /// order: actural_paid = goods_value + freight + tax_total − discount.
    case orderTotal = "ORDER_TOTAL"
    /// payment ↔ order: (pay_code, pay_transaction_id) and (ebp_code, order_no) agree.
    case paymentLink = "PAYMENT_LINK"
    /// payment.amount_paid = order.actural_paid.
    case paymentAmount = "PAYMENT_AMOUNT"
    /// waybill ↔ order and inventory: order_no, (logistics_code, logistics_no) agree.
    case waybillLink = "WAYBILL_LINK"
    /// consignee name, telephone and address agree on order and waybill.
    case consignee = "CONSIGNEE"
    /// inventory ↔ order: (ebp_code, order_no) and ebc_code agree.
    case inventoryLink = "INVENTORY_LINK"
    /// inventory item lines match the order's: same lines (by gnum), item_no, qty, price
    /// and, on import, total_price (an export inventory's line total is its declared value).
    case inventoryItems = "INVENTORY_ITEMS"
}

/// One failed rule: which, the fields involved (as `document.field`), and why.
public struct MatchFailure: Sendable, Equatable, CustomStringConvertible {
    public var rule: MatchRule
    public var fields: [String]
    public var reason: String

    public init(_ rule: MatchRule, fields: [String], _ reason: String) {
        self.rule = rule
        self.fields = fields
        self.reason = reason
    }

    public var description: String { "\(rule.rawValue) [\(fields.joined(separator: ", "))]: \(reason)" }
}

extension MatchFailure: Codable {}
