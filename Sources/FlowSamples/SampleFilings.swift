import HubProtocol

/// Realistic filings for the demo, the flow benchmarks and the tests: registrations and
/// the four documents of a declaration, in agreement or deliberately broken for one
/// matching rule. Values follow the customs standard's samples (codes, decimal strings).
public enum SampleFilings {
    /// A deliberate disagreement between the documents of a declaration.
    public enum Mismatch: String, CaseIterable, Sendable {
        /// The payment's amount is not the order's total (PAYMENT_AMOUNT).
        case paymentAmount
        /// The waybill's consignee is someone else (CONSIGNEE).
        case consignee
        /// The inventory declares another quantity than the order (INVENTORY_ITEMS).
        case inventoryItems
    }

    /// The parties filing a declaration, by their customs codes.
    public struct Filers: Sendable {
        public var ebpCode: String
        public var ebcCode: String
        public var payCode: String
        public var logisticsCode: String
        public var customsCode: String
        public var agentCode: String

        public init(
            ebpCode: String = "3301960001", ebcCode: String = "3301960001", payCode: String = "312226T001",
            logisticsCode: String = "3301980002", customsCode: String = "2991", agentCode: String = "3301960001"
        ) {
            self.ebpCode = ebpCode
            self.ebcCode = ebcCode
            self.payCode = payCode
            self.logisticsCode = logisticsCode
            self.customsCode = customsCode
            self.agentCode = agentCode
        }
    }

    /// The four documents of one declaration.
    public struct Declaration: Sendable {
        public var order: BizOrder
        public var payment: BizPayment
        public var waybill: BizWaybill
        public var inventory: BizInventory
    }

    /// An enterprise's registration (备案).
    /// - Parameters:
    ///   - socialCreditCode: the 18-character unified social credit code.
    ///   - customsCode: the 10-character customs code ("" if not yet registered with customs).
    ///   - roles: what it registers as.
    ///   - bankCode: the bank code of its settlement account.
    public static func registration(
        copNo: String, socialCreditCode: String, customsCode: String, name: String, roles: [BizEnterpriseRole], bankCode: String
    ) -> BizRegistration {
        var registration = BizRegistration()
        registration.copNo = copNo
        registration.appType = .new
        registration.appTime = "20261121093000"
        registration.socialCreditCode = socialCreditCode
        registration.customsCode = customsCode
        registration.name = name
        registration.address = "浙江省杭州市滨江区网商路 599 号"
        registration.roles = roles
        var account = BizBankAccount()
        account.bankName = "中国银行杭州分行"
        account.bankCode = bankCode
        account.accountNo = "6216600000000" + String(socialCreditCode.suffix(6))
        account.accountName = name
        account.currency = "142"
        registration.bankAccounts = [account]
        var contact = BizContact()
        contact.name = "王五"
        contact.telephone = "0571-88000000"
        registration.contact = contact
        return registration
    }

    /// The documents of import declaration number `n` (9610 direct purchase): two goods
    /// lines, tax withheld, a buyer with an ID number; broken for `mismatch` if given.
    public static func declaration(_ n: Int, filers: Filers = Filers(), mismatch: Mismatch? = nil) -> Declaration {
        let serial = String(n)
        let padded = String(repeating: "0", count: max(0, 8 - serial.count)) + serial
        let orderNo = "order2026112100" + padded
        let lines: [(item: String, name: String, model: String, qty: String, price: String, total: String)] = [
            ("1020031", "婴儿奶粉 900g", "900g/罐, 1 段", "2", "300.00", "600.00"),
            ("1020045", "维生素片 60 粒", "60 粒/瓶", "1", "150.50", "150.50"),
        ]
        var order = BizOrder()
        order.guid = "4CDE1CFD-EDED-46B1-946C-B8022E" + padded.suffix(6)
        order.appType = .new
        order.appTime = "20261121101500"
        order.appStatus = .declared
        order.orderType = "I"
        order.orderNo = orderNo
        order.ebpCode = filers.ebpCode
        order.ebpName = "杭州跨境电商平台有限公司"
        order.ebcCode = filers.ebcCode
        order.ebcName = "杭州跨境电商平台有限公司"
        order.goodsValue = "750.50"
        order.freight = "10.00"
        order.discount = "0"
        order.taxTotal = "69.17"
        order.acturalPaid = "829.67"
        order.currency = "142"
        order.buyerRegNo = "buyer" + padded
        order.buyerName = "张三"
        order.buyerTelephone = "13900000000"
        order.buyerIDType = "1"
        order.buyerIDNumber = "33010619900101" + String(padded.suffix(4))
        order.payCode = filers.payCode
        order.payName = "杭州支付有限公司"
        order.payTransactionID = "PAY" + padded
        order.consignee = "张三"
        order.consigneeTelephone = "13900000000"
        order.consigneeAddress = "浙江省杭州市西湖区文三路 90 号"
        order.consigneeDistrict = "330106"
        order.orderList = lines.enumerated().map { index, line in
            var item = BizOrderItem()
            item.gnum = Int32(index + 1)
            item.itemNo = line.item
            item.itemName = line.name
            item.gmodel = line.model
            item.unit = "007"
            item.qty = line.qty
            item.price = line.price
            item.totalPrice = line.total
            item.currency = "142"
            item.country = "116"
            return item
        }

        var payment = BizPayment()
        payment.guid = "5CDE1CFD-EDED-46B1-946C-B8022E" + padded.suffix(6)
        payment.appType = .new
        payment.appTime = order.appTime
        payment.appStatus = .declared
        payment.ieFlag = "I"
        payment.payCode = filers.payCode
        payment.payName = order.payName
        payment.payTransactionID = order.payTransactionID
        payment.orderNo = orderNo
        payment.ebpCode = filers.ebpCode
        payment.ebpName = order.ebpName
        payment.payerIDType = "1"
        payment.payerIDNumber = order.buyerIDNumber
        payment.payerName = order.buyerName
        payment.telephone = order.buyerTelephone
        payment.amountPaid = mismatch == .paymentAmount ? "819.67" : "829.67"
        payment.currency = "142"
        payment.payTime = "20261121101000"

        var waybill = BizWaybill()
        waybill.guid = "6CDE1CFD-EDED-46B1-946C-B8022E" + padded.suffix(6)
        waybill.appType = .new
        waybill.appTime = order.appTime
        waybill.appStatus = .declared
        waybill.ieFlag = "I"
        waybill.logisticsCode = filers.logisticsCode
        waybill.logisticsName = "杭州国际物流有限公司"
        waybill.logisticsNo = "LP" + padded
        waybill.billNo = "999-12345675"
        waybill.orderNo = orderNo
        waybill.freight = "10.00"
        waybill.insuredFee = "0"
        waybill.currency = "142"
        waybill.weight = "1.25"
        waybill.packNo = 1
        waybill.goodsInfo = "奶粉, 维生素"
        waybill.consignee = mismatch == .consignee ? "李四" : order.consignee
        waybill.consigneeAddress = order.consigneeAddress
        waybill.consigneeTelephone = order.consigneeTelephone

        var inventory = BizInventory()
        inventory.guid = "7CDE1CFD-EDED-46B1-946C-B8022E" + padded.suffix(6)
        inventory.appType = .new
        inventory.appTime = order.appTime
        inventory.appStatus = .declared
        inventory.customsCode = filers.customsCode
        inventory.orderNo = orderNo
        inventory.ebpCode = filers.ebpCode
        inventory.ebpName = order.ebpName
        inventory.ebcCode = filers.ebcCode
        inventory.ebcName = order.ebcName
        inventory.logisticsCode = filers.logisticsCode
        inventory.logisticsName = waybill.logisticsName
        inventory.logisticsNo = waybill.logisticsNo
        inventory.copNo = "cop" + padded
        inventory.ieFlag = "I"
        inventory.assureCode = filers.ebcCode
        inventory.declTime = "20261121"
        inventory.portCode = filers.customsCode
        inventory.ieDate = "20261121"
        inventory.buyerIDType = "1"
        inventory.buyerIDNumber = order.buyerIDNumber
        inventory.buyerName = order.buyerName
        inventory.buyerTelephone = order.buyerTelephone
        inventory.consigneeAddress = order.consigneeAddress
        inventory.agentCode = filers.agentCode
        inventory.agentName = order.ebcName
        inventory.tradeMode = "9610"
        inventory.trafMode = "5"
        inventory.country = "116"
        inventory.freight = "10.00"
        inventory.insuredFee = "0"
        inventory.currency = "142"
        inventory.packNo = 1
        inventory.grossWeight = "1.25"
        inventory.netWeight = "1.10"
        inventory.inventoryList = lines.enumerated().map { index, line in
            var item = BizInventoryItem()
            item.gnum = Int32(index + 1)
            item.itemNo = line.item
            item.itemName = line.name
            item.gcode = "1901101000"
            item.gname = line.name
            item.gmodel = line.model
            item.country = "116"
            item.currency = "142"
            item.qty = mismatch == .inventoryItems && index == 0 ? "3" : line.qty
            item.unit = "007"
            item.qty1 = line.qty
            item.unit1 = "035"
            item.price = line.price
            item.totalPrice = line.total
            return item
        }
        return Declaration(order: order, payment: payment, waybill: waybill, inventory: inventory)
    }
}
