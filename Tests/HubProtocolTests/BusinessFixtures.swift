import Foundation
import HubProtocol
import SwiftProtobuf

/// Messages of `Schemas/business.proto` with every field set to a value other than its
/// default, so a round trip that dropped or mixed up any field would show. Values come from
/// the official CEB samples (`specs/customs-ceb/samples-2018-export/`: orderNo
/// `order2018050711340001`, logisticsNo `L2018050700001`, invtNo `Invt20180507000001`, ...)
/// where they exist; import-only fields get realistic values of the same shape.
enum BusinessFixtures {
    static let platformCode = "1105910159"
    static let platformName = "东方物通科技(北京)有限公司"
    static let orderNo = "order2018050711340001"
    static let logisticsNo = "L2018050700001"
    static let copNo = "Cop20180507001"
    static let preNo = "P20180507000000001"
    static let invtNo = "Invt20180507000001"
    static let sumNo = "S20180507000000001"

    /// Every fixture; the coverage test matches them to the schema by `protoMessageName`.
    static var all: [any SwiftProtobuf.Message] {
        [
            bankAccount, contact, registration, registrationResult,
            orderItem, order, payment, waybill, inventoryItem, inventory, receipt,
            summaryDeclaration, summaryResultItem, summaryResult,
            releaseNotice, query, answerRecord, answer, summaryRequest, creditNotice, refundResult, settlementResult, adapterEvent,
            departmentStatus, feedback,
            documentStatus,
            declarationEvent,
        ] + customsDocuments + riskMessages + afterReleaseNotices
    }

    /// Short proto name ("Order") → fixture.
    static var byName: [String: any SwiftProtobuf.Message] {
        Dictionary(uniqueKeysWithValues: all.map { (shortName(of: $0), $0) })
    }

    static func shortName(of message: any SwiftProtobuf.Message) -> String {
        String(type(of: message).protoMessageName.split(separator: ".").last ?? "")
    }

    // MARK: Registration

    static var bankAccount: BizBankAccount {
        var account = BizBankAccount()
        account.bankName = "中国银行北京分行"
        account.bankCode = "BKCHCNBJ110"
        account.accountNo = "6217 8501 0000 1234 567"
        account.accountName = platformName
        account.currency = "502"
        return account
    }

    static var contact: BizContact {
        var contact = BizContact()
        contact.name = "王小明"
        contact.telephone = "15088795220"
        contact.email = "customs@dfwt.example.cn"
        contact.address = "北京市朝阳区建国门外大街1号"
        return contact
    }

    static var registration: BizRegistration {
        var registration = BizRegistration()
        registration.copNo = "REG-2024-000017"
        registration.appType = .change
        registration.appTime = "20240315093000"
        registration.socialCreditCode = "91110105MA01ABCD2X"
        registration.customsCode = platformCode
        registration.name = platformName
        registration.nameEn = "Dongfang Wutong Technology (Beijing) Co., Ltd."
        registration.address = "北京市朝阳区建国门外大街1号"
        registration.roles = [.platform, .ecommerceEnterprise, .declarationAgent]
        var second = bankAccount
        second.currency = "142"
        second.accountNo = "0200 0045 0920 0123 456"
        registration.bankAccounts = [bankAccount, second]
        registration.contact = contact
        registration.note = "首次备案"
        return registration
    }

    static var registrationResult: BizRegistrationResult {
        var result = BizRegistrationResult()
        result.copNo = "REG-2024-000017"
        result.socialCreditCode = "91110105MA01ABCD2X"
        result.department = "customs"
        result.decision = .refused
        result.code = platformCode
        result.reason = "统一社会信用代码与企业名称不符"
        result.decidedAtUs = 1_710_466_200_000_001
        return result
    }

    // MARK: The three documents and the inventory

    static var orderItem: BizOrderItem {
        var item = BizOrderItem()
        item.gnum = 1
        item.itemNo = "AF001-001"
        item.itemName = "小米盒子"
        item.gmodel = "44mm"
        item.itemDescribe = "小米盒子"
        item.barCode = "2345123"
        item.unit = "007"
        item.qty = "100"
        item.price = "12.345"
        item.totalPrice = "1234.50"
        item.currency = "142"
        item.country = "116"
        item.note = "test"
        return item
    }

    static var order: BizOrder {
        var order = BizOrder()
        order.guid = "704EA0F1-B229-4E89-9F2F-C2E550E95C86"
        order.appType = .new
        order.appTime = "20180507153001"
        order.appStatus = .declared
        order.orderType = "I"
        order.orderNo = orderNo
        order.ebpCode = platformCode
        order.ebpName = platformName
        order.ebcCode = platformCode
        order.ebcName = platformName
        order.goodsValue = "1234.50"
        order.freight = "10.00"
        order.discount = "5.00"
        order.taxTotal = "12.34"
        order.acturalPaid = "1251.84"  // 1234.50 + 10.00 + 12.34 − 5.00
        order.currency = "142"
        order.buyerRegNo = "buyer-88121"
        order.buyerName = "李四"
        order.buyerTelephone = "13800138000"
        order.buyerIDType = "1"
        order.buyerIDNumber = "110101199003078515"
        order.payCode = "3120980105"
        order.payName = "银联电子支付服务有限公司"
        order.payTransactionID = "PT2018050712000001"
        order.batchNumbers = "B20180501"
        order.consignee = "李四"
        order.consigneeTelephone = "13800138000"
        order.consigneeAddress = "北京市海淀区中关村大街27号"
        order.consigneeDistrict = "110108"
        order.note = "test"
        var second = orderItem
        second.gnum = 2
        second.itemNo = "AF001-002"
        second.price = "0"
        second.totalPrice = "0"
        second.note = "赠品"
        order.orderList = [orderItem, second]
        return order
    }

    static var payment: BizPayment {
        var payment = BizPayment()
        payment.guid = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
        payment.appType = .new
        payment.appTime = "20180507153001"
        payment.appStatus = .declared
        payment.ieFlag = "I"
        payment.payCode = "3120980105"
        payment.payName = "银联电子支付服务有限公司"
        payment.payTransactionID = "PT2018050712000001"
        payment.orderNo = orderNo
        payment.ebpCode = platformCode
        payment.ebpName = platformName
        payment.payerIDType = "1"
        payment.payerIDNumber = "110101199003078515"
        payment.payerName = "李四"
        payment.telephone = "13800138000"
        payment.amountPaid = "1251.84"
        payment.currency = "142"
        payment.payTime = "20180507120501"
        payment.ebcCode = platformCode
        payment.ebcName = platformName
        payment.payNo = "P20180507001"
        payment.charge = "200.50"
        payment.accountingDate = "20180507153001"
        payment.note = "test"
        return payment
    }

    static var waybill: BizWaybill {
        var waybill = BizWaybill()
        waybill.guid = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
        waybill.appType = .delete
        waybill.appTime = "20180507153001"
        waybill.appStatus = .staged
        waybill.ieFlag = "E"
        waybill.logisticsCode = platformCode
        waybill.logisticsName = platformName
        waybill.logisticsNo = logisticsNo
        waybill.billNo = "784-12345675"
        waybill.orderNo = orderNo
        waybill.freight = "20.50"
        waybill.insuredFee = "30.50"
        waybill.currency = "142"
        waybill.weight = "1.25"
        waybill.grossWeight = "50.50"
        waybill.packNo = 9
        waybill.goodsInfo = "包裹"
        waybill.consignee = "李四"
        waybill.consigneeAddress = "北京市海淀区中关村大街27号"
        waybill.consigneeTelephone = "13800138000"
        waybill.ebcCode = platformCode
        waybill.ebcName = platformName
        waybill.ebcTelephone = "15088795220"
        waybill.note = "test"
        return waybill
    }

    static var inventoryItem: BizInventoryItem {
        var item = BizInventoryItem()
        item.gnum = 1
        item.itemRecordNo = "1210"
        item.itemNo = "AF001-001"
        item.itemName = "小米盒子"
        item.gcode = "8541401000"
        item.gname = "小米盒子"
        item.gmodel = "44mm"
        item.barCode = "2345123"
        item.country = "116"
        item.tradeCountry = "142"
        item.currency = "142"
        item.qty = "100"
        item.unit = "007"
        item.qty1 = "200"
        item.unit1 = "007"
        item.qty2 = "300.12345"
        item.unit2 = "035"
        item.price = "20"
        item.totalPrice = "200"
        item.note = "test"
        return item
    }

    static var inventory: BizInventory {
        var inventory = BizInventory()
        inventory.guid = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
        inventory.appType = .new
        inventory.appTime = "20180507153001"
        inventory.appStatus = .declared
        inventory.customsCode = "1500"
        inventory.orderNo = orderNo
        inventory.ebpCode = platformCode
        inventory.ebpName = platformName
        inventory.ebcCode = platformCode
        inventory.ebcName = platformName
        inventory.logisticsCode = platformCode
        inventory.logisticsName = platformName
        inventory.logisticsNo = logisticsNo
        inventory.copNo = copNo
        inventory.preNo = preNo
        inventory.invtNo = invtNo
        inventory.ieFlag = "E"
        inventory.assureCode = platformCode
        inventory.emsNo = "T1500W000001"
        inventory.declTime = "20180508"
        inventory.portCode = "1501"
        inventory.ieDate = "20180508"
        inventory.statisticsFlag = "A"
        inventory.buyerIDType = "1"
        inventory.buyerIDNumber = "110101199003078515"
        inventory.buyerName = "李四"
        inventory.buyerTelephone = "13800138000"
        inventory.consigneeAddress = "北京市海淀区中关村大街27号"
        inventory.agentCode = platformCode
        inventory.agentName = platformName
        inventory.ownerCode = platformCode
        inventory.ownerName = platformName
        inventory.areaCode = "1101W60001"
        inventory.areaName = "北京天竺综合保税区仓储有限公司"
        inventory.iacCode = "1101W60002"
        inventory.iacName = "北京天竺综保区内企业"
        inventory.tradeMode = "9610"
        inventory.trafMode = "5"
        inventory.trafNo = "CA1234"
        inventory.trafName = "AIR CHINA"
        inventory.voyageNo = "20180508"
        inventory.billNo = "784-12345675"
        inventory.totalPackageNo = "TP0001"
        inventory.loctNo = "1501A"
        inventory.licenseNo = "18-AB-000123"
        inventory.country = "001"
        inventory.pod = "002"
        inventory.freight = "50.36"
        inventory.fCurrency = "142"
        inventory.fFlag = "3"
        inventory.insuredFee = "52.32"
        inventory.iCurrency = "142"
        inventory.iFlag = "3"
        inventory.currency = "142"
        inventory.wrapType = "1"
        inventory.packNo = 9
        inventory.grossWeight = "80.25"
        inventory.netWeight = "70.25"
        inventory.note = "test"
        var second = inventoryItem
        second.gnum = 2
        second.gcode = "8541401001"
        inventory.inventoryList = [inventoryItem, second]
        return inventory
    }

    static var receipt: BizReceipt {
        var receipt = BizReceipt()
        receipt.messageType = "CEB604Message"
        receipt.guid = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
        receipt.customsCode = "1500"
        receipt.ebpCode = platformCode
        receipt.ebcCode = platformCode
        receipt.agentCode = platformCode
        receipt.orderNo = orderNo
        receipt.payCode = "3120980105"
        receipt.payTransactionID = "PT2018050712000001"
        receipt.payNo = "P20180507001"
        receipt.logisticsCode = platformCode
        receipt.logisticsNo = logisticsNo
        receipt.copNo = copNo
        receipt.preNo = preNo
        receipt.invtNo = invtNo
        receipt.sumNo = sumNo
        receipt.statisticsFlag = "1"
        receipt.msgSeqNo = 1
        receipt.returnStatus = -301010  // negative: processing error, int32 not the enum
        receipt.returnTime = "20180507153001001"
        receipt.returnInfo = "已存在相同编号的订单[4CDE1CFD-EDED-46B1-946C-B8022E42FC94]"
        // The keys of the other documents' receipts (508, 214/216, 514, 608, 712).
        receipt.operatorCode = "4401980009"
        receipt.billNo = "784-20261121"
        receipt.logisticsStatus = "S"
        receipt.coElNo = "RET-1"
        receipt.rkdNo = "299120261120000456"
        // A format check receipt's (900) reference to the message checked.
        receipt.oriCopMsgID = "A1B2C3D4-0000-4000-8000-000000000001"
        receipt.oriMessageType = "CEB604Message"
        receipt.oriBizMessage = "<ceb:CEB604Message/>"
        return receipt
    }

    static var summaryDeclaration: BizSummaryDeclaration {
        var summary = BizSummaryDeclaration()
        summary.guid = "123ENT97-2B80-4568-AECF-CB6C90530012"
        summary.appType = .new
        summary.appTime = "20180508101112"
        summary.appStatus = .declared
        summary.customsCode = "1501"
        summary.copNo = "C201805080001"
        summary.preNo = preNo
        summary.sumNo = sumNo
        summary.agentCode = platformCode
        summary.agentName = platformName
        summary.ebcCode = platformCode
        summary.ebcName = platformName
        summary.declAgentCode = platformCode
        summary.declAgentName = platformName
        summary.startTime = "20180501"
        summary.endTime = "20180507"
        summary.loctNo = "1501A"
        summary.summaryFlag = "1"
        summary.itemNameFlag = "1"
        summary.msgCount = 1
        summary.msgSeqNo = 1
        summary.note = "test"
        summary.invtNo = [invtNo, "Invt20180507000002"]
        return summary
    }

    static var summaryResultItem: BizSummaryResultItem {
        var item = BizSummaryResultItem()
        item.invtNo = invtNo
        item.logisticsNo = logisticsNo
        item.gseqno = 1
        item.gnum = 1
        item.gcode = "8541401000"
        return item
    }

    static var summaryResult: BizSummaryResult {
        var result = BizSummaryResult()
        result.guid = "123ENT97-2B80-4568-AECF-CB6C90530012"
        result.customsCode = "1501"
        result.sumNo = sumNo
        result.opDate = "20180508101112012"
        result.declSeqNo = "S20180508000000001"
        result.decTmpNo = "T20180508000000001"
        result.decPreNo = "150120180000123456"
        result.entryID = "150120181000123456"
        result.decState = "A"
        result.agentCode = platformCode
        result.agentName = platformName
        result.ebcCode = platformCode
        result.ebcName = platformName
        result.declAgentCode = platformCode
        result.declAgentName = platformName
        result.grossWeight = "12345678912345.12345"
        result.netWeight = "12345678912345.12345"
        result.msgCount = 1
        result.msgSeqNo = 1
        result.note = "test"
        var second = summaryResultItem
        second.gseqno = 2
        second.gnum = 2
        second.gcode = "8541401001"
        result.summaryResultList = [summaryResultItem, second]
        return result
    }

    // MARK: Flows

    static var releaseNotice: BizReleaseNotice {
        var notice = BizReleaseNotice()
        notice.invtNo = invtNo
        notice.copNo = copNo
        notice.preNo = preNo
        notice.customsCode = "1500"
        notice.portCode = "1501"
        notice.ieFlag = "E"
        notice.tradeMode = "9610"
        notice.statisticsFlag = "B"
        notice.orderNo = orderNo
        notice.ebpCode = platformCode
        notice.ebcCode = platformCode
        notice.ebcName = platformName
        notice.agentCode = platformCode
        notice.logisticsCode = platformCode
        notice.logisticsNo = logisticsNo
        notice.payCode = platformCode
        notice.payTransactionID = "P20180507001"
        notice.totalPrice = "400"
        notice.currency = "142"
        notice.returnStatus = Int32(BizCustomsStatus.released.rawValue)
        notice.returnTime = "20180508093000123"
        notice.inventoryList = [inventoryItem]
        notice.amountPaid = "829.67"
        notice.country = "502"
        return notice
    }

    static var query: BizQuery {
        var query = BizQuery()
        query.subject = "ceb.Inventory"
        query.criteria = ["ebc_code": platformCode, "invt_no": invtNo]
        query.fields = ["invt_no", "trade_mode", "inventory_list"]
        query.purpose = "出口退税核验 (案件号 2024-0042)"
        query.limit = 50
        return query
    }

    static var answerRecord: BizAnswerRecord {
        var record = BizAnswerRecord()
        record.type = "ceb.Inventory"
        record.body = (try? inventory.serializedData()) ?? Data([0xFF])
        return record
    }

    static var answer: BizAnswer {
        var answer = BizAnswer()
        answer.decision = .pending
        answer.reason = "partial: 1 of 3"
        answer.records = [answerRecord]
        answer.total = 3
        answer.code = 504
        return answer
    }

    static var refundResult: BizRefundResult {
        var result = BizRefundResult()
        result.entryID = "292920261000000001"
        result.invtNo = "29912026E000000001"
        result.ebcCode = platformCode
        result.decision = .accepted
        result.refundAmount = "130.50"
        result.currency = "142"
        result.reason = "退税已审核"
        result.decidedDate = "20261130"
        return result
    }

    static var settlementResult: BizSettlementResult {
        var result = BizSettlementResult()
        result.orderNo = "order2026112100000001"
        result.payTransactionID = "PAY00000001"
        result.decision = .refused
        result.amount = "829.67"
        result.currency = "502"
        result.reason = "收汇金额与申报不符"
        result.verifiedDate = "20261130"
        return result
    }

    static var adapterEvent: BizAdapterEvent {
        var event = BizAdapterEvent()
        event.department = "customs"
        event.kind = "error"
        event.file = "CEB622-20261121.xml"
        event.documents = 2
        event.code = "MISSING_FIELD"
        event.location = "/CEB622Message/InventoryReturn[2]/returnStatus"
        event.reason = "returnStatus is empty"
        event.atUs = 1_763_700_000_000_000
        return event
    }

    static var summaryRequest: BizSummaryRequest {
        var request = BizSummaryRequest()
        request.startDate = "20261101"
        request.endDate = "20261130"
        request.ebcCode = platformCode
        return request
    }

    static var creditNotice: BizCreditNotice {
        var notice = BizCreditNotice()
        notice.socialCreditCode = "91110105MA01ABCD2X"
        notice.customsCode = platformCode
        notice.name = platformName
        notice.department = "tax"
        notice.level = .dishonest
        notice.rating = "D"
        notice.blacklisted = true
        notice.reason = "虚开增值税专用发票"
        notice.documentNo = "京税稽罚〔2024〕17号"
        notice.effectiveDate = "20240301"
        notice.expiryDate = "20270228"
        return notice
    }

    static var departmentStatus: BizDepartmentStatus {
        var status = BizDepartmentStatus()
        status.department = "customs"
        status.decision = .accepted
        status.status = "120"
        status.code = invtNo
        status.reason = "海关入库"
        status.updatedAtUs = 1_525_765_801_001_000
        return status
    }

    static var feedback: BizFeedback {
        var feedback = BizFeedback()
        feedback.subjectType = "ceb.Inventory"
        feedback.subjectID = "inventory-2018-000001"
        feedback.subjectKey = orderNo
        feedback.state = .partiallyAccepted
        var tax = departmentStatus
        tax.department = "tax"
        tax.decision = .refused
        tax.status = "refused"
        tax.code = "TX-0001"
        tax.reason = "出口企业未办理退税备案"
        feedback.departments = [departmentStatus, tax]
        feedback.reasons = ["三单对碰: 收货人电话与运单不一致"]
        feedback.pendingDepartments = ["forex", "bank-boc"]
        feedback.updatedAtUs = 1_525_765_802_000_000
        feedback.final = true
        feedback.documents = [documentStatus]
        feedback.history = [declarationEvent]
        return feedback
    }

    static var declarationEvent: BizDeclarationEvent {
        var event = BizDeclarationEvent()
        event.kind = "departure_refused"
        event.document = "ceb.Receipt"
        event.id = "receipt-510-000001"
        event.filer = "customs"
        event.time = "20180507120000000"
        event.status = "100"
        event.info = "退单: 离境时间不符"
        event.atUs = 1_525_765_803_000_000
        return event
    }

    static var documentStatus: BizDocumentStatus {
        var status = BizDocumentStatus()
        status.document = "ceb.Order"
        status.id = "order-2018-000001"
        status.filer = "platform"
        status.status = "100"
        status.decision = .refused
        status.reason = "订单退单: 订购人信息不符"
        status.updatedAtUs = 1_525_765_801_000_000
        return status
    }
}
