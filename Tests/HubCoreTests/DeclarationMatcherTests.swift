import Foundation
import HubCore
import HubProtocol
import Testing

@Suite("三单对碰: every matching rule, passing and failing")
struct DeclarationMatcherTests {
    struct Documents {
        var order = BizOrder()
        var payment = BizPayment()
        var waybill = BizWaybill()
        var inventory = BizInventory()

        var failures: [MatchFailure] {
            DeclarationMatcher.check(order: order, payment: payment, waybill: waybill, inventory: inventory)
        }
        var rules: Set<MatchRule> { Set(failures.map(\.rule)) }
    }

    /// An import declaration whose four documents agree.
    static func matching() -> Documents {
        var docs = Documents()
        var line = BizOrderItem()
        line.gnum = 1
        line.itemNo = "1020031"
        line.qty = "2"
        line.price = "600.00"
        line.totalPrice = "1200.00"
        docs.order.orderNo = "order2018050711340001"
        docs.order.ebpCode = "1105910159"
        docs.order.ebcCode = "1105910159"
        docs.order.goodsValue = "1200.00"
        docs.order.freight = "10.00"
        docs.order.taxTotal = "51.84"
        docs.order.discount = "10.00"
        docs.order.acturalPaid = "1251.84"
        docs.order.payCode = "312226T001"
        docs.order.payTransactionID = "2018050711340001"
        docs.order.consignee = "张三"
        docs.order.consigneeTelephone = "13900000000"
        docs.order.consigneeAddress = "浙江省杭州市 滨江区 1 号"
        docs.order.orderList = [line]

        docs.payment.orderNo = docs.order.orderNo
        docs.payment.ebpCode = docs.order.ebpCode
        docs.payment.payCode = docs.order.payCode
        docs.payment.payTransactionID = docs.order.payTransactionID
        docs.payment.amountPaid = "1251.840"

        docs.waybill.orderNo = docs.order.orderNo
        docs.waybill.logisticsCode = "1105910159"
        docs.waybill.logisticsNo = "L2018050700001"
        docs.waybill.consignee = "张三"
        docs.waybill.consigneeTelephone = "13900000000"
        docs.waybill.consigneeAddress = "  浙江省杭州市  滨江区 1 号 "

        var item = BizInventoryItem()
        item.gnum = 1
        item.itemNo = "1020031"
        item.qty = "2.0"
        item.price = "600"
        item.totalPrice = "1200"
        docs.inventory.orderNo = docs.order.orderNo
        docs.inventory.ebpCode = docs.order.ebpCode
        docs.inventory.ebcCode = docs.order.ebcCode
        docs.inventory.logisticsCode = docs.waybill.logisticsCode
        docs.inventory.logisticsNo = docs.waybill.logisticsNo
        docs.inventory.inventoryList = [item]
        return docs
    }

    @Test func agreeingDocumentsMatch() {
        #expect(Self.matching().failures == [])
    }

    @Test func orderTotal() {
        var docs = Self.matching()
        docs.order.discount = "0"
        docs.payment.amountPaid = "1261.84"
        docs.order.acturalPaid = "1251.84"
        let failure = docs.failures.first { $0.rule == .orderTotal }
        #expect(failure?.fields.contains("order.actural_paid") == true)
        #expect(failure?.reason.contains("1261.84") == true)
    }

    @Test func decimalFormat() {
        var docs = Self.matching()
        docs.order.freight = "10,00"
        docs.inventory.inventoryList[0].qty = "2e0"
        docs.payment.amountPaid = "abc"
        let failures = docs.failures.filter { $0.rule == .decimalFormat }
        #expect(
            Set(failures.flatMap(\.fields)).isSuperset(of: ["order.freight", "payment.amount_paid", "inventory.inventory_list[1].qty"]))
        #expect(!docs.rules.contains(.orderTotal), "an unreadable amount is reported once, as a format error")
    }

    /// The standard's amounts read as Foundation reads them, without its string parsing up to
    /// 18 digits; more digits, and what is not a plain decimal, as before.
    @Test(arguments: [
        "0", "-0", "0.0", "12.50", "12.5", "0.001", "-3.25", "00012.300", "7", "100", "999999999999999999",
        "123456789012345678", "12345678901234567.8", "1234567890123456789.5", "-0.000000000000000001", "1.",
    ])
    func decimalValue(text: String) throws {
        let expected = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
        #expect(DeclarationMatcher.decimal(text) == expected)
        #expect(DeclarationMatcher.decimal(text).map { "\($0)" } == "\(expected)")
    }

    @Test(arguments: ["", "-", ".5", "1.2.3", "1e5", "1,5", " 1", "+1", "١٢", "--1"])
    func notADecimal(text: String) {
        #expect(DeclarationMatcher.decimal(text) == nil)
    }

    @Test(arguments: [
        ("pay_transaction_id", "order.pay_transaction_id"), ("pay_code", "order.pay_code"),
        ("order_no", "order.order_no"), ("ebp_code", "order.ebp_code"),
    ])
    func paymentLink(field: String, reported: String) {
        var docs = Self.matching()
        switch field {
        case "pay_transaction_id": docs.payment.payTransactionID = "other"
        case "pay_code": docs.payment.payCode = "other"
        case "order_no": docs.payment.orderNo = "other"
        default: docs.payment.ebpCode = "other"
        }
        let failure = docs.failures.first { $0.rule == .paymentLink }
        #expect(failure?.fields == [reported, "payment." + field])
    }

    @Test func paymentAmount() {
        var docs = Self.matching()
        docs.payment.amountPaid = "1251.83"
        #expect(
            docs.failures == [
                MatchFailure(
                    .paymentAmount, fields: ["order.actural_paid", "payment.amount_paid"], "paid 1251.83 but the order's total is 1251.84")
            ])
    }

    @Test func waybillLink() {
        var docs = Self.matching()
        docs.waybill.logisticsNo = "L2018050799999"
        #expect(docs.failures.map(\.rule) == [.waybillLink])
        #expect(docs.failures.first?.fields == ["inventory.logistics_no", "waybill.logistics_no"])
        docs = Self.matching()
        docs.waybill.orderNo = "other"
        #expect(docs.rules == [.waybillLink])
    }

    @Test(arguments: ["consignee", "consignee_telephone", "consignee_address"])
    func consignee(field: String) {
        var docs = Self.matching()
        switch field {
        case "consignee": docs.waybill.consignee = "李四"
        case "consignee_telephone": docs.waybill.consigneeTelephone = "13911111111"
        default: docs.waybill.consigneeAddress = "上海市"
        }
        #expect(docs.failures.map(\.rule) == [.consignee])
        #expect(docs.failures.first?.fields == ["order.\(field)", "waybill.\(field)"])
        // Personal data: the reason names the fields but repeats neither value.
        let reason = docs.failures.first?.reason ?? ""
        #expect(reason.contains("order.\(field)") && reason.contains("not repeated"))
        #expect(!["张三", "李四", "13900000000", "13911111111", "滨江区", "上海市"].contains { reason.contains($0) })
    }

    @Test func anExportOrderWithoutConsigneeOrTransactionSkipsThoseRules() {
        var docs = Self.matching()
        docs.order.consignee = ""
        docs.order.consigneeTelephone = ""
        docs.order.consigneeAddress = ""
        docs.order.payCode = ""
        docs.order.payTransactionID = ""
        docs.payment.payCode = "proceeds-bank"
        docs.payment.payTransactionID = "P-1"
        docs.waybill.consignee = "someone abroad"
        #expect(docs.failures == [])
    }

    /// An export declaration as the official samples have it: the order (303) without
    /// actural_paid, proceeds (403) with a charge unrelated to the order's value, an
    /// inventory (603) whose line total is its declared value.
    @Test func anExportDeclarationChecksLinksLinesAndFormatsNotAmounts() {
        var docs = Self.matching()
        docs.order.orderType = "E"
        docs.order.acturalPaid = ""
        docs.order.taxTotal = ""
        docs.order.goodsValue = "12345678912345.12345"
        docs.order.consignee = ""
        docs.order.payCode = ""
        docs.order.payTransactionID = ""
        docs.payment.ieFlag = "E"
        docs.payment.amountPaid = ""
        docs.payment.charge = "200.50"
        docs.inventory.ieFlag = "E"
        docs.inventory.inventoryList[0].totalPrice = "120"
        docs.waybill.ieFlag = "E"
        docs.waybill.orderNo = ""
        #expect(docs.failures == [])
        docs.payment.charge = "200,50"
        #expect(docs.failures == [MatchFailure(.decimalFormat, fields: ["payment.charge"], "'200,50' is not a decimal number")])
        docs.payment.charge = "200.50"
        docs.inventory.inventoryList[0].qty = "3"
        #expect(docs.failures.map(\.rule) == [.inventoryItems], "lines are still compared")
    }

    @Test func inventoryLink() {
        var docs = Self.matching()
        docs.inventory.ebcCode = "9999999999"
        #expect(docs.failures.map(\.rule) == [.inventoryLink])
        #expect(docs.failures.first?.fields == ["order.ebc_code", "inventory.ebc_code"])
    }

    @Test func inventoryItems() {
        var docs = Self.matching()
        docs.inventory.inventoryList[0].qty = "3"
        #expect(docs.failures.map(\.rule) == [.inventoryItems])
        #expect(docs.failures.first?.fields == ["order.order_list[1].qty", "inventory.inventory_list[1].qty"])

        docs = Self.matching()
        var extra = docs.inventory.inventoryList[0]
        extra.gnum = 2
        docs.inventory.inventoryList.append(extra)
        #expect(docs.failures.map(\.reason) == ["line 2 is not in the order"])

        docs = Self.matching()
        docs.inventory.inventoryList = []
        #expect(docs.failures.map(\.reason) == ["line 1 of the order is not in the inventory"])

        docs = Self.matching()
        docs.inventory.inventoryList[0].itemNo = "X"
        #expect(docs.failures.first?.fields == ["order.order_list[1].item_no", "inventory.inventory_list[1].item_no"])

        docs = Self.matching()
        docs.inventory.inventoryList.append(docs.inventory.inventoryList[0])
        #expect(docs.failures.map(\.reason) == ["a line number (gnum) appears twice"])
    }

    @Test func everyRuleIsExercised() {
        // The rules above cover MatchRule.allCases; a new rule needs a test here.
        #expect(
            Set(MatchRule.allCases) == [
                .decimalFormat, .orderTotal, .paymentLink, .paymentAmount, .waybillLink, .consignee, .inventoryLink, .inventoryItems,
            ])
    }
}
